import { CommandDefinition } from '../command-line';
import { caKeysOption } from '../ca-key-files';
import { planAndApply, readState } from '../engine';
import { refuseKeysNotInState } from '../external-root-state';
import { openDisplay } from '../engine-display';
import { foreignOutputProblems } from '../output-owner';
import { synthesizeForCommand } from '../synth';
import { announce, notWithSiteStates, outdirOf, outdirOption } from './outdir';

/** `npm run plan`: what the next deploy would do; changes nothing. */
export const PLAN: CommandDefinition = {
  name: 'plan',
  summary: 'show what the next deploy would create, renew or destroy; changes nothing',
  options: outdirOption,
  help: 'Exit codes: 0 planned, 1 the plan failed, would change a CA in a way that is refused, or the output directory holds another PKI.',
  run: async (options, context) => {
    const outdir = outdirOf(options, context);
    const config = announce('plan', context);
    if (config.siteStates) return notWithSiteStates('plan', context);
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
    try {
      return await planAndApply({ ...app, outputDirectory: app.stack.pki.outputDirectory, apply: false, display, caKeys });
    } finally {
      display.close();
      context.say(`chariot-tls: the engine's full output is in ${display.logFile}`);
    }
  },
};
