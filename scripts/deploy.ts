/**
 * `npm run deploy [-- --output DIR]`, which runs it through scripts/engine/run.sh (that builds the engine on
 * first use and chooses it):
 *   scripts/engine/run.sh scripts/app.sh scripts/deploy.ts [--output DIR]
 * Checks the environment, marks the output directory unfinished, plans, reviews and applies, writes PKCS#12
 * files and a summary, and explains a failure in our words: app/deploy-run.ts.
 */
import { runMain } from '../app/cli';
import { deploy } from '../app/deploy-run';

runMain(() => deploy(process.argv.slice(2)));
