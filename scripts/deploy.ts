// The deploy around the engine (scripts/deploy.sh runs it):
//   ts-node scripts/deploy.ts -- CMD ARGS...
// says what it is about to deploy, runs CMD (the engine's deploy) with the terminal, then writes the
// PKCS#12 files when the configuration asks for them and prints a summary: what was created, renewed or
// left alone, where the files are, what expires first and when the next renewal is due.
import { spawnSync } from 'node:child_process';
import { App } from 'cdktf';
import { PkiInventory } from '../lib';
import { ConfigError, loadConfig } from '../app/config';
import { formatStart, formatSummary, snapshot, summarize } from '../app/deploy-summary';
import { Pkcs12Error, pkcs12Password, pkcs12Targets, writePkcs12 } from '../app/pkcs12';
import { ChariotTlsStack } from '../app/stack';

function main(argv: string[]): number {
  const command = argv[0] === '--' ? argv.slice(1) : argv;
  if (command.length === 0) {
    console.error('usage: ts-node scripts/deploy.ts -- CMD [ARGS...]');
    return 2;
  }
  const config = loadConfig();
  // The stack is built in memory only, to know the files; the engine's own synth writes cdktf.out/.
  const pki = new ChariotTlsStack(new App(), 'chariot-tls', config).pki;
  const inventory = PkiInventory.of(pki);
  // Check the password before the engine runs, so a missing one costs nothing.
  const password = config.pkcs12 && pkcs12Password(process.env, config.pkcs12.passwordEnv);
  const before = snapshot(inventory, pki.outputDirectory);

  console.log(formatStart(inventory, pki.outputDirectory));
  const engine = spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
  if (engine.error) throw engine.error;
  if (engine.status !== 0) return engine.status ?? 1;

  const pkcs12 = password === undefined ? undefined : pkcs12Targets(inventory, pki.outputDirectory).map((t) => writePkcs12(t, password));
  const summary = { ...summarize(inventory, pki.outputDirectory, before, snapshot(inventory, pki.outputDirectory)), pkcs12 };
  console.log(`\n${formatSummary(summary, new Date())}`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  const error = e as Error;
  console.error(error instanceof ConfigError || error instanceof Pkcs12Error ? error.message : `chariot-tls: ${error.message}`);
  process.exitCode = 1;
}
