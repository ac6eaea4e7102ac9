import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChariotPki, FileKind, InventoryCertificate, LeafCertificate, PkiInventory } from '../lib';

/** The inventory for people, reviewed in pull requests. */
export const INVENTORY_MARKDOWN_FILE = 'pki-inventory.md';
/** The same inventory for machines. */
export const INVENTORY_JSON_FILE = 'pki-inventory.json';

/** The two inventory files' names and contents. */
export function renderInventory(pki: ChariotPki, inventoryDirectory: string): Record<string, string> {
  const inventory = PkiInventory.of(pki, { inventoryDirectory });
  return {
    [INVENTORY_MARKDOWN_FILE]: inventory.toMarkdown(),
    [INVENTORY_JSON_FILE]: `${JSON.stringify(inventory.toJson(), null, 2)}\n`,
  };
}

/**
 * Writes `pki-inventory.md` and `pki-inventory.json` into `inventoryDirectory`, leaving a file untouched
 * when its content is unchanged. Returns the paths of the files written.
 */
export function writeInventory(pki: ChariotPki, inventoryDirectory: string): string[] {
  fs.mkdirSync(inventoryDirectory, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of Object.entries(renderInventory(pki, inventoryDirectory))) {
    const file = path.join(inventoryDirectory, name);
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) continue;
    fs.writeFileSync(file, content);
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
