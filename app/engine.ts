import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { pendingSignalsHandled } from './cli';
import { ExistingPki, lostStateRefusal } from './existing-pki';
import { EngineDisplay, STREAMING } from './engine-display';
import { CaKeyHandover, CaKeysOption, formatOfflineRefusal, signingWithOfflineKey } from './ca-key-files';
import { removeKeyCopies, replacedForKeyCopy } from './key-copies';
import { isRunning } from './processes';
import { allowedCaChanges, formatProtectedKeyRefusal, formatRefusal, preventDestroyAddresses, refusedCaChanges } from './ca-refusals';
import { constructPaths, keyChange, keyFactsInState, keyFactsInSynthesized, reducePlan } from './plan-facts';
import { CertificateReview, reviewPlan } from './plan-review';
import { formatSummary } from './plan-summary';
import { applySteps, resourceCount } from './progress';

/** Where to also write the reduced, secret-free plan as JSON (for CI artefacts and test fixtures). */
export const PLAN_JSON_ENV = 'CHARIOT_TLS_PLAN_JSON';
/**
 * The Go garbage collector's target for the engine and its providers, unless `GOGC` is set: at 200 a plan of
 * hundreds of clients takes about 10 % less CPU than at Go's default 100, for about 40 % more memory (bench/RESULTS.md).
 */
const ENGINE_GOGC = '200';
/** Records what the stack was last initialised for, so a deploy runs `init` only when that changes. */
const INIT_STAMP = path.join('.terraform', 'chariot-tls-init.json');
/** Saved plans live in `<tmpdir>/chariot-tls-plan-<pid of the deploy or plan>-XXXXXX`, removed at the end. */
const PLAN_DIR_PREFIX = 'chariot-tls-plan-';
/** How long a second `init` waits for the first (two first deploys at once). */
const INIT_LOCK_WAIT_MS = 10 * 60_000;

/**
 * Runs the engine (`$2...`) under umask 077, so every file it or a provider creates (state, its `.backup`,
 * `errored.tfstate`, keys) is 0600 from its first byte, as the leader of its own process group. A watchdog in that
 * group ends the group (SIGINT, then SIGKILL 10 s later) when the driver (`$1`) is gone, so a driver killed with
 * SIGKILL leaves no engine or provider behind; it ends by itself with the engine.
 */
const ENGINE_WRAPPER = `umask 077
driver=$1
shift
(
  while kill -0 "$driver" && kill -0 $$; do sleep 1; done
  if kill -0 $$; then
    kill -INT -$$
    sleep 10
  fi
  kill -KILL -$$
) </dev/null >/dev/null 2>&1 &
exec "$@"`;

/** A synthesized stack for the engine to plan and, optionally, apply. */
export interface EngineRunOptions {
  /** The stack's working directory (`cdktf.out/stacks/chariot-tls`). */
  readonly stackDir: string;
  /** Its `cdk.tf.json`, parsed. */
  readonly synthesized: any;
  /** The PKI's output directory: file names in the reduced plan are relative to it. */
  readonly outputDirectory: string;
  /**
   * The product of each server and client certificate, by construct path under the stack, for the summary.
   * @default - the summary names no product
   */
  readonly productLabels?: ReadonlyMap<string, string>;
  /** Apply the reviewed plan; otherwise only plan and review. */
  readonly apply: boolean;
  /**
   * With `apply`, apply a plan with no changes too: the engine writes the state again, which is how plain state
   * gets encrypted (`stateEncryption.migrateFromUnencrypted`).
   * @default false
   */
  readonly rewriteState?: boolean;
  /**
   * Called with everything the engine prints, as it prints it (not `show -json`, which holds secrets): the
   * deploy reads its errors and whether it started changing files from this.
   * @default - the output is only printed
   */
  readonly onOutput?: (text: string) => void;
  /**
   * Once aborted, no further engine command starts: the next one throws {@link EngineInterrupted}. The running
   * one gets SIGINT (it runs in its own process group, out of reach of the terminal) and is left to end by itself.
   * @default - every step runs
   */
  readonly signal?: AbortSignal;
  /**
   * The PKI the output directory holds, for the lost state guard: a plan that would create every CA over it is
   * refused ({@link lostStateRefusal}).
   * @default - no guard (`npm run plan`, which changes nothing)
   */
  readonly existingPki?: ExistingPki;
  /**
   * Called with the review of the plan about to be applied (none when the plan has no changes): the deploy's
   * summary names each change as the plan did, counts what it destroyed, and tells a certificate the engine signs
   * from one whose files it only writes again.
   * @default - the review is only printed
   */
  readonly onReview?: (review: CertificateReview[]) => void;
  /**
   * Where the engine's output and our summary go: a log file and a progress line (app/engine-display.ts).
   * @default - the engine's output streams as it comes
   */
  readonly display?: EngineDisplay;
  /**
   * Hands the CA keys from their files to the engine before it plans (app/ca-key-files.ts), given the state
   * (`state pull`, holding secrets, in memory only).
   * @default - no CA key files
   */
  readonly caKeys?: Pick<CaKeysOption, 'directory' | 'handOver'>;
  /**
   * Only these resources (engine addresses) and what they use are planned (`-target`): a site whose other resources
   * the change detector has checked (app/site-targets.ts).
   * @default - the whole stack
   */
  readonly targets?: readonly string[];
  /**
   * One more refusal of a reviewed plan, after the CA refusals: the message, or `undefined` to go on.
   * @default - none
   */
  readonly refuse?: (review: CertificateReview[]) => string | undefined;
  /**
   * The engine workspace (`TF_WORKSPACE`) of every command but `init`: a site's state in PostgreSQL. `init` runs
   * without it, since the engine refuses to initialise into a workspace that does not exist while others do; the
   * first command after it that reads the state (`state pull`, `plan`) creates the workspace, empty.
   * @default - the environment's, `default` without one
   */
  readonly workspace?: string;
}

