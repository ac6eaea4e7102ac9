import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { loadConfig } from '../app/config';
import { INVENTORY_JSON_FILE, INVENTORY_MARKDOWN_FILE, renderInventory } from '../app/inventory';
import { ChariotTlsStack } from '../app/stack';
import { STACK } from '../app/synth';

const EXAMPLES = path.resolve(__dirname, '..', 'examples', 'default-inventory');
const PROJECT = path.resolve(__dirname, '..');

describe("the default configuration's inventory, shipped under examples/default-inventory/", () => {
  // A project without chariot-tls.json: the default configuration, its inventory beside it.
  const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-example-inventory-'));
  const config = loadConfig({}, projectDir);
  const stack = new ChariotTlsStack(new App({ outdir: path.join(projectDir, 'cdktf.out') }), STACK, config);
  const rendered = renderInventory(stack.pki, config.inventoryDirectory);

  test.each([INVENTORY_MARKDOWN_FILE, INVENTORY_JSON_FILE])('examples/default-inventory/%s is what a synth of the default configuration writes (copy it from a fresh synth when this fails)', (name) => {
    expect(rendered[name]).toBe(fs.readFileSync(path.join(EXAMPLES, name), 'utf8'));
  });

  test("the project's own tree holds no inventory, so a user's first synth writes one without touching a shipped file", () => {
    expect(fs.existsSync(path.join(PROJECT, INVENTORY_MARKDOWN_FILE)) && isTracked(INVENTORY_MARKDOWN_FILE)).toBe(false);
    expect(fs.existsSync(path.join(PROJECT, INVENTORY_JSON_FILE)) && isTracked(INVENTORY_JSON_FILE)).toBe(false);
  });
});

/** Whether git tracks the file at the project's top level. */
function isTracked(file: string): boolean {
  try {
    execFileSync('git', ['ls-files', '--error-unmatch', file], { cwd: PROJECT, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
