import { CommandDefinition } from '../command-line';
import { caKeysOption } from '../ca-key-files';
import { lockTimeoutArgs } from '../deploy-run';
import { planAndApply, readState } from '../engine';
import { refuseKeysNotInState } from '../external-root-state';
import { openDisplay } from '../engine-display';
import { foreignOutputProblems } from '../output-owner';
import { CertificateReview } from '../plan-review';
import { planEverySite } from '../site-plan';
import { synthesizeForCommand } from '../synth';
import { announce, outdirOf, outdirOption } from './outdir';
import { chosenSites, siteOption } from './site-option';

/** `npm run plan`: what the next deploy would do; changes nothing. */
export const PLAN: CommandDefinition = {
  name: 'plan',
  summary: 'show what the next deploy would create, renew or destroy; changes nothing',
  options: (command) => {
    outdirOption(command);
    siteOption(command);
  },
  help: [
    'With "siteStates": true, the CAs\' stack is planned, then every site\'s own stack (its review under its name), then a',
    'total; a site whose CA certificate the CAs\' state does not hold yet is "created with the CAs". --site NAME plans the',
    'CAs\' stack and that site only.',
    '',
    'Exit codes: 0 planned, 1 a plan (the CAs\' or a site\'s) failed, would change a CA in a way that is refused, or the output directory holds another PKI.',
  ].join('\n'),
  run: async (options, context) => {
    const outdir = outdirOf(options, context);
    const config = announce('plan', context);
    const choice = chosenSites('plan', options.site, config);
    if (choice.refusal !== undefined) {
      context.io.stderr(`${choice.refusal}\n`);
      return 1;
    }
    // A plan against another PKI's folder would describe files this configuration does not own, as deploy refuses to.
    const foreign = foreignOutputProblems(config);
    if (foreign.length > 0) {
      context.io.stderr(`chariot-tls: cannot plan:\n${foreign.map((p) => `  - ${p}`).join('\n')}\n`);
      return 1;
    }
    const app = synthesizeForCommand(config, outdir);
    await refuseKeysNotInState(app.config, app.stack.pki, () => readState(app));
    const caKeys = caKeysOption(app.config.caKeyFiles, app.stack.pki, false);
    const display = openDisplay('plan', outdir, context.verbosity);
    // As a deploy does: a state lock held a moment by another engine (the sites' engines at once, in PostgreSQL) is waited for.
    Object.assign(process.env, lockTimeoutArgs(process.env));
    try {
      let caReview: CertificateReview[] = [];
      const status = await planAndApply({ ...app, outputDirectory: app.stack.pki.outputDirectory, apply: false, display, caKeys, onReview: (r) => { caReview = r; } });
      // The sites are planned once the CAs' plan is good, as the deploy applies them only then (app/site-plan.ts).
      if (status !== 0 || !config.siteStates) return status;
      const caState = await readState({ ...app, display });
      return await planEverySite({ config, pki: app.pki, caSynthesized: app.synthesized, caState, outdir, productLabels: app.productLabels, display, caReview, stderr: context.io.stderr, sites: choice.sites });
    } finally {
      display.close();
      context.say(`chariot-tls: the engine's full output is in ${display.logFile}`);
    }
  },
};
