import * as fs from 'node:fs';
import * as path from 'node:path';
import { LeafCertificate, PkiInventory } from '../lib';
import { printError } from './cli';
import { AppConfig } from './config';
import { DeployMarker, DeployOutcome } from './deploy-marker';
import { damagedPemFiles, snapshot } from './certificates-on-disk';
import { summarize } from './deploy-summary';
import { formatStart, formatSummary } from './deploy-summary-text';
import { caKeysOption } from './ca-key-files';
import { EngineInterrupted, planAndApply, readState } from './engine';
import { ExistingPki, pkiEvidence } from './existing-pki';
import { applyDeclaredModes } from './file-modes';
import { EnvironmentLock } from './environment-lock';
import { keepOutOfGit, removeEmptyFolders } from './output-directory';
import { claimOutputDirectory, recordOwner } from './output-owner';
import { changedFiles, fileDigests, firstWrittenFiles, handOuts } from './hand-outs';
import { CertificateReview } from './plan-review';
import { CertificateChange } from './certificate-change';
import { caKeysFromState } from './ca-keys';
import { moveSitesIntoTheirStates } from './site-migration';
import { lockSites } from './site-lock';
import { leftToOtherDeploys, otherSitesKeys } from './other-sites';
import { siteWorkspacesLeftBehind } from './site-lost-state';
import { CaStackRecord } from './ca-stack-record';
import { formatSummary as formatPlanSummary } from './plan-summary';
import { siteClientsLeavingMainState, siteStatesLeftBehind, synthesizeSites } from './site-states';
import { deployEverySite } from './deploy-every-site';
import { EngineHooks, SynthesizedForDeploy } from './deploy-hooks';
import { clientKeyPassword, writeEncryptedClientKeys } from './client-key-files';
import { removeOrphanFiles } from './orphan-files';
import { dropDestroyedKeysFromBackup } from './state-backup';
import { readStateWithSites, revokedInOwnSites, sitesOfClients, sitesWithClientFolders } from './state-with-sites';
import { writeInventory } from './inventory';
import { Pkcs12Outcome, pkcs12Password, pkcs12Targets, writePkcs12 } from './pkcs12';
import { trustStoreTargets, writeTrustStore } from './trust-store';
import { DeployFacts, preflight } from './preflight';
import { Verbosity } from './command-line';
import { openDisplay } from './engine-display';
import { DEFAULT_OUTDIR, synthesizeForCommand } from './synth';
import { publishCrls, recordRevocations, removeRevokedClientFiles, serverCrlFile } from './revocation';
import { readRevocationRecord } from './revocation-record';
import { formatRevocations } from './revocation-summary';
import { formatExternalRoot, refuseLostSignedCertificates } from './external-root-summary';
import { refuseKeysNotInState } from './external-root-state';

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
const REASONS: { readonly pattern: RegExp; readonly reason: (lockTimeout: string, waitedMs: number) => string }[] = [
  {
    pattern: words('decryption failed for all provided methods'),
    reason: () => 'The state could not be decrypted: CHARIOT_TLS_STATE_PASSPHRASE is not the passphrase it was encrypted with. The state was not changed; export the right passphrase.',
  },
  {
    pattern: words('encountered unencrypted payload without unencrypted method configured'),
    reason: () => 'The state is not encrypted yet, and encryption is enforced. To encrypt it, deploy once with "stateEncryption": { "enabled": true, "migrateFromUnencrypted": true } (docs/operate.md, "Encrypting state").',
  },
  {
    pattern: new RegExp(['unexpected end of JSON input', 'Failed to load state', 'Error loading state'].map((t) => words(t).source).join('|')),
    reason: () => 'The engine could not read the state: it may be cut short (a full disk, an interrupted copy). Restore it from its backup (docs/operate.md, "Backups of state").',
  },
  {
    pattern: new RegExp(`${words('Error acquiring the state lock').source}|${words('Error locking state').source}`),
    reason: (lockTimeout, waitedMs) => durationMs(lockTimeout) <= waitedMs
      ? `Another deploy holds the state lock and did not finish within ${lockTimeout} (${LOCK_TIMEOUT_ENV}). Wait for it and deploy again; if no deploy is running, see docs/operate.md, "Shared state for teams".`
      : `The engine could not take the state lock, and failed at once without waiting for it (the engine's reason is above). If another deploy is starting, wait for it and deploy again.`,
  },
  {
    pattern: words('Saved plan is stale'),
    reason: () => 'Another deploy changed the state after this one planned, so its plan was not applied.',
  },
];

