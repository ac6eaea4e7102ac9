import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChariotPki, PkiInventory } from '../lib';

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
