import * as fs from 'node:fs';
import * as path from 'node:path';
import { CertificateChange } from './certificate-change';
import { CertificateReview } from './plan-review';

/** Set to `1` to let a deploy start a new PKI (new root and intermediates) where one is already deployed. */
export const ALLOW_NEW_PKI_ENV = 'CHARIOT_TLS_ALLOW_NEW_PKI';
/** The folder of the CA certificates under an output directory (`ca/ca.crt`, `ca/server/server-ca.crt`, ...). */
const CA_FOLDER = 'ca';

/**
 * The files that show that `outputDirectory` holds a PKI deployed by this tool, relative to it: the CA
 * certificates (every generation). Empty when it holds none. This is the one place that decides it: the lost
 * state guard and the output directory checks (app/output-directory.ts) both ask here.
 */
export function pkiEvidence(outputDirectory: string): string[] {
  const caFolder = path.join(outputDirectory, CA_FOLDER);
  if (!fs.statSync(caFolder, { throwIfNoEntry: false })?.isDirectory()) return [];
  return (fs.readdirSync(caFolder, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.crt') && fs.lstatSync(path.join(caFolder, f)).isFile())
    .map((f) => path.posix.join(CA_FOLDER, f.split(path.sep).join('/')))
    .sort();
}

/** What a local state file looks like before a deploy. */
export enum StateFileCondition {
  MISSING = 'missing',
  EMPTY = 'empty',
  /** Not JSON: cut short (a full disk, a copy interrupted) or not a state file. */
  UNREADABLE = 'unreadable',
  READABLE = 'readable',
}

/** Looks at a local state file without the engine. */
export function stateFileCondition(file: string): StateFileCondition {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return StateFileCondition.MISSING;
    throw e;
  }
  if (text.trim() === '') return StateFileCondition.EMPTY;
  try {
    JSON.parse(text);
    return StateFileCondition.READABLE;
  } catch {
    return StateFileCondition.UNREADABLE;
  }
}

/** What the lost state guard knows before the engine runs. */
export interface ExistingPki {
  /** The output directory (absolute). */
  readonly outputDirectory: string;
  /** {@link pkiEvidence} as the deploy found it; empty when the guard does not apply. */
  readonly evidence: string[];
  /** The state, in words: `the state file X is missing`, `... is empty`, `the state in PostgreSQL ...`. */
  readonly stateText: string;
  /** How to get the state back, in words. */
  readonly restoreText: string;
}

/**
 * Refuses a plan that creates CAs while the state holds none of this PKI's CAs, where the output directory
 * holds a deployed PKI: the state was lost, and applying would replace the root, the intermediates and every
 * file. Returns the refusal, or undefined when the plan may go on ({@link ALLOW_NEW_PKI_ENV} lets it).
 */
export function lostStateRefusal(review: CertificateReview[], existing: ExistingPki | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (existing === undefined || existing.evidence.length === 0 || env[ALLOW_NEW_PKI_ENV] === '1') return undefined;
  const cas = review.filter((c) => c.isCa);
  const created = cas.filter((c) => c.action === CertificateChange.CREATED);
  if (created.length === 0 || created.length < cas.length) return undefined;
  const shown = existing.evidence.slice(0, 4).join(', ') + (existing.evidence.length > 4 ? ', ...' : '');
  return [
    `chariot-tls: refused: ${existing.outputDirectory} holds a deployed PKI (${shown}), but ${existing.stateText}:`,
    `this deploy would create ${created.length === 1 ? 'a new CA' : `${created.length} new CAs`} (${created.map((c) => c.id).join(', ')}) and write new files over it.`,
    'Every Chariot server, MQTT Engine and MQTT Transmission that trusts the old CAs would stop connecting.',
    `Restore the state from its backup: ${existing.restoreText} Then run \`npm run plan\`: it shows no change when the state matches the files (docs/operate.md, "Backups of state").`,
    `To start a new PKI here on purpose (every product needs new files), run the deploy with ${ALLOW_NEW_PKI_ENV}=1.`,
    'Nothing was changed.',
  ].join('\n');
}

/** How to restore a local state file, naming the engine's `.backup` when it holds a readable state. */
export function localRestoreText(file: string): string {
  const backup = `${file}.backup`;
  const fromBackup = stateFileCondition(backup) === StateFileCondition.READABLE ? ` (the engine's previous version is in ${backup}, check it holds the CAs)` : '';
  return `copy your latest backup of the state to ${file}${fromBackup}.`;
}
