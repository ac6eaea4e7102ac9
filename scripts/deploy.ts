/**
 * The deploy (scripts/deploy.sh runs it through scripts/engine/run.sh, which chooses the engine):
 *   scripts/app.sh scripts/deploy.ts [--output DIR]
 * synthesizes, says what it is about to deploy, plans, reviews and applies (app/engine.ts), then writes
 * the PKCS#12 files when the configuration asks for them and prints a summary: what was created, renewed
 * or left alone, where the files are, what expires first and when the next renewal is due.
 */
import { PkiInventory } from '../lib';
import { runMain } from '../app/cli';
import { formatStart, formatSummary, snapshot, summarize } from '../app/deploy-summary';
import { planAndApply } from '../app/engine';
import { pkcs12Password, pkcs12Targets, writePkcs12 } from '../app/pkcs12';
import { synthesizeFromCommandLine } from '../app/synth';

runMain(() => {
  const app = synthesizeFromCommandLine(process.argv.slice(2));
  // Check the password before the engine runs, so a missing one costs nothing.
  const password = app.config.pkcs12 && pkcs12Password(process.env, app.config.pkcs12.passwordEnv);
  const pki = app.stack.pki;
  const inventory = PkiInventory.of(pki);
  const before = snapshot(inventory, pki.outputDirectory);

  console.log(formatStart(inventory, pki.outputDirectory));
  const status = planAndApply({ ...app, outputDirectory: pki.outputDirectory, apply: true });
  if (status !== 0) return status;

  const pkcs12 = password === undefined ? undefined : pkcs12Targets(inventory, pki.outputDirectory).map((t) => writePkcs12(t, password));
  const summary = { ...summarize(inventory, pki.outputDirectory, before, snapshot(inventory, pki.outputDirectory)), pkcs12 };
  console.log(`\n${formatSummary(summary, new Date())}`);
  return 0;
});
