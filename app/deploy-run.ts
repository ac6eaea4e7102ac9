import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PkiInventory } from '../lib';
import { printError } from './cli';
import { AppConfig } from './config';
import { formatStart, formatSummary, snapshot, summarize } from './deploy-summary';
import { EngineInterrupted, planAndApply } from './engine';
import { pkcs12Password, pkcs12Targets, writePkcs12 } from './pkcs12';
import { DeployFacts, preflight } from './preflight';
import { synthesizeForCommand } from './synth';

/** How long a deploy waits for another deploy's state lock, in the engine's units (`30s`, `5m`). */
export const LOCK_TIMEOUT_ENV = 'CHARIOT_TLS_LOCK_TIMEOUT';
/** The lock timeout when {@link LOCK_TIMEOUT_ENV} is unset or empty. */
export const DEFAULT_LOCK_TIMEOUT = '5m';
/** The exit status of an interrupted deploy, as a shell reports one ended by SIGINT. */
export const INTERRUPTED_STATUS = 130;

/** The engine prints this before it touches a resource (a file among them), e.g. `local_file.x: Creating...`. */
const CHANGING = /: (Creating|Modifying|Destroying)\.\.\./;

/** The engine's words, wherever it wrapped the line between them (it wraps errors at 78 columns when not on a terminal). */
const words = (text: string) => new RegExp(text.split(' ').join('\\s+'));

/** What the engine printed, read for the cause of a failure; the first that matches is the reason given. */
const REASONS: { readonly pattern: RegExp; readonly reason: (lockTimeout: string) => string }[] = [
  {
    pattern: words('decryption failed for all provided methods'),
    reason: () => 'The state could not be decrypted: CHARIOT_TLS_STATE_PASSPHRASE is not the passphrase it was encrypted with. The state was not changed; export the right passphrase.',
  },
  {
    pattern: words('encountered unencrypted payload without unencrypted method configured'),
    reason: () => 'The state is not encrypted yet, and encryption is enforced. To encrypt it, deploy once with "stateEncryption": { "enabled": true, "migrateFromUnencrypted": true } (docs/operate.md, "Encrypting state").',
  },
  {
    pattern: new RegExp(`${words('Error acquiring the state lock').source}|${words('Error locking state').source}`),
    reason: (lockTimeout) => `Another deploy holds the state lock and did not finish within ${lockTimeout} (${LOCK_TIMEOUT_ENV}). Wait for it and deploy again; if no deploy is running, see docs/operate.md, "Shared state for teams".`,
  },
  {
    pattern: words('Saved plan is stale'),
    reason: () => 'Another deploy changed the state after this one planned, so its plan was not applied.',
  },
];

/**
 * `npm run deploy`, around the engine (docs/operate.md, "When a deploy fails"): checks the
 * environment against the configuration (app/preflight.ts), marks the output directory `DEPLOY-INCOMPLETE`
 * until the deploy succeeds, keeps a local state file at mode 0600, has the engine wait up to
 * `CHARIOT_TLS_LOCK_TIMEOUT` for another deploy's lock, deploys ({@link deployFiles}) and ends a failure with
 * what failed, in our words. An interrupt (SIGINT, SIGTERM) lets the running engine command end, starts no
 * other, and ends with exit 130. Run with the engine's environment (scripts/engine/run.sh); resolves to the
 * exit status.
 */