/**
 * `npm run deploy`, around the engine (docs/operate.md, "When a deploy fails"): checks the
 * environment, the state file and the output directory (app/preflight.ts), lists itself in the output directory's
 * `DEPLOY-INCOMPLETE` while it may be writing (app/deploy-marker.ts), keeps git out of the output directory,
 * waits for its sites' locks and the environment's (app/site-lock.ts, app/environment-lock.ts; with `siteStates` the
 * environment's only for the CAs' part and the end), refuses to create every CA over a deployed PKI whose state was
 * lost (app/existing-pki.ts), has the engine wait up to
 * `CHARIOT_TLS_LOCK_TIMEOUT` for another deploy's lock, deploys ({@link deployFiles}) and ends a failure with
 * what failed, in our words. An interrupt (SIGINT, SIGTERM) lets the running engine command end, starts no
 * other, and ends with exit 130. Run with the engine's environment (scripts/engine/run.sh); resolves to the
 * exit status.
 */
export async function deploy(options: DeployOptions): Promise<number> {
  const { config } = options;
  const facts = preflight(config, process.env);
  for (const warning of facts.warnings) process.stderr.write(`${warning}\n`);
  // One deploy of a site at a time (app/site-lock.ts), then of the environment's CAs (app/environment-lock.ts): a
  // second one waits before it writes anything.
  const timeout = lockTimeout(process.env);
  const outdir = options.outdir ?? DEFAULT_OUTDIR;
  const environment = new EnvironmentLock(outdir, durationMs(timeout), () =>
    process.stderr.write(`chariot-tls: another deploy of this environment is running; waiting for it to finish (up to ${timeout}, ${LOCK_TIMEOUT_ENV}).\n`));
  let releaseSites: () => Promise<void> = async () => {};
  try {
    releaseSites = await lockSites(outdir, config.siteStates ? sitesOf(options) : [], durationMs(timeout), (site, holder) =>
      process.stderr.write(`chariot-tls: site ${site} is being deployed by ${holder ?? 'another deploy'}; waiting for it to finish (up to ${timeout}, ${LOCK_TIMEOUT_ENV}).\n`));
    await environment.take();
  } catch (e) {
    await releaseSites();
    printError(e);
    return 1;
  }
  try {
    return await deployAlone(options, facts, environment);
  } finally {
    await environment.letGo();
    await releaseSites();
  }
}

/** The sites a deploy deploys: those of `--site`, else every configured site. */
function sitesOf({ config, sites }: DeployOptions): string[] {
  return [...(sites ?? Object.keys(config.pki.sites ?? {}))];
}

