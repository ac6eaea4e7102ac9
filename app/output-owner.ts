import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileKind, InventoryRole, PkiInventory } from '../lib';
import { AppConfig } from './config';
import { inventoryFile } from './inventory';
import { OWNER_FILE, OWNER_FORMAT_VERSION, OutputOwner, OwnerFileError, readOwner } from './owner-file';

/**
 * An output directory belongs to one PKI, and says so (docs/operate.md, "Environments"): `PKI-OWNER.json` names the
 * state the PKI lives in, the configuration it was deployed from, its root certificates' fingerprints and the files
 * it wrote. A deploy of another PKI into the folder is refused before anything is written ({@link ownerProblems});
 * `npm run destroy` removes only the files it lists.
 */

export { OWNER_FILE, readOwner } from './owner-file';

/** The state an environment lives in, as one string: two environments with the same one share their state. */
export function stateIdentity(config: AppConfig): string {
  return config.backend.type === 'local' ? `local:${config.backend.path}` : `pg:${config.backend.schemaName}`;
}

/**
 * What stops this configuration's PKI from being written into `outputDirectory`: its owner file names another state.
 * One line per problem, in the style of the deploy's other checks (app/preflight.ts); none for a folder with no owner
 * file (new, or deployed before owner files: the deploy then writes one).
 */
export function ownerProblems(outputDirectory: string, config: AppConfig): string[] {
  let owner: OutputOwner | undefined;
  try {
    owner = readOwner(outputDirectory);
  } catch (e) {
    if (!(e instanceof OwnerFileError)) throw e;
    return [`${e.message}; it says which PKI the folder holds. If the folder holds this configuration's PKI, remove the file (the next deploy writes it again); else set "outputDirectory" to a folder of its own`];
  }
  if (owner === undefined || owner.state === stateIdentity(config)) return [];
  return [
    `output directory ${outputDirectory} holds another PKI: its ${OWNER_FILE} names the state ${owner.state}` +
      `${owner.configFile ? ` (configuration ${owner.configFile})` : ''}${rootText(owner)}, and this configuration's state is ${stateIdentity(config)}. ` +
      'A deploy would write a second PKI\'s keys over the first one\'s files. Give this configuration an "outputDirectory" of its own; ' +
      `if it is the same PKI and only its state moved, remove ${OWNER_FILE} (the next deploy writes it again). Nothing was written`,
  ];
}

/** {@link ownerProblems} of the configuration's own output directory; none while the folder does not exist. */
export function foreignOutputProblems(config: AppConfig): string[] {
  const outputDirectory = config.pki.outputDirectory!;
  return fs.existsSync(outputDirectory) ? ownerProblems(outputDirectory, config) : [];
}

function rootText(owner: OutputOwner): string {
  return owner.rootFingerprints.length === 0 ? '' : `, root SHA-256 ${owner.rootFingerprints.join(' and ')}`;
}

/**
 * Claims `outputDirectory` for this configuration's PKI before the engine runs, when no owner file is there yet: a
 * first deploy cut short still names its owner. Leaves an owner file that is there as it is.
 */
export function claimOutputDirectory(outputDirectory: string, config: AppConfig): void {
  if (readOwner(outputDirectory) !== undefined) return;
  writeOwner(outputDirectory, { formatVersion: OWNER_FORMAT_VERSION, state: stateIdentity(config), configFile: config.configFile ?? null, rootFingerprints: [], files: [] });
}

/**
 * Records, after a deploy succeeded, the roots on disk and every file the PKI wrote: the inventory's files and
 * `extraFiles` (what the deploy writes beside the engine: CRLs, PKCS#12 files), relative to the output directory.
 */
export function recordOwner(inventory: PkiInventory, outputDirectory: string, config: AppConfig, extraFiles: string[]): void {
  const files = [...new Set([...inventory.certificates.flatMap((c) => c.files.map((f) => f.path)), ...extraFiles])].sort();
  const roots = inventory.certificates.filter((c) => c.role === InventoryRole.ROOT_CA).flatMap((c) => {
    const file = inventoryFile(c, FileKind.CERT, outputDirectory);
    return file && fs.existsSync(file) ? [new X509Certificate(fs.readFileSync(file)).fingerprint256] : [];
  });
  writeOwner(outputDirectory, { formatVersion: OWNER_FORMAT_VERSION, state: stateIdentity(config), configFile: config.configFile ?? null, rootFingerprints: roots, files });
}

/** Written whole or not at all (a temporary file renamed over it), readable by all: it holds no secret. */
function writeOwner(outputDirectory: string, owner: OutputOwner): void {
  const file = path.join(outputDirectory, OWNER_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ about: 'Written by chariot-tls: the PKI whose files this folder holds (docs/operate.md, "Environments").', ...owner }, null, 2)}\n`, { mode: 0o644 });
  fs.chmodSync(tmp, 0o644);
  fs.renameSync(tmp, file);
}
