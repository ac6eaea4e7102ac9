import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Reading `PKI-OWNER.json`, the file that says which PKI an output directory holds (app/output-owner.ts writes and
 * checks it). Apart from the rest, with no construct code, so the package's `chariot-tls inspect` can read it too.
 */

/** The owner file's name in the output directory. */
export const OWNER_FILE = 'PKI-OWNER.json';
/** Bumped when a field of the owner file changes meaning or is removed. */
export const OWNER_FORMAT_VERSION = 1;

/** What `PKI-OWNER.json` holds. */
export interface OutputOwner {
  readonly formatVersion: number;
  /** The state the PKI lives in: `local:/ABSOLUTE/PATH` or `pg:SCHEMA`; the folder's owner is this state. */
  readonly state: string;
  /** The configuration file it was last deployed from (absolute), or null for the project's default configuration. */
  readonly configFile: string | null;
  /** SHA-256 fingerprints of its root certificates (as `openssl x509 -fingerprint -sha256` prints them); empty until the first deploy has finished. */
  readonly rootFingerprints: string[];
  /** The files the PKI wrote, relative to the output directory, sorted; empty until the first deploy has finished. */
  readonly files: string[];
}

/**
 * The owner file of `outputDirectory`.
 * @returns undefined when there is none (a new folder, or one deployed by a release before owner files)
 * @throws when it is there but not an owner file: what it says cannot be trusted either way
 */
export function readOwner(outputDirectory: string): OutputOwner | undefined {
  const file = path.join(outputDirectory, OWNER_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const owner = parseOwner(text);
  if (owner === undefined) throw new OwnerFileError(file);
  return owner;
}

/** The owner file is there and unreadable. */
export class OwnerFileError extends Error {
  constructor(readonly file: string) {
    super(`${file} is not a PKI-OWNER.json written by chariot-tls (cut short or edited)`);
  }
}

function parseOwner(text: string): OutputOwner | undefined {
  try {
    const json = JSON.parse(text);
    const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
    const ok = typeof json?.state === 'string' && (json.configFile === null || typeof json.configFile === 'string')
      && strings(json.rootFingerprints) && strings(json.files);
    return ok ? json : undefined;
  } catch {
    return undefined;
  }
}

/** Which PKI a folder holds, as `npm run inspect` reports it (its first line, and `owner` in `--json`). */
export interface FolderOwner {
  /** What the owner file says, null without a readable one. */
  readonly owner: Pick<OutputOwner, 'state' | 'configFile' | 'rootFingerprints'> | null;
  /** The end of the first line: `, PKI of state local:/x/terraform.tfstate (configuration /x/chariot-tls.json)`; '' without an owner file. */
  readonly text: string;
}

/** {@link FolderOwner} of `outputDirectory`. */
export function folderOwner(outputDirectory: string): FolderOwner {
  try {
    const owner = readOwner(outputDirectory);
    if (owner === undefined) return { owner: null, text: '' };
    const { state, configFile, rootFingerprints } = owner;
    return { owner: { state, configFile, rootFingerprints }, text: `, PKI of state ${state}${configFile ? ` (configuration ${configFile})` : ''}` };
  } catch (e) {
    if (!(e instanceof OwnerFileError)) throw e;
    return { owner: null, text: `, ${OWNER_FILE} unreadable (cut short or edited): whose PKI this is is unknown` };
  }
}
