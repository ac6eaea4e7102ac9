import * as fs from 'node:fs';
import * as path from 'node:path';
import { pkiEvidence } from './existing-pki';
import { INCOMPLETE_MARKER } from './deploy-marker';
import { OWNER_FILE } from './output-owner';

/** Written into the output directory so that git never picks up a key, wherever the directory is. */
export const GITIGNORE = '.gitignore';
const GITIGNORE_TEXT = '# Written by chariot-tls: certificates and private keys; never commit them.\n*\n';
/** What the deploy itself writes into the output directory before the engine runs, and its lock. */
const OWN_FILES = [GITIGNORE, INCOMPLETE_MARKER, `${INCOMPLETE_MARKER}.lock`, OWNER_FILE];

/**
 * What stops a deploy into `outputDirectory`: a file where the folder should be, or a folder that holds files
 * but no PKI of ours (its CA certificates, or the marker of an unfinished deploy): writing there could mix the
 * PKI with someone else's files, or overwrite them.
 */
export function deployTargetProblems(outputDirectory: string): string[] {
  const stat = fs.statSync(outputDirectory, { throwIfNoEntry: false });
  if (stat === undefined) return [];
  if (!stat.isDirectory()) return [`output directory ${outputDirectory} is a file, not a folder; remove it or set "outputDirectory" to a folder`];
  const entries = fs.readdirSync(outputDirectory);
  const foreign = entries.filter((e) => !OWN_FILES.includes(e));
  // A folder with an owner file is a PKI's: whose, app/output-owner.ts decides.
  if (foreign.length === 0 || entries.includes(INCOMPLETE_MARKER) || entries.includes(OWNER_FILE) || pkiEvidence(outputDirectory).length > 0) return [];
  const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ', ...' : '');
  return [`output directory ${outputDirectory} holds files (${shown}) but no PKI deployed by chariot-tls (no ca/*.crt); set "outputDirectory" to an empty or new folder`];
}

/** Writes `.gitignore` (`*`) into the output directory unless one is there, so that no key is ever committed. */
export function keepOutOfGit(outputDirectory: string): void {
  const file = path.join(outputDirectory, GITIGNORE);
  if (!fs.existsSync(file)) fs.writeFileSync(file, GITIGNORE_TEXT);
}

/**
 * Removes every empty folder below the output directory, deepest first (a removed client's folder, and its site's
 * when it was the last one there); the output directory itself stays. Links are not followed. Returns the folders
 * removed, relative.
 */
export function removeEmptyFolders(outputDirectory: string, relative = ''): string[] {
  const removed: string[] = [];
  const dir = path.join(outputDirectory, relative);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    removed.push(...removeEmptyFolders(outputDirectory, child));
    if (fs.readdirSync(path.join(outputDirectory, child)).length === 0 && removedIfStillEmpty(path.join(outputDirectory, child))) removed.push(child);
  }
  return removed;
}

/** Removes an empty folder; false when it is gone or no longer empty (a deploy of another site writes there now). */
function removedIfStillEmpty(dir: string): boolean {
  try {
    fs.rmdirSync(dir);
    return true;
  } catch (e) {
    if (!['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    return false;
  }
}
