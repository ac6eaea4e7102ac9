import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { INCOMPLETE_MARKER } from './incomplete-marker';
import { isRunning } from './processes';

export { INCOMPLETE_MARKER };

/** Heads the list of deploys in the marker, one line each, that a deploy updates under a lock. */
const ENTRIES_HEADING = 'Deploys not finished (each removes its own line when it ends; one that succeeds also removes those of deploys that are gone):';
const ENTRY = /^deploy (\d+) on (\S+) started (\S+)$/;
/** Marks a folder whose first deploy has not finished yet: its files were never a whole PKI. */
const FIRST_DEPLOY = 'This is the first deploy into this folder.';
/** Stands for a deploy of an older version, which wrote no list: only a deploy that succeeds removes it. */
const EARLIER: Entry = { pid: 0, host: '(earlier-version)', started: '(unknown)' };

/** How a deploy ends, for its marker. */
export enum DeployOutcome {
  /** Every file is as the state says: remove this deploy's line and those of deploys that are gone. */
  SUCCEEDED = 'succeeded',
  /** It failed before the engine changed a file: remove this deploy's line only. */
  CHANGED_NOTHING = 'changed-nothing',
  /** It failed or was interrupted while writing: its line stays until a deploy succeeds. */
  UNFINISHED = 'unfinished',
}

/** One line of the marker's list. */
interface Entry {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

/**
 * `DEPLOY-INCOMPLETE` of one output directory, shared by every deploy that may be writing there: each deploy adds
 * its line before the engine runs and the file goes only when no deploy that may still write is listed, so a
 * deploy that finishes while another waits for the state lock leaves the marker to the other.
 */
export class DeployMarker {
  /** The marker file. */
  public readonly file: string;
  private readonly self: Entry;

  constructor(outputDirectory: string, started = new Date()) {
    this.file = path.join(outputDirectory, INCOMPLETE_MARKER);
    this.self = { pid: process.pid, host: os.hostname(), started: isoSeconds(started) };
  }

  /**
   * Adds this deploy to the marker, creating it when there is none. `firstDeploy`: the folder holds no PKI yet;
   * kept as long as the marker stays, so a first deploy that was cut short is known as one by the next.
   * Resolves to whether the folder is still waiting for its first deploy to finish.
   */
  public async begin(firstDeploy: boolean): Promise<boolean> {
    return this.update((state) => ({ entries: [...state.entries, this.self], firstDeploy: state.exists ? state.firstDeploy : firstDeploy }));
  }

  /** Records how this deploy ended; removes the file when no deploy that may be writing is listed any more. */
  public async end(outcome: DeployOutcome): Promise<void> {
    if (outcome === DeployOutcome.UNFINISHED) return;
    await this.update((state) => {
      const others = state.entries.filter((e) => !same(e, this.self));
      const entries = outcome === DeployOutcome.SUCCEEDED ? others.filter(isRunningHere) : others;
      return { entries, firstDeploy: outcome === DeployOutcome.SUCCEEDED ? false : state.firstDeploy };
    });
  }

  /** Reads, changes and writes the marker under a lock beside it; resolves to `firstDeploy` as written. */
  private async update(change: (state: MarkerState) => { entries: Entry[]; firstDeploy: boolean }): Promise<boolean> {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const release = await lockfile.lock(this.file, {
      realpath: false,
      retries: { retries: 50, minTimeout: 100, maxTimeout: 200 },
      stale: 10_000,
      onCompromised: () => {},
    });
    try {
      const next = change(readMarker(this.file));
      if (next.entries.length === 0) {
        fs.rmSync(this.file, { force: true });
      } else {
        // Written to a temporary file and renamed, so the marker is never missing or half-written.
        const tmp = `${this.file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, markerText(next.entries, next.firstDeploy));
        fs.renameSync(tmp, this.file);
      }
      return next.firstDeploy;
    } finally {
      await release();
    }
  }
}

/** The marker as read: whether it exists, the deploys it lists, and whether the folder awaits its first deploy. */
interface MarkerState {
  readonly exists: boolean;
  readonly entries: Entry[];
  readonly firstDeploy: boolean;
}

function readMarker(file: string): MarkerState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { exists: false, entries: [], firstDeploy: false };
  }
  const lines = text.split('\n');
  const entries = lines.flatMap((line): Entry[] => {
    const m = ENTRY.exec(line);
    return m ? [{ pid: Number(m[1]), host: m[2], started: m[3] }] : [];
  });
  // A marker without a list (an older version, or edited by hand) stands for an unfinished deploy.
  if (entries.length === 0) entries.push(EARLIER);
  return { exists: true, entries, firstDeploy: lines.includes(FIRST_DEPLOY) };
}

/**
 * What `DEPLOY-INCOMPLETE` says: when and where the earliest unfinished deploy started, not to copy the files
 * anywhere, and the list of deploys that may be writing.
 */
export function markerText(entries: Entry[], firstDeploy: boolean): string {
  const first = entries[0];
  return [
    `A chariot-tls deploy started at ${first.started} on ${first.host} has not finished.`,
    'The files in this directory may be a mix of old and new certificates and keys, or be missing:',
    'do not copy them to Chariot, MQTT Engine or MQTT Transmission. Run `npm run deploy` again;',
    'it completes the set and removes this file.',
    '',
    ...(firstDeploy ? [FIRST_DEPLOY] : []),
    ENTRIES_HEADING,
    ...entries.map((e) => `deploy ${e.pid} on ${e.host} started ${e.started}`),
    '',
  ].join('\n');
}

function same(a: Entry, b: Entry): boolean {
  return a.pid === b.pid && a.host === b.host && a.started === b.started;
}

/** A deploy on this machine whose process is still there. */
function isRunningHere(entry: Entry): boolean {
  return entry.host === os.hostname() && isRunning(entry.pid);
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}
