import * as path from 'node:path';
import { AppConfig, MIN_PASSPHRASE_LENGTH, PG_CONN_STR_ENV, STATE_PASSPHRASE_ENV } from './config';
import { INCOMPLETE_MARKER } from './deploy-marker';
import { StateFileCondition, localRestoreText, stateFileCondition } from './existing-pki';
import { deployTargetProblems } from './output-directory';
import { ownerProblems } from './output-owner';
import { UserError } from './user-error';

export { INCOMPLETE_MARKER } from './deploy-marker';

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
  /** The state before the engine runs, in words (`the state file X is missing`), for the lost state guard. */
  readonly stateText: string;
  /** How to restore the state from a backup, in words. */
  readonly restoreText: string;
}

/** The deploy cannot start: the environment lacks what the configuration requires. */
export class PreflightError extends UserError {}

/**
 * Checks the environment against the configuration before a deploy: a configuration that turns
 * state encryption on needs its passphrase, a `pg` backend without a connection string needs
 * `PG_CONN_STR`, a local state file must be readable (not cut short), and the output directory must be a
 * folder that is new, empty or holds a PKI of ours (app/output-directory.ts). Every problem is reported at
 * once; with none, returns the facts for the deploy.
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

  const outputDirectory = config.pki.outputDirectory ?? path.resolve('pki');
  const state = stateFacts(config);
  problems.push(...state.problems, ...ownerProblems(outputDirectory, config), ...deployTargetProblems(outputDirectory));

  if (problems.length > 0) throw new PreflightError(`chariot-tls: cannot deploy:\n${problems.map((p) => `  - ${p}`).join('\n')}`);

  return {
    outputDirectory,
    marker: path.join(outputDirectory, INCOMPLETE_MARKER),
    localStateFile: config.backend.type === 'local' ? config.backend.path : undefined,
    warnings,
    stateText: state.stateText,
    restoreText: state.restoreText,
  };
}

/** The state as the deploy finds it, in words; a local state file that is not JSON is a problem. */
function stateFacts(config: AppConfig): { stateText: string; restoreText: string; problems: string[] } {
  if (config.backend.type === 'pg') {
    return {
      stateText: `the state in PostgreSQL (schema ${config.backend.schemaName}) holds none of its CAs`,
      restoreText: `restore the schema's states table from your database backup (pg_dump --table=${config.backend.schemaName}.states).`,
      problems: [],
    };
  }
  const file = config.backend.path;
  const restoreText = localRestoreText(file);
  const condition = stateFileCondition(file);
  const stateText = {
    [StateFileCondition.MISSING]: `the state file ${file} is missing`,
    [StateFileCondition.EMPTY]: `the state file ${file} is empty`,
    [StateFileCondition.UNREADABLE]: `the state file ${file} is unreadable`,
    [StateFileCondition.READABLE]: `the state file ${file} holds none of its CAs`,
  }[condition];
  const problems = condition === StateFileCondition.UNREADABLE
    ? [`the state file ${file} is not valid JSON: cut short (a full disk, an interrupted copy) or not a state file. The engine cannot read it, and nothing was changed. Restore it from its backup: ${restoreText} (docs/operate.md, "Backups of state")`]
    : [];
  return { stateText, restoreText, problems };
}

function stateText(config: AppConfig): string {
  return config.backend.type === 'local' ? config.backend.path : `PostgreSQL schema ${config.backend.schemaName}`;
}