/** Thrown instead of starting an engine command after {@link EngineRunOptions.signal} was aborted. */
export class EngineInterrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'EngineInterrupted';
  }
}

/** What one engine command printed, and how it ended. */
interface EngineResult {
  /** The exit status; 1 when a signal ended the engine. */
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** How to run one engine command. */
interface RunOptions {
  /** Also copy its output to ours as it comes (apply: the progress of each resource). */
  readonly live?: boolean;
  /** Copy its stdout only to ours as it comes, through this filter (plan: what it refreshes and plans). */
  readonly liveStdout?: OutputFilter;
  /** Its stdout holds secrets (`show -json`): it is returned only, not passed to `onOutput`. */
  readonly secretStdout?: boolean;
  /** Written to its stdin (`state push -`), else the engine shares ours. */
  readonly input?: string;
}

/**
 * Plans into a private temporary file, prints the engine's plan and a summary in words, and (with
 * `apply`) applies exactly that plan. Stops, changing nothing, when the plan would give a CA a new key
 * or subject (app/plan-review.ts, app/ca-refusals.ts). The engine is `CHARIOT_TLS_ENGINE_BIN` (scripts/engine/env.sh
 * chooses it), else `tofu`. Resolves to the exit status.
 */
export async function planAndApply(options: EngineRunOptions): Promise<number> {
  const engine = new Engine(options);
  const init = await engine.initIfNeeded(options.synthesized);
  if (init.status !== 0) return fail(`${init.stdout}${init.stderr}`);
  const handover = options.caKeys && await options.caKeys.handOver(() => engine.pullState());
  if (handover) {
    for (const note of handover.notes) process.stdout.write(`${note}\n`);
    // The keys go to the engine's environment only, never to ours or to a command line.
    engine.env = handover.env;
  }
  return planReviewApply(engine, options, true, handover);
}

/**
 * `npm run destroy`: destroys every resource of the stack (`apply -destroy`) after init, the CA keys handed over as
 * for a deploy. The stack must be synthesized with the CA keys' `prevent_destroy` lifted (app/stack.ts), or the
 * engine refuses. Resolves to the exit status.
 */
export async function destroyStack(options: StateReadOptions & Pick<EngineRunOptions, 'caKeys'>): Promise<number> {
  const engine = new Engine(options);
  const init = await engine.initIfNeeded(options.synthesized);
  if (init.status !== 0) return fail(`${init.stdout}${init.stderr}`);
  const handover = options.caKeys && await options.caKeys.handOver(() => engine.pullState());
  if (handover) engine.env = handover.env;
  // Each resource is destroyed once: the progress line counts them down as for a deploy.
  engine.display.applying(new Map(Object.entries<any>(options.synthesized?.resource ?? {}).map(([type, blocks]) => [type, Object.keys(blocks).length])));
  const destroyed = await engine.run(['apply', '-destroy', '-auto-approve', '-input=false', ...engine.color], { live: true });
  if (destroyed.status !== 0) engine.display.applyFailed(destroyed.stderr);
  return destroyed.status;
}

/** {@link planAndApply} after init; `mayRemoveKeyCopies` once, so a state the removal did not fix is not tried again. */
async function planReviewApply(engine: Engine, options: EngineRunOptions, mayRemoveKeyCopies: boolean, handover?: CaKeyHandover): Promise<number> {
  const display = engine.display;

  // The saved plan holds private keys: it lives in a 0700 directory and is removed at the end; one left by a
  // killed deploy or plan is removed by the next.
  removeStalePlans();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${PLAN_DIR_PREFIX}${process.pid}-`));
  try {
    const planFile = path.join(tmp, 'plan');
    display.planning(resourceCount(options.synthesized));
    // Streamed, so a plan of hundreds of clients shows its progress; its errors are read before they are printed.
    const targets = (options.targets ?? []).map((address) => `-target=${address}`);
    const plan = await engine.run(['plan', '-input=false', '-detailed-exitcode', ...engine.color, ...targets, `-out=${planFile}`], { liveStdout: new WithoutSavedPlanAdvice() });
    if (plan.status === 1) return await planFailed(engine, options.synthesized, plan.stderr);
    process.stderr.write(plan.stderr);
    // Exit 0 is "no changes": applying that only rewrites the state, which encrypting plain state needs.
    const mustApply = options.apply && (plan.status !== 0 || options.rewriteState === true);
    // The progress streams to the user as the engine prints it.
    const apply = async (steps: Map<string, number>) => {
      display.applying(steps);
      const applied = await engine.run(['apply', '-input=false', ...engine.color, planFile], { live: true });
      if (applied.status !== 0) display.applyFailed(applied.stderr);
      return applied.status;
    };
    // With no changes, reviewing would read the whole plan for nothing.
    if (plan.status === 0 && !process.env[PLAN_JSON_ENV]) {
      display.summary(formatSummary([]));
      return mustApply ? await apply(new Map()) : 0;
    }
    // `show -json` prints secrets: it is parsed here and never printed.
    const shown = await engine.run(['show', '-json', planFile], { secretStdout: true });
    if (shown.status !== 0) return fail(shown.stderr);
    const reduced = reducePlan(JSON.parse(shown.stdout), options.synthesized, options.outputDirectory);
    const keyCopies = reduced.changes.filter(replacedForKeyCopy).length;
    if (keyCopies > 0 && options.apply && mayRemoveKeyCopies) {
      const removed = await engine.removeKeyCopies(options.synthesized);
      if (removed.status !== 0) return fail(removed.stderr);
      process.stdout.write(`\n${formatKeyCopiesRemoved(keyCopies)}`);
      return await planReviewApply(engine, options, false, handover);
    }
    const signing = handover ? signingWithOfflineKey(handover, options.synthesized, reduced.changes) : [];
    if (signing.length > 0) return fail(formatOfflineRefusal(handover!, signing, options.caKeys!.directory));
    if (keyCopies > 0) process.stdout.write(`\n${formatKeyCopiesPending(keyCopies)}`);
    if (process.env[PLAN_JSON_ENV]) fs.writeFileSync(process.env[PLAN_JSON_ENV]!, `${JSON.stringify(reduced, null, 2)}\n`);
    const review = reviewPlan(reduced, options.productLabels);
    options.onReview?.(review);
    display.summary(formatSummary(review, display.listLimit));
    options.onReview?.(review);
    const lostState = lostStateRefusal(review, options.existingPki, process.env);
    if (lostState !== undefined) return fail(lostState);
    const refused = refusedCaChanges(review, allowedCaChanges(process.env));
    if (refused.length > 0) return fail(formatRefusal(refused));
    const refusal = options.refuse?.(review);
    if (refusal !== undefined) return fail(refusal);
    return mustApply ? await apply(applySteps(reduced.changes)) : 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** What {@link readState} needs: the stack, and where the engine's messages go. */
export type StateReadOptions = Pick<EngineRunOptions, 'stackDir' | 'synthesized' | 'onOutput' | 'signal' | 'display' | 'workspace'>;

/**
 * Initialises the stack when it needs it, and runs nothing else; resolves to the exit status. The deploy of sites
 * initialises them one after another before their engines run at once: an init while another stack's engine starts
 * its providers from the shared plugin cache failed that engine now and then (`could not read package directory`).
 */
export async function initStack(options: StateReadOptions): Promise<number> {
  const init = await new Engine(options).initIfNeeded(options.synthesized);
  if (init.status !== 0) fail(`${init.stdout}${init.stderr}`);
  return init.status;
}

/**
 * The state as `show -json` prints it, parsed in memory: it holds every private key, so it is never printed, logged
 * or passed to `onOutput`. Initialises the stack first when it needs it. Revocation reads from it the serial of a
 * certificate about to be destroyed and, to sign a CRL, the CA's key.
 */
export async function readState(options: StateReadOptions): Promise<any> {
  const engine = new Engine(options);
  const init = await engine.initIfNeeded(options.synthesized);
  if (init.status !== 0) throw new Error(`the engine could not initialise the stack to read its state:\n${init.stdout}${init.stderr}`);
  const shown = await engine.run(['show', '-json', '-no-color'], { secretStdout: true });
  if (shown.status !== 0) throw new Error(`the engine could not read the state:\n${shown.stderr}`);
  return JSON.parse(shown.stdout);
}

/** The state as `state pull` prints it, after init: it holds every private key, and stays in memory. */
export async function pullRawState(options: StateReadOptions): Promise<any> {
  const engine = new Engine(options);
  const init = await engine.initIfNeeded(options.synthesized);
  if (init.status !== 0) throw new Error(`the engine could not initialise the stack to read its state:\n${init.stdout}${init.stderr}`);
  return engine.pullState();
}

/** Replaces the stack's state with `state` (`state push -`, through stdin), after init. */
export async function pushRawState(options: StateReadOptions, state: any): Promise<void> {
  const engine = new Engine(options);
  const init = await engine.initIfNeeded(options.synthesized);
  if (init.status !== 0) throw new Error(`the engine could not initialise the stack to write its state:\n${init.stdout}${init.stderr}`);
  const pushed = await engine.run(['state', 'push', '-'], { input: JSON.stringify(state) });
  if (pushed.status !== 0) throw new Error(`the engine could not write the state of ${options.stackDir}:\n${pushed.stderr}`);
}

/**
 * Deletes the engine workspace `name` (`workspace delete`) of a stack initialised already; the engine refuses one
 * whose state holds resources. Give no {@link EngineRunOptions.workspace}: the engine deletes no workspace it has
 * selected. Resolves to the exit status.
 */
export async function deleteWorkspace(options: StateReadOptions, name: string): Promise<number> {
  const deleted = await new Engine(options).run(['workspace', 'delete', '-no-color', name]);
  if (deleted.status !== 0) process.stderr.write(deleted.stderr);
  return deleted.status;
}

/** The engine binary, run in one stack's directory. */
class Engine {
  readonly binary = process.env.CHARIOT_TLS_ENGINE_BIN ?? 'tofu';
  // Logs and CI get plain text; a terminal that shows the engine's output gets its colours.
  readonly color: string[];

  readonly display: EngineDisplay;
  /** Added to the engine's environment (the CA keys' `TF_VAR_`s). */
  env: Record<string, string> = {};
  private readonly workspace?: string;
  private readonly stackDir: string;
  private readonly onOutput: (text: string) => void;
  private readonly signal?: AbortSignal;

  constructor(options: StateReadOptions) {
    this.stackDir = options.stackDir;
    this.onOutput = options.onOutput ?? (() => {});
    this.signal = options.signal;
    this.display = options.display ?? STREAMING;
    this.color = this.display.color ? [] : ['-no-color'];
    this.workspace = options.workspace;
  }

  async run(args: string[], options: RunOptions = {}): Promise<EngineResult> {
    // No new step starts after an interrupt, even one that came during synchronous work (synth, review).
    await pendingSignalsHandled();
    if (this.signal?.aborted) throw new EngineInterrupted();
    // The environment as set by now (the deploy adds the lock timeout to it).
    const env: NodeJS.ProcessEnv = { ...process.env, GOGC: process.env.GOGC || ENGINE_GOGC, ...this.env };
    // A site's state in PostgreSQL (see EngineRunOptions.workspace).
    if (this.workspace !== undefined) {
      if (args[0] === 'init') delete env.TF_WORKSPACE;
      else env.TF_WORKSPACE = this.workspace;
    }
    const child = spawn('/bin/sh', ['-c', ENGINE_WRAPPER, 'chariot-tls-engine', String(process.pid), this.binary, ...args], {
      cwd: this.stackDir, env, stdio: [options.input === undefined ? 'inherit' : 'pipe', 'pipe', 'pipe'], detached: true,
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    // Its own process group: a Ctrl-C reaches the driver only, which passes it on once.
    const interrupt = () => signalGroup(child.pid, 'SIGINT');
    this.signal?.addEventListener('abort', interrupt, { once: true });
    const stdout: string[] = [];
    const stderr: string[] = [];
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      stdout.push(text);
      if (options.live) this.display.live(text, 'stdout');
      if (options.liveStdout) this.display.live(options.liveStdout.push(text), 'stdout');
      if (options.secretStdout) return;
      this.onOutput(text);
      this.display.log(text);
    });
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr.push(text);
      if (options.live) this.display.live(text, 'stderr');
      this.onOutput(text);
      this.display.log(text);
    });
    const status = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? 1));
    }).finally(() => this.signal?.removeEventListener('abort', interrupt));
    if (options.liveStdout) this.display.live(options.liveStdout.end(), 'stdout');
    return { status, stdout: stdout.join(''), stderr: stderr.join('') };
  }

  /** The state as JSON (`state pull`): it holds secrets, and stays in memory. */
  async pullState(): Promise<any> {
    const pulled = await this.run(['state', 'pull'], { secretStdout: true });
    if (pulled.status !== 0) throw new Error(`the state could not be read:\n${pulled.stderr}`);
    return pulled.stdout.trim() === '' ? {} : JSON.parse(pulled.stdout);
  }

  /**
   * Removes the key copies that state written before write-only keys holds (app/key-copies.ts): pulls the state,
   * which holds secrets and stays in memory, and pushes it back with the copies gone.
   */
  async removeKeyCopies(synthesized: any): Promise<EngineResult> {
    const pulled = await this.run(['state', 'pull'], { secretStdout: true });
    if (pulled.status !== 0) return pulled;
    const state = JSON.parse(pulled.stdout);
    removeKeyCopies(state, synthesized);
    return this.run(['state', 'push', '-'], { input: JSON.stringify(state) });
  }

  /**
   * `init` reads the whole configuration (seconds for hundreds of clients), and only the `terraform` block
   * (providers, backend, encryption), the engine and its CLI config decide what it does: it is skipped
   * while those and the provider lock file are unchanged since the last successful init.
   */
  async initIfNeeded(synthesized: any): Promise<EngineResult> {
    const stamp = path.join(this.stackDir, INIT_STAMP);
    const lockFile = path.join(this.stackDir, '.terraform.lock.hcl');
    // Taken again after init: the lock file init writes is part of what it was run for.
    const digest = () => createHash('sha256').update(JSON.stringify({
      terraform: synthesized.terraform,
      engine: [this.binary, fileTime(this.binary)],
      cliConfig: [process.env.TF_CLI_CONFIG_FILE, fileTime(process.env.TF_CLI_CONFIG_FILE)],
      lockFile: fileTime(lockFile),
    })).digest('hex');
    const current = () => fileTime(lockFile) !== undefined && readIfExists(stamp) === digest();
    if (current()) return { status: 0, stdout: '', stderr: '' };
    // Two inits at once in one stack, or into one plugin cache, crash the engine: one at a time, and the
    // second skips its own when the first initialised the stack for the same configuration.
    fs.mkdirSync(path.join(this.stackDir, '.terraform'), { recursive: true });
    const release = await lockfile.lock(this.stackDir, {
      realpath: false,
      lockfilePath: initLockPath(this.stackDir),
      retries: { retries: INIT_LOCK_WAIT_MS / 1000, minTimeout: 1000, maxTimeout: 1000 },
      // A lock not refreshed for a minute belongs to a killed deploy; losing it costs nothing worse than the crash it prevents.
      stale: 60_000,
      onCompromised: () => {},
    });
    try {
      if (current()) return { status: 0, stdout: '', stderr: '' };
      const init = await this.run(['init', '-input=false', '-no-color']);
      if (init.status === 0) fs.writeFileSync(stamp, digest());
      return init;
    } finally {
      await release();
    }
  }
}

/** Passes an engine's output on as it comes, changed where it must be. */
export interface OutputFilter {
  /** What to print of this chunk now. */
  push(text: string): string;
  /** What to print when the output has ended. */
  end(): string;
}

/**
 * `tofu plan -out` ends with advice to `apply` the saved plan: not ours to give, since the deploy applies it itself
 * and removes the file. Passes every line through as it comes, except that line, what follows it and the blank
 * lines before it (held back until a line that is not blank comes). Works line by line: a chunk's unfinished
 * line waits for its end.
 */
export class WithoutSavedPlanAdvice implements OutputFilter {
  private partial = '';
  private blanks = '';
  private advice = false;

  push(text: string): string {
    const lines = (this.partial + text).split(/(?<=\n)/);
    this.partial = lines[lines.length - 1].endsWith('\n') ? '' : lines.pop()!;
    return lines.map((line) => this.line(line)).join('');
  }

  end(): string {
    const rest = this.partial === '' ? '' : this.line(this.partial);
    this.partial = '';
    return this.advice ? '' : rest + this.blanks;
  }

  private line(line: string): string {
    if (this.advice) return '';
    const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
    if (plain.includes('Saved the plan to:')) {
      this.advice = true;
      return '';
    }
    if (plain.trim() === '') {
      this.blanks += line;
      return '';
    }
    const out = this.blanks + line;
    this.blanks = '';
    return out;
  }
}

function formatKeyCopiesRemoved(count: number): string {
  return `chariot-tls: the state held a copy of a key in ${count} certificates and requests (written before keys were handed over write-only); removed them without re-signing anything, and planning again.\n`;
}

function formatKeyCopiesPending(count: number): string {
  return `chariot-tls: note: ${count} certificates and requests show as replaced only because the state still holds a copy of their key (written before keys were handed over write-only). The next deploy removes the copies from the state and re-signs none of them.\n`;
}

/** Translates the engine's `prevent_destroy` errors into the CA's name and change; other errors pass through. */
async function planFailed(engine: Engine, synthesized: any, stderr: string): Promise<number> {
  const addresses = preventDestroyAddresses(stderr);
  if (addresses.length === 0) return fail(stderr);
  const state = await engine.run(['show', '-json'], { secretStdout: true });
  const stateJson = state.status === 0 ? JSON.parse(state.stdout) : undefined;
  const paths = constructPaths(synthesized);
  return fail(formatProtectedKeyRefusal(addresses.map((address) => ({
    construct: path.posix.dirname(paths.get(address) ?? address),
    change: keyChange(keyFactsInState(stateJson, address), keyFactsInSynthesized(synthesized, address)),
  }))));
}

/**
 * Where init's lock lives: beside the plugin cache when there is one (shared by every stack on the machine),
 * else in the stack.
 */
function initLockPath(stackDir: string): string {
  const cache = process.env.TF_PLUGIN_CACHE_DIR;
  return cache ? `${path.resolve(cache)}.init.lock` : path.join(stackDir, '.terraform', 'init.lock');
}

/** Sends a signal to a process group, which may have ended already. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Ended meanwhile.
  }
}

/**
 * Removes saved plans (keys in plain text when state encryption is off) that a deploy or plan killed before its
 * cleanup left in the temporary directory: ours by name and owner, and only when the process that made one is gone.
 */
export function removeStalePlans(tmpdir = os.tmpdir()): string[] {
  const removed: string[] = [];
  for (const entry of fs.readdirSync(tmpdir)) {
    const pid = new RegExp(`^${PLAN_DIR_PREFIX}(\\d+)-`).exec(entry)?.[1];
    const dir = path.join(tmpdir, entry);
    if (pid === undefined || isRunning(Number(pid)) || !ownedByUs(dir)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

function ownedByUs(dir: string): boolean {
  const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
  return stat !== undefined && stat.isDirectory() && stat.uid === process.getuid?.();
}

/** A file's modification time (ms), or undefined when there is no such file; a bare command name is looked up on PATH. */
function fileTime(file: string | undefined): number | undefined {
  if (!file) return undefined;
  const candidates = file.includes('/') ? [file] : (process.env.PATH ?? '').split(':').map((dir) => path.join(dir, file));
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) return fs.statSync(candidate).mtimeMs;
  }
  return undefined;
}

/** A text file's content, or `undefined` when there is none. */
export function readIfExists(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

function fail(message: string): number {
  process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
  return 1;
}
