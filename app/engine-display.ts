import * as fs from 'node:fs';
import * as path from 'node:path';
import { Verbosity } from './command-line';
import { EngineProgress } from './progress';

/** Where what the engine prints goes while app/engine.ts runs it, and where our words about it go. */
export interface EngineDisplay {
  /** The engine's output reaches a terminal as it comes, so it may be coloured. */
  readonly color: boolean;
  /** How many changed certificates the summary lists one by one. */
  readonly listLimit: number;
  /** Everything the engine printed that holds no secret (never `show -json`), as it comes. */
  log(text: string): void;
  /** What the engine printed for a person to watch as it comes (the plan, the apply), on its stream. */
  live(text: string, stream: 'stdout' | 'stderr'): void;
  /** The apply failed with this on stderr: the engine's own error text, which must reach the person in every mode. */
  applyFailed(stderr: string): void;
  /** Our summary in words of the plan. */
  summary(text: string): void;
  /** The plan starts: it reads back up to `resources` resources. */
  planning(resources: number): void;
  /** The apply starts: `steps` completions expected, by resource type. */
  applying(steps: Map<string, number>): void;
}

/** Today's behaviour for callers that pass no display: the engine's output streams as it comes. */
export const STREAMING: EngineDisplay = {
  color: process.stdout.isTTY === true,
  listLimit: Infinity,
  log: () => {},
  live: (text, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(text),
  applyFailed: () => {},
  summary: (text) => process.stdout.write(`\n${text}`),
  planning: () => {},
  applying: () => {},
};

/** A terminal or a log, as {@link TerminalDisplay} writes to it. */
export interface DisplayOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** A terminal: the progress line is rewritten in place; otherwise a plain line now and then. */
  readonly isTTY: boolean;
  /** Milliseconds since some fixed time (a clock the tests can drive). */
  readonly now: () => number;
}

/** How often a progress line is printed when the output is no terminal (a CI log), in milliseconds. */
export const PLAIN_PROGRESS_INTERVAL_MS = 10_000;
/** How many changed certificates the summary lists by default; the rest are counted. */
export const LIST_LIMIT = 20;
/** How often the progress line is redrawn on a terminal, in milliseconds. */
const TTY_REDRAW_MS = 100;

/**
 * The engine's output in a log file (mode 0600 from its first byte; it holds no key: `show -json` never reaches
 * it) and our own words on the terminal: one progress line that updates in place on a terminal, a plain line every
 * {@link PLAIN_PROGRESS_INTERVAL_MS} otherwise, then the summary. `--verbose` streams the engine's output as it
 * comes instead of the progress; `--quiet` prints no progress. The engine's error text is printed in every mode.
 */
export class TerminalDisplay implements EngineDisplay {
  readonly color: boolean;
  readonly listLimit: number;
  private readonly fd: number;
  private readonly progress = new EngineProgress();
  private shownAt = -Infinity;
  private lineShown = false;

  constructor(readonly logFile: string, private readonly verbosity: Verbosity, private readonly out: DisplayOutput) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.rmSync(logFile, { force: true });
    this.fd = fs.openSync(logFile, 'wx', 0o600);
    this.color = verbosity === Verbosity.VERBOSE && out.isTTY;
    this.listLimit = verbosity === Verbosity.VERBOSE ? Infinity : LIST_LIMIT;
  }

  log(text: string): void {
    fs.writeSync(this.fd, text);
    if (this.progress.push(text)) this.showProgress();
  }

  live(text: string, stream: 'stdout' | 'stderr'): void {
    if (this.verbosity === Verbosity.VERBOSE && text !== '') this.out[stream](text);
  }

  applyFailed(stderr: string): void {
    if (this.verbosity === Verbosity.VERBOSE) return;
    this.clearLine();
    this.out.stderr(stderr);
  }

  summary(text: string): void {
    this.clearLine();
    this.out.stdout(this.verbosity === Verbosity.VERBOSE ? `\n${text}` : text);
  }

  planning(resources: number): void {
    this.progress.planning(resources);
    this.phaseStarted();
  }

  applying(steps: Map<string, number>): void {
    this.progress.applying(steps);
    this.phaseStarted();
  }

  /** Ends the progress line and closes the log. */
  close(): void {
    this.clearLine();
    fs.closeSync(this.fd);
  }

  /** A terminal shows the new phase at once; a log gets its first line only once the phase has taken a while. */
  private phaseStarted(): void {
    this.shownAt = this.out.isTTY ? -Infinity : this.out.now();
  }

  private showProgress(): void {
    if (this.verbosity !== Verbosity.NORMAL) return;
    const now = this.out.now();
    if (now - this.shownAt < (this.out.isTTY ? TTY_REDRAW_MS : PLAIN_PROGRESS_INTERVAL_MS)) return;
    this.shownAt = now;
    if (this.out.isTTY) {
      this.out.stdout(`\r\x1b[Kchariot-tls: ${this.progress.text()}`);
      this.lineShown = true;
    } else {
      this.out.stdout(`chariot-tls: ${this.progress.text()}\n`);
    }
  }

  private clearLine(): void {
    if (!this.lineShown) return;
    this.out.stdout('\r\x1b[K');
    this.lineShown = false;
  }
}

/** A {@link TerminalDisplay} on this process's stdout and stderr, its log `<outdir>/<command>.log`. */
export function openDisplay(command: string, outdir: string, verbosity: Verbosity): TerminalDisplay {
  return new TerminalDisplay(path.resolve(outdir, `${command}.log`), verbosity, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    now: () => Date.now(),
  });
}
