import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChariotPki, FileKind, InventoryCertificate, LeafCertificate, PkiInventory } from '../lib';
import { ConfigError } from './config';
import { REVOCATION_RECORD_FILE, RevokedCertificate, readRevocationRecord } from './revocation-record';

/** The inventory for people, reviewed in pull requests. */
export const INVENTORY_MARKDOWN_FILE = 'pki-inventory.md';
/** The same inventory for machines. */
export const INVENTORY_JSON_FILE = 'pki-inventory.json';

/**
 * The two inventory files' names and contents. The revoked certificates of the revocation record in the same
 * directory are listed last, one line each; an inventory with none is as it was before revocation existed.
 */
export function renderInventory(pki: ChariotPki, inventoryDirectory: string): Record<string, string> {
  const inventory = PkiInventory.of(pki, { inventoryDirectory });
  const revoked = readRevocationRecord(inventoryDirectory);
  const json = revoked.length === 0 ? inventory.toJson() : { ...inventory.toJson(), revoked };
  return {
    [INVENTORY_MARKDOWN_FILE]: inventory.toMarkdown() + revokedMarkdown(revoked),
    [INVENTORY_JSON_FILE]: `${JSON.stringify(json, null, 2)}\n`,
  };
}

/** The "Revoked certificates" section: one row per revoked serial, oldest first. */
function revokedMarkdown(revoked: RevokedCertificate[]): string {
  if (revoked.length === 0) return '';
  const cell = (text: string) => text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  return [
    '',
    '## Revoked certificates',
    '',
    `From \`${REVOCATION_RECORD_FILE}\`; each serial is listed in its CA's CRL (docs/operate.md, "Revoking a client").`,
    '',
    '| Client | Serial | Issuer | Revoked | Reason |',
    '| --- | --- | --- | --- | --- |',
    ...revoked.map((r) => `| ${cell(`${r.kind}/${r.name}`)} | \`${r.serial}\` | ${cell(r.issuer)} | ${r.revokedAt} | ${r.reason} |`),
    '',
  ].join('\n');
}

/**
 * Writes `pki-inventory.md` and `pki-inventory.json` into `inventoryDirectory`, leaving a file untouched
 * when its content is unchanged. Each is written to a temporary file and renamed over the old one, so a
 * symbolic link in its place is replaced, never followed onto its target. Returns the paths of the files written.
 */
export function writeInventory(pki: ChariotPki, inventoryDirectory: string): string[] {
  makeFolder(inventoryDirectory);
  const written: string[] = [];
  for (const [name, content] of Object.entries(renderInventory(pki, inventoryDirectory))) {
    const file = path.join(inventoryDirectory, name);
    const stat = fs.lstatSync(file, { throwIfNoEntry: false });
    if (stat?.isFile() && fs.readFileSync(file, 'utf8') === content) continue;
    if (stat?.isDirectory()) throw new ConfigError(`inventoryDirectory ${inventoryDirectory}: ${name} there is a folder; remove it, or set "inventoryDirectory" to another folder`);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.rmSync(tmp, { force: true });
    fs.writeFileSync(tmp, content, { flag: 'wx' });
    fs.renameSync(tmp, file);
    written.push(file);
  }
  return written;
}

/**
 * The absolute path of an inventoried certificate's file of this kind, under the output directory it was listed for.
 * @returns undefined when the certificate writes no such file
 */
export function inventoryFile(certificate: InventoryCertificate, kind: FileKind, outputDirectory: string): string | undefined {
  const found = certificate.files.find((f) => f.kind === kind);
  return found && path.resolve(outputDirectory, found.path);
}

/** The product of each server and client certificate under `pki`, by construct path below the stack (`pki/server`). */
export function productLabels(pki: ChariotPki): Map<string, string> {
  const leaves = pki.node.findAll().filter((c): c is LeafCertificate => c instanceof LeafCertificate);
  return new Map(leaves.map((c) => [c.node.path.split('/').slice(1).join('/'), c.product.name]));
}

/** Creates the inventory's folder; a file in the way is the configuration's problem, said in our words. */
function makeFolder(inventoryDirectory: string): void {
  try {
    fs.mkdirSync(inventoryDirectory, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw e;
    throw new ConfigError(`inventoryDirectory ${inventoryDirectory}: is a file, or lies under one, not a folder; remove the file, or set "inventoryDirectory" to a folder`);
  }
}
