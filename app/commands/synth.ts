import { CommandDefinition } from '../command-line';
import { synthesizeForCommand } from '../synth';
import { announce, outdirOf, outdirOption } from './outdir';

/** `npm run synth`: the engine's JSON and the inventory, without the engine. */
export const SYNTH: CommandDefinition = {
  name: 'synth',
  summary: "write the engine's configuration (DIR/stacks/chariot-tls/cdk.tf.json) and the inventory; no engine needed",
  options: outdirOption,
  run: (options, context) => {
    const app = synthesizeForCommand(announce('synth', context), outdirOf(options, context));
    context.say(`Synthesized to ${app.stackDir}`);
    return 0;
  },
};
