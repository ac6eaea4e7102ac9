import { CommandDefinition } from '../command-line';
import { deploy } from '../deploy-run';
import { announce, outdirOf, outdirOption } from './outdir';

/** `npm run deploy`: app/deploy-run.ts. */
export const DEPLOY: CommandDefinition = {
  name: 'deploy',
  summary: 'create or renew every key and certificate and write the files each product takes',
  options: outdirOption,
  help: 'Exit codes: 0 deployed, 1 failed (the reason is printed; DEPLOY-INCOMPLETE says when files may be half written), 130 interrupted.',
  run: (options, context) => deploy({ config: announce('deploy', context), outdir: outdirOf(options, context), verbosity: context.verbosity }),
};
