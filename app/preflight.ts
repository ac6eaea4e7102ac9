import * as path from 'node:path';
import { AppConfig, MIN_PASSPHRASE_LENGTH, PG_CONN_STR_ENV, STATE_PASSPHRASE_ENV } from './config';
import { UserError } from './user-error';

/**
 * The file `npm run deploy` writes into the output directory before the engine may touch a file,
 * and removes only once the deploy has succeeded: while it exists, the files may be a mix of old
 * and new, and `npm run inspect` refuses them.
 */
export const INCOMPLETE_MARKER = 'DEPLOY-INCOMPLETE';

/** What the deploy (app/deploy-run.ts) needs to know before it starts the engine. */
export interface DeployFacts {
  /** The output directory (absolute). */
  readonly outputDirectory: string;
  /** The marker file (absolute). */
  readonly marker: string;
  /** The local state file (absolute), which the deploy keeps at mode 0600; undefined for a remote backend. */
  readonly localStateFile?: string;
  /** Things the person deploying must know, printed once. */
  readonly warnings: string[];
}

/** The deploy cannot start: the environment lacks what the configuration requires. */
export class PreflightError extends UserError {}

/**
 * Checks the environment against the configuration before a deploy: a configuration that turns
 * state encryption on needs its passphrase, a `pg` backend without a connection string needs
 * `PG_CONN_STR`. Every problem is reported at once; with none, returns the facts for the deploy.
 */
export function preflight(config: AppConfig, env: NodeJS.ProcessEnv): DeployFacts {
  const file = config.configFile ?? 'the default configuration (no chariot-tls.json)';
  const problems: string[] = [];
  const warnings: string[] = [];
  const passphrase = env[STATE_PASSPHRASE_ENV] ?? '';

  if (config.stateEncryption.enabled) {
    if (passphrase === '') {
      problems.push(`${file}: stateEncryption.enabled is true, but ${STATE_PASSPHRASE_ENV} is not set; export the state passphrase (at least ${MIN_PASSPHRASE_LENGTH} characters) before deploying`);
    } else if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
      problems.push(`${STATE_PASSPHRASE_ENV} has ${passphrase.length} characters; use a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters (OpenTofu's minimum for PBKDF2)`);
    }
    if (config.stateEncryption.migrateFromUnencrypted) {
      warnings.push(`chariot-tls: note: stateEncryption.migrateFromUnencrypted is true: state that is not encrypted yet is still accepted. Once this deploy has succeeded, remove it from ${file}.`);
    }
  } else {
    const ignored = passphrase === '' ? '' : ` ${STATE_PASSPHRASE_ENV} is set but not used.`;
    warnings.push(
      `chariot-tls: warning: state encryption is off: the Terraform state (${stateText(config)}) holds every private key in plain text.${ignored} ` +
        `To encrypt it, set "stateEncryption": { "enabled": true } in ${file} and export ${STATE_PASSPHRASE_ENV}; see docs/operate.md, "Encrypting state".`,
    );
  }

  if (config.backend.type === 'pg' && config.backend.connectionString === undefined && !env[PG_CONN_STR_ENV]) {
    problems.push(`${file}: backend.type is "pg" with no connectionString, and ${PG_CONN_STR_ENV} is not set; export ${PG_CONN_STR_ENV}=postgres://USER@HOST/DATABASE (the password in PGPASSWORD or ~/.pgpass)`);
  }

  if (problems.length > 0) throw new PreflightError(`chariot-tls: cannot deploy:\n${problems.map((p) => `  - ${p}`).join('\n')}`);

  const outputDirectory = config.pki.outputDirectory ?? path.resolve('pki');
  return {
    outputDirectory,
    marker: path.join(outputDirectory, INCOMPLETE_MARKER),
    localStateFile: config.backend.type === 'local' ? config.backend.path : undefined,
    warnings,
  };
}

function stateText(config: AppConfig): string {
  return config.backend.type === 'local' ? config.backend.path : `PostgreSQL schema ${config.backend.schemaName}`;
}
