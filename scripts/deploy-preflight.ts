/**
 * Run by scripts/deploy.sh before the engine starts: checks the environment against the
 * configuration (app/preflight.ts), prints warnings on stderr, and the facts deploy.sh needs
 * as bash assignments on stdout. Exits 1, with the reasons, when the deploy cannot start.
 */
import { runMain } from '../app/cli';
import { loadConfig } from '../app/config';
import { preflight, toShell } from '../app/preflight';

runMain(() => {
  const facts = preflight(loadConfig(), process.env);
  for (const warning of facts.warnings) process.stderr.write(`${warning}\n`);
  process.stdout.write(toShell(facts));
  return 0;
});
