import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { runCli } from '../app/command-line';
import { COMMANDS } from '../app/commands';
import { loadConfig } from '../app/config';
import { ChariotTlsStack } from '../app/stack';

/** A project with `staging.json` (output and state inside it), as the destroy command sees it. */
function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-destroy-'));
  fs.writeFileSync(path.join(dir, 'staging.json'), JSON.stringify({ engineClients: ['e'], outputDirectory: 'pki', backend: { type: 'local', path: 'staging.tfstate' } }));
  return dir;
}

async function destroy(dir: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(['destroy', '--config', 'staging.json', ...args], COMMANDS, {
    stdout: () => {}, stderr: (t) => (stderr += t), env: {}, cwd: dir, projectDir: dir, now: new Date(),
  });
  return { code, stderr };
}

/** `lifecycle.prevent_destroy` of every private key in the synthesized stack, by resource name. */
function preventDestroy(unprotectCaKeys: boolean): boolean[] {
  const dir = project();
  const app = new App({ outdir: path.join(dir, 'out') });
  const config = loadConfig({ CHARIOT_TLS_CONFIG: 'staging.json' }, dir);
  new ChariotTlsStack(app, 'chariot-tls', config, { unprotectCaKeys });
  app.synth();
  const synthesized = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'stacks', 'chariot-tls', 'cdk.tf.json'), 'utf8'));
  return Object.entries<any>(synthesized.resource.tls_private_key).filter(([name]) => /_ca_|root-ca|-ca_/.test(name)).map(([, key]) => key.lifecycle?.prevent_destroy);
}

describe('npm run destroy', () => {
  test('without a terminal and without --confirm it is refused in our words, before anything is synthesized', async () => {
    const dir = project();
    const result = await destroy(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('chariot-tls: refused: destroy removes every key, certificate and file of environment "staging"');
    expect(result.stderr).toContain('pass --confirm staging.\nNothing was changed.\n');
    expect(fs.existsSync(path.join(dir, 'pki'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'pki-inventory.json'))).toBe(false);
  });

  test('a name other than the environment\'s is refused', async () => {
    const result = await destroy(project(), '--confirm', 'production');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"production" is not the name of this environment ("staging")');
  });

  test('the stack it synthesizes lifts the CA keys\' prevent_destroy; the deploy\'s keeps it', () => {
    expect(preventDestroy(false)).toEqual([true, true, true, true]);
    expect(preventDestroy(true)).toEqual([false, false, false, false]);
  });
});