/** {@link deploy} once it holds its environment's lock. */
async function deployAlone(options: DeployOptions, facts: DeployFacts, environment: EnvironmentLock): Promise<number> {
  const { config } = options;
  // Bad input is refused at synth, before this deploy writes anything into the output directory (no folder, marker
  // or .gitignore): the constructs' checks run only here, and what they refuse never reaches the engine.
  let app: SynthesizedForDeploy;
  try {
    app = synthesizeForCommand(config, options.outdir);
    // Without the request files (a fresh checkout), the returned certificates' keys are checked against the state.
    const synthesized = app;
    await refuseKeysNotInState(config, synthesized.stack.pki, () => readState(synthesized));
  } catch (e) {
    printError(e);
    process.stderr.write(`chariot-tls: deploy refused before anything was written in ${facts.outputDirectory}; fix the configuration and deploy again.\n`);
    return 1;
  }

  // Files the engine changes are marked until it has finished them all; every deploy that may be writing lists
  // itself in the marker, which goes only when none of them is left (app/deploy-marker.ts).
  fs.mkdirSync(facts.outputDirectory, { recursive: true });
  const evidence = pkiEvidence(facts.outputDirectory);
  const marker = new DeployMarker(facts.outputDirectory);
  const firstDeploy = await marker.begin(evidence.length === 0);
  keepOutOfGit(facts.outputDirectory);
  keepStatePrivate(facts.localStateFile);
  Object.assign(process.env, lockTimeoutArgs(process.env));
  // A PKI on disk whose CAs the state does not hold: the state was lost (unless only a first deploy was cut short).
  const existing: ExistingPki = { ...facts, evidence: firstDeploy ? [] : evidence };

  // The engine's output is kept in memory only, to explain a failure; it never holds key material.
  const engineOutput: string[] = [];
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = Date.now();
  // A deploy of some sites has a log of its own: deploys of other sites write theirs at the same time.
  const logName = options.sites === undefined ? 'deploy' : `deploy-site-${[...options.sites].sort().join('+')}`;
  const display = openDisplay(logName, options.outdir ?? DEFAULT_OUTDIR, options.verbosity ?? Verbosity.NORMAL);
  let status: number;
  try {
    status = await deployFiles(app, options, { onOutput: (text) => engineOutput.push(text), signal: interrupt.signal, existingPki: existing, display, localStateFile: facts.localStateFile, environment });
  } catch (e) {
    if (!(e instanceof EngineInterrupted)) printError(e);
    status = 1;
  } finally {
    display.close();
    keepStatePrivate(facts.localStateFile);
  }
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  if (interrupt.signal.aborted) {
    process.stderr.write(`\nchariot-tls: deploy interrupted. The files in ${facts.outputDirectory} may be incomplete (see ${facts.marker}); run \`npm run deploy\` again.\n`);
    return INTERRUPTED_STATUS;
  }
  if (status === 0) {
    await marker.end(DeployOutcome.SUCCEEDED);
    return 0;
  }
  const output = engineOutput.join('');
  const changedFiles = filesMayHaveChanged(output);
  await marker.end(changedFiles ? DeployOutcome.UNFINISHED : DeployOutcome.CHANGED_NOTHING);
  process.stderr.write(explainFailure({
    facts,
    engineOutput: output,
    markerLeft: !changedFiles && fs.existsSync(facts.marker),
    lockTimeout: lockTimeout(process.env),
    waitedMs: Date.now() - started,
  }));
  process.stderr.write(`chariot-tls: the engine's full output is in ${display.logFile}\n`);
  return status;
}

/** What to deploy, and where the synthesized stack goes. */
export interface DeployOptions {
  /** The configuration, loaded. */
  readonly config: AppConfig;
  /**
   * The cdktf output directory; the engine's log (`deploy.log`) goes there too.
   * @default 'cdktf.out'
   */
  readonly outdir?: string;
  /**
   * How much to print: by default a progress line and the summary, the engine's output in the log.
   * @default Verbosity.NORMAL
   */
  readonly verbosity?: Verbosity;
  /**
   * With `siteStates`, the sites to deploy (`--site`), configured ones (app/commands/deploy.ts checks them); the CAs'
   * stack is deployed as always.
   * @default - every site
   */
  readonly sites?: readonly string[];
}

/**
 * The deploy proper, on the synthesized stack: says what it is about to deploy, plans, reviews and applies (app/engine.ts),
 * then writes the PKCS#12 files (key stores, and each server's client trust store) when the configuration asks for them and every CA's CRL (app/revocation.ts), and prints a summary: what was created,
 * renewed or left alone, where the files are, what expires first and when the next renewal is due.
 */