export async function deploy(options: DeployOptions): Promise<number> {
  const { config } = options;
  const facts = preflight(config, process.env);
  for (const warning of facts.warnings) process.stderr.write(`${warning}\n`);

  // Files the engine changes are marked until it has finished them all; a marker found here belongs to an
  // unfinished deploy (or one running beside this one) and stays until this one succeeds.
  const markerWasThere = fs.existsSync(facts.marker);
  fs.mkdirSync(facts.outputDirectory, { recursive: true });
  fs.writeFileSync(facts.marker, markerText(new Date(), os.hostname()));
  keepStatePrivate(facts.localStateFile);
  Object.assign(process.env, lockTimeoutArgs(process.env));

  // The engine's output is kept in memory only, to explain a failure; it never holds key material.
  const engineOutput: string[] = [];
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let status: number;
  try {
    status = await deployFiles(options, { onOutput: (text) => engineOutput.push(text), signal: interrupt.signal });
  } catch (e) {
    if (!(e instanceof EngineInterrupted)) printError(e);
    status = 1;
  } finally {
    keepStatePrivate(facts.localStateFile);
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  if (interrupt.signal.aborted) {
    process.stderr.write(`\nchariot-tls: deploy interrupted. The files in ${facts.outputDirectory} may be incomplete (see ${facts.marker}); run \`npm run deploy\` again.\n`);
    return INTERRUPTED_STATUS;
  }
  if (status === 0) {
    fs.rmSync(facts.marker, { force: true });
    return 0;
  }
  const failure = explainFailure({
    facts,
    engineOutput: engineOutput.join(''),
    markerWasThere,
    markerExists: fs.existsSync(facts.marker),
    lockTimeout: lockTimeout(process.env),
  });
  if (failure.removeMarker) fs.rmSync(facts.marker, { force: true });
  process.stderr.write(failure.message);
  return status;
}

/** What to deploy, and where the synthesized stack goes. */
export interface DeployOptions {
  /** The configuration, loaded. */
  readonly config: AppConfig;
  /**
   * The cdktf output directory.
   * @default 'cdktf.out'
   */
  readonly outdir?: string;
}

/** Where the engine's output goes, and what stops it, during {@link deployFiles}. */
interface EngineHooks {
  readonly onOutput: (text: string) => void;
  readonly signal: AbortSignal;
}

/**
 * The deploy proper: synthesizes, says what it is about to deploy, plans, reviews and applies (app/engine.ts),
 * then writes the PKCS#12 files when the configuration asks for them and prints a summary: what was created,
 * renewed or left alone, where the files are, what expires first and when the next renewal is due.
 */
async function deployFiles({ config, outdir }: DeployOptions, hooks: EngineHooks): Promise<number> {
  const app = synthesizeForCommand(config, outdir);
  // Check the password before the engine runs, so a missing one costs nothing.
  const password = config.pkcs12 && pkcs12Password(process.env, config.pkcs12.passwordEnv);
  const pki = app.stack.pki;
  const inventory = PkiInventory.of(pki);
  const before = snapshot(inventory, pki.outputDirectory);

  console.log(formatStart(inventory, pki.outputDirectory));
  // Encrypting plain state needs the engine to write it, even when nothing else changes.
  const rewriteState = config.stateEncryption.enabled && config.stateEncryption.migrateFromUnencrypted;
  const status = await planAndApply({ ...app, outputDirectory: pki.outputDirectory, apply: true, rewriteState, ...hooks });
  if (status !== 0) return status;

  const pkcs12 = password === undefined ? undefined : pkcs12Targets(inventory, pki.outputDirectory).map((t) => writePkcs12(t, password));
  const summary = { ...summarize(inventory, pki.outputDirectory, before, snapshot(inventory, pki.outputDirectory)), pkcs12 };
  console.log(`\n${formatSummary(summary, new Date())}`);
  return 0;
}

/** What `DEPLOY-INCOMPLETE` says: when and where the unfinished deploy started, and not to copy the files anywhere. */
export function markerText(started: Date, hostname: string): string {
  return [
    `A chariot-tls deploy started at ${started.toISOString().replace(/\.\d+Z$/, 'Z')} on ${hostname} has not finished.`,
    'The files in this directory may be a mix of old and new certificates and keys, or be missing:',
    'do not copy them to Chariot, MQTT Engine or MQTT Transmission. Run `npm run deploy` again;',
    'it completes the set and removes this file.',
    '',
  ].join('\n');
}

/**
 * Private keys live in state: a local state file (and the engine's `.backup` of it) is for its owner only,
 * from its first byte. Creates an empty one with mode 0600 when there is none yet; does nothing for a remote backend.
 */
export function keepStatePrivate(stateFile: string | undefined): void {
  if (stateFile === undefined) return;
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  fs.closeSync(fs.openSync(stateFile, 'a', 0o600));
  for (const file of [stateFile, `${stateFile}.backup`]) {
    try {
      fs.chmodSync(file, 0o600);
    } catch {
      // No backup yet.
    }
  }
}

/** {@link LOCK_TIMEOUT_ENV}, or {@link DEFAULT_LOCK_TIMEOUT} when unset or empty. */
export function lockTimeout(env: NodeJS.ProcessEnv): string {
  return env[LOCK_TIMEOUT_ENV] || DEFAULT_LOCK_TIMEOUT;
}

/**
 * The engine's extra arguments for `plan` and `apply` with the lock timeout first, then any the user set: both
 * wait for another deploy's state lock (a deploy that plans first locks there too).
 */
export function lockTimeoutArgs(env: NodeJS.ProcessEnv): { TF_CLI_ARGS_plan: string; TF_CLI_ARGS_apply: string } {
  const timeout = `-lock-timeout=${lockTimeout(env)}`;
  const withTimeout = (args: string | undefined) => (args ? `${timeout} ${args}` : timeout);
  return { TF_CLI_ARGS_plan: withTimeout(env.TF_CLI_ARGS_plan), TF_CLI_ARGS_apply: withTimeout(env.TF_CLI_ARGS_apply) };
}

/** A deploy that failed, as {@link explainFailure} reads it. */
export interface FailedDeploy {
  /** The deploy's output directory and marker. */
  readonly facts: Pick<DeployFacts, 'outputDirectory' | 'marker'>;
  /** Everything the engine printed during the deploy, stdout and stderr. */
  readonly engineOutput: string;
  /** The marker was there before this deploy wrote it: left by an unfinished deploy, or one running beside this one. */
  readonly markerWasThere: boolean;
  /** The marker is there now. */
  readonly markerExists: boolean;
  /** How long the deploy waited for the state lock ({@link lockTimeout}). */
  readonly lockTimeout: string;
}

/** How a failed deploy ends. */
export interface FailureExplanation {
  /** What failed and whether files may have changed, in our words, for stderr. */
  readonly message: string;
  /** Remove the marker: the engine changed no file, and the marker is this deploy's own. */
  readonly removeMarker: boolean;
}

/**
 * Explains a failed deploy from what the engine printed: the cause when it is one we know (a wrong passphrase,
 * plain state under enforced encryption, a lock held too long, a stale plan), else "See the error above.";
 * and whether files may have changed, which the engine says before it touches one ("Creating...",
 * "Modifying...", "Destroying..."). A deploy that changed no file removes its marker, unless an earlier one was there.
 */
export function explainFailure(failed: FailedDeploy): FailureExplanation {
  const { outputDirectory, marker } = failed.facts;
  const known = REASONS.find((r) => r.pattern.test(failed.engineOutput));
  const reason = known ? known.reason(failed.lockTimeout) : 'See the error above.';
  let touched: string;
  let removeMarker = false;
  if (CHANGING.test(failed.engineOutput)) {
    touched = `Files in ${outputDirectory} may be a mix of old and new, or missing; ${marker} says so until a deploy succeeds.`;
  } else {
    touched = 'No file was changed by this deploy.';
    if (!failed.markerWasThere) {
      removeMarker = true;
    } else if (failed.markerExists) {
      touched += ` ${marker}, left by a deploy that has not finished, stays until a deploy succeeds.`;
    }
  }
  return {
    message: `\nchariot-tls: deploy failed. ${reason}\nchariot-tls: ${touched} Run \`npm run deploy\` again once the cause is fixed.\n`,
    removeMarker,
  };
}
