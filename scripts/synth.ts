/**
 * `npm run synth [-- --output DIR]`: the configuration as the engine's JSON (DIR/stacks/chariot-tls/cdk.tf.json)
 * and the inventory beside the configuration; what `cdktf synth` does, without starting its CLI.
 */
import { runMain } from '../app/cli';
import { synthesizeFromCommandLine } from '../app/synth';

runMain(() => {
  console.log(`Synthesized to ${synthesizeFromCommandLine(process.argv.slice(2)).stackDir}`);
  return 0;
});