async function deployFiles(app: SynthesizedForDeploy, options: DeployOptions, hooks: EngineHooks): Promise<number> {
  const { config, verbosity } = options;
  // Check the password before the engine runs, so a missing one costs nothing.
  const password = config.pkcs12 && pkcs12Password(process.env, config.pkcs12.passwordEnv);
  const keyPassword = config.encryptedClientKeys && clientKeyPassword(process.env, config.encryptedClientKeys.passwordEnv);
  const pki = app.pki;
  const inventory = PkiInventory.of(pki);
  // The folder is this PKI's from its first deploy on, even one cut short; a configuration that did not synthesize claims nothing.
  claimOutputDirectory(pki.outputDirectory, config);
  // Other sites' files may change meanwhile, by deploys of their own: this one's summary leaves them as they are.
  const others = otherSitesKeys(inventory, config.siteStates ? sitesOf(options) : undefined);
  const before = snapshot(inventory, pki.outputDirectory);
  const filesBefore = fileDigests(inventory, pki.outputDirectory);
  const damaged = damagedPemFiles(inventory, pki.outputDirectory).filter((file) => !others.has(file));

  if (verbosity === Verbosity.VERBOSE) console.log(formatStart(inventory, pki.outputDirectory));
  // A revoked client's serial is recorded before the engine destroys its certificate, and listed in the inventory.
  const readEngineState = () => readState({ ...app, ...hooks });
  const { revocation, inventoryDirectory } = config;
  if (config.externalRoot) await refuseLostSignedCertificates(pki, config.externalRoot, readEngineState);
  // With siteStates a revoked site client is in its site's state: the sites this deploy holds that may hold it are
  // read too; one in a site it does not deploy (`--site`) is left to that site's deploy.
  const outdir = path.dirname(path.dirname(app.stackDir));
  const own = new Set(sitesOf(options));
  const revokedHere = config.siteStates ? revokedInOwnSites(revocation.revoked, [...own], pki.sites.map((s) => s.name), pki.outputDirectory) : revocation.revoked;
  const siteSynth = { config, pki, caSynthesized: app.synthesized, outdir };
  const revokedState = (names: string[]) => (config.siteStates
    ? readStateWithSites(readEngineState, siteSynth, hooks, (sites) => sitesWithClientFolders(names, sites.filter((s) => own.has(s)), pki.outputDirectory))
    : readEngineState());
  const revoked = await recordRevocations(revokedHere, inventoryDirectory, pki.outputDirectory, revokedState, new Date());
  if (revoked.length > 0) writeInventory(pki, inventoryDirectory);
  // Encrypting plain state needs the engine to write it, even when nothing else changes.
  const rewriteState = config.stateEncryption.enabled && config.stateEncryption.migrateFromUnencrypted;
  const caKeys = caKeysOption(config.caKeyFiles, pki, true);
  let review: CertificateReview[] = [];
  const onReview = (reviewed: CertificateReview[]) => { review = reviewed; };
  const leftBehind = siteStatesLeftBehind(config);
  if (leftBehind !== undefined) {
    process.stderr.write(`${leftBehind}\n`);
    return 1;
  }
  if (config.siteStates) {
    const caSites = async () => synthesizeSites({ config, pki, caSynthesized: app.synthesized, caState: await readEngineState(), outdir });
    for (const note of await moveSitesIntoTheirStates({ ...app, ...hooks }, pki, caSites)) console.log(note);
  }
  const refuse = config.siteStates ? siteClientsLeavingMainState : siteWorkspacesLeftBehind(config, app.synthesized);
  // With siteStates, the CAs' stack is planned only when something can have changed there (app/ca-stack-record.ts).
  const caRecord = CaStackRecord.of(config, app.stackDir);
  const why = caRecord?.whyPlan(new Date());
  if (caRecord !== undefined && why === undefined) {
    hooks.display.log('chariot-tls: the CAs\' stack: its stack, state, files and renewal date as its last deploy left them; not planned\n');
    hooks.display.summary(formatPlanSummary([]));
  } else {
    if (caRecord !== undefined) hooks.display.log(`chariot-tls: the CAs' stack: planned: ${why}\n`);
    caRecord?.forget();
    const status = await planAndApply({ ...app, outputDirectory: pki.outputDirectory, apply: true, rewriteState, caKeys, onReview, refuse, ...hooks });
    if (status !== 0) return status;
    if (review.some((c) => c.action === CertificateChange.DESTROYED)) dropDestroyedKeysFromBackup(hooks.localStateFile);
    // The engine ran under umask 077: certificates and folders get their declared modes (0644, 0755) only now.
    applyDeclaredModes(app.synthesized, pki.outputDirectory);
    caRecord?.record();
  }
  // Sites in their own state: signed once the CAs are applied, from the CAs' state (app/site-states.ts). While an
  // issuing CA waits for the enterprise's signature the hierarchy has no site: none is deployed, its state kept.
  if (config.siteStates) {
    const sites = await deployEverySite(app, { config, sites: [...own].filter((site) => pki.sites.some((s) => s.name === site)) }, hooks, readEngineState);
    review = [...review, ...sites.review];
    if (sites.status !== 0) return sites.status;
  }

  // The engine declares no encrypted key file: each is written now, from the key in the state (a site client's in
  // its site's), before PKCS#12 reads it.
  const keysState = (clients: LeafCertificate[]) => (config.siteStates
    ? readStateWithSites(readEngineState, siteSynth, hooks, (sites) => {
      const holding = sitesOfClients(pki, clients);
      return sites.filter((site) => holding.has(site));
    })
    : readEngineState());
  // A `--site` deploy leaves the other sites' key files to their own deploys.
  const otherSitesClients = new Set(pki.sites.filter((s) => !own.has(s.name)).flatMap((s) => s.transmissionClients));
  const clientKeys = keyPassword === undefined ? [] : await writeEncryptedClientKeys(pki, keysState, keyPassword, otherSitesClients);
  const relative = (f: string) => path.relative(pki.outputDirectory, f).split(path.sep).join('/');
  const pkcs12Files = password === undefined ? [] : pkcs12Targets(inventory, pki.outputDirectory);
  // Another site's key stores are its own deploy's to write: its engine may be writing that key now.
  const pkcs12 = password === undefined ? undefined : pkcs12Files.filter((t) => !others.has(relative(t.keyFile))).map((t) => writePkcs12(t, password, keyPassword));
  // Each server's client CAs as a Java trust store, under the same password (app/trust-store.ts says why).
  const trustStoreFiles = password === undefined ? [] : trustStoreTargets(inventory, pki.outputDirectory);
  const trustStores = password === undefined ? undefined : trustStoreFiles.map((t) => ({ file: t.file, outcome: writeTrustStore(t, password) }));
  removeRevokedClientFiles(revokedHere, pki.outputDirectory);
  removeOrphanFiles(pki.outputDirectory);
  removeEmptyFolders(pki.outputDirectory);
  // The state read after the apply: a CA created by it has its key there only now.
  const stateKeys = caKeysFromState(readEngineState, app.synthesized);
  const keys = caKeys?.crlKeys(stateKeys) ?? stateKeys;
  const crls = await publishCrls({ pki, record: readRevocationRecord(inventoryDirectory), policy: revocation.crl, keys, now: new Date() });
  // The folder now holds this PKI's files, and says so: the roots, and every file for `npm run destroy`.
  const driverFiles = [...crls.map((c) => c.file), serverCrlFile(pki), ...pkcs12Files.map((t) => t.file), ...trustStoreFiles.map((t) => t.file)]
    .filter((f): f is string => f !== undefined && fs.existsSync(f)).map(relative);
  recordOwner(inventory, pki.outputDirectory, config, driverFiles);
  const filesAfter = fileDigests(inventory, pki.outputDirectory);
  const changed = changedFiles(leftToOtherDeploys(filesBefore, filesAfter, others), filesAfter);
  const firstWritten = firstWrittenFiles(filesBefore, changed);
  // The trust stores are no inventory file: each is changed when rewritten, first written when there was none.
  for (const t of trustStores ?? []) {
    if (t.outcome !== Pkcs12Outcome.UNCHANGED) changed.add(relative(t.file));
    if (t.outcome === Pkcs12Outcome.CREATED) firstWritten.add(relative(t.file));
  }
  const after = snapshot(inventory, pki.outputDirectory);
  const summary = {
    ...summarize(inventory, pki.outputDirectory, leftToOtherDeploys(before, after, others), after, { damaged, changedFiles: changed, review }),
    pkcs12,
    trustStores: trustStores?.map((t) => t.outcome),
    logFile: hooks.display.logFile,
    handOuts: handOuts(inventory, changed, { listLimit: hooks.display.listLimit, firstWritten }),
  };
  console.log(`${verbosity === Verbosity.VERBOSE ? '\n' : ''}${formatSummary(summary, new Date())}`);
  const written = clientKeys.filter((k) => k.written).length;
  if (written > 0) console.log(`client keys: wrote ${written} encrypted private.key file(s) (PKCS#8, AES-256-CBC; password from ${config.encryptedClientKeys!.passwordEnv})`);
  const revocationLines = formatRevocations(revoked, crls, pki.outputDirectory, verbosity === Verbosity.VERBOSE);
  if (revocationLines !== '') console.log(revocationLines);
  const enterprise = config.externalRoot && formatExternalRoot(pki, config.externalRoot, config.configFile ? path.dirname(config.configFile) : process.cwd());
  if (enterprise) console.log(enterprise);
  return 0;
}

