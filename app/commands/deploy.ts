import { CommandDefinition } from '../command-line';
import { deploy } from '../deploy-run';
import { announce, outdirOf, outdirOption } from './outdir';
import { chosenSites, siteOption } from './site-option';

/** `npm run deploy`: app/deploy-run.ts. */
export const DEPLOY: CommandDefinition = {
  name: 'deploy',
  summary: 'create or renew every key and certificate and write the files each product takes',
  options: (command) => {
    outdirOption(command);
    siteOption(command);
  },
  help: [
    'With "siteStates": true, --site NAME deploys the CAs\' stack and that site only; two deploys of different sites run',
    'at once, a second deploy of a site waits for the first (docs/operate.md, "Sites in their own state").',
    '',
    'Exit codes: 0 deployed, 1 failed (the reason is printed; DEPLOY-INCOMPLETE says when files may be half written), 130 interrupted.',
  ].join('\n'),
  run: (options, context) => {
    const config = announce('deploy', context);
    const choice = chosenSites('deploy', options.site, config);
    if (choice.refusal !== undefined) {
      context.io.stderr(`${choice.refusal}\n`);
      return 1;
    }
    return deploy({ config, outdir: outdirOf(options, context), verbosity: context.verbosity, sites: choice.sites });
  },
};
