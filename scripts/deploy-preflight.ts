/**
 * Run by scripts/deploy.sh before the engine starts: checks the environment against the
 * configuration (app/preflight.ts), prints warnings on stderr, and the facts deploy.sh needs
 * as bash assignments on stdout. Exits 1, with the reasons, when the deploy cannot start.
 */
import { ConfigError, loadConfig } from '../app/config';
import { PreflightError, preflight, toShell } from '../app/preflight';

try {
  const facts = preflight(loadConfig(), process.env);
  for (const warning of facts.warnings) process.stderr.write(`${warning}\n`);
  process.stdout.write(toShell(facts));
} catch (e) {
  if (!(e instanceof ConfigError || e instanceof PreflightError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
}