/**
 * Private keys live in state: a local state file (and the engine's `.backup` of it) is for its owner only. The
 * engine creates them under umask 077 (app/engine.ts), so they are 0600 from their first byte; this narrows
 * those an older version or another tool left wider, and creates the state's folder. Creates no state file: a
 * missing one must stay missing for the lost state guard. Does nothing for a remote backend.
 */
export function keepStatePrivate(stateFile: string | undefined): void {
  if (stateFile === undefined) return;
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
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
  /** The engine changed no file, yet the marker stays: another deploy, unfinished or running, is listed in it. */
  readonly markerLeft: boolean;
  /** How long the deploy waited for the state lock at most ({@link lockTimeout}). */
  readonly lockTimeout: string;
  /** How long the deploy ran before it failed, in milliseconds. */
  readonly waitedMs: number;
}

/** Whether the engine said it was about to touch a resource, a file among them ("Creating...", "Modifying...", "Destroying..."). */
export function filesMayHaveChanged(engineOutput: string): boolean {
  return CHANGING.test(engineOutput);
}

/**
 * Explains a failed deploy from what the engine printed, for stderr: the cause when it is one we know (a wrong
 * passphrase, plain state under enforced encryption, an unreadable state, a lock held too long or refused at
 * once, a stale plan), else "See the error above."; and whether files may have changed ({@link filesMayHaveChanged}).
 */
export function explainFailure(failed: FailedDeploy): string {
  const { outputDirectory, marker } = failed.facts;
  const known = REASONS.find((r) => r.pattern.test(failed.engineOutput));
  const reason = known ? known.reason(failed.lockTimeout, failed.waitedMs) : 'See the error above.';
  let touched: string;
  if (filesMayHaveChanged(failed.engineOutput)) {
    touched = `Files in ${outputDirectory} may be a mix of old and new, or missing; ${marker} says so until a deploy succeeds.`;
  } else {
    touched = 'No file was changed by this deploy.';
    if (failed.markerLeft) touched += ` ${marker}, left by a deploy that has not finished, stays until a deploy succeeds.`;
  }
  return `\nchariot-tls: deploy failed. ${reason}\nchariot-tls: ${touched} Run \`npm run deploy\` again once the cause is fixed.\n`;
}

/** An engine duration (`30s`, `5m`, `1h30m`, `500ms`) in milliseconds; 0 when it cannot be read. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.map((p) => p[0]).join('') !== text) return 0;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
}
