/**
 * `npm run plan [-- --output DIR]`: synthesizes, has the engine plan into a private temporary file, and prints
 * the engine's plan and then a summary in words (app/plan-review.ts). Changes nothing. Run through
 * scripts/engine/run.sh, which chooses the engine.
 */
import { runMain } from '../app/cli';
import { planAndApply } from '../app/engine';
import { synthesizeFromCommandLine } from '../app/synth';

runMain(() => {
  const app = synthesizeFromCommandLine(process.argv.slice(2));
  return planAndApply({ ...app, outputDirectory: app.stack.pki.outputDirectory, apply: false });
});
