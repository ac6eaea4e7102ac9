/**
 * The ready app with the plain cdktf CLI instead of `npm run deploy`: `cdktf deploy`, `cdktf diff` and `cdktf destroy`
 * through scripts/engine/run.sh (the engine's environment), on one small PKI in a temporary directory. What plain
 * cdktf skips (the CA review, DEPLOY-INCOMPLETE, PKCS#12, the summary) is in the README's table; this checks what it does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment, PROJECT } from './helpers/deployment';
import { run } from './helpers/run';
import { verifyPki } from './helpers/verify';

jest.setTimeout(10 * 60_000);

const CLIENTS = ['transmission/edge-1'];

let pki: Deployment;

/** `scripts/engine/run.sh npx cdktf ARGS` in the project, for this deployment's configuration and cdktf output. */
function cdktf(...args: string[]) {
  return run(path.join(PROJECT, 'scripts', 'engine', 'run.sh'), ['npx', '--no-install', 'cdktf', ...args, '--output', path.join(pki.dir, 'cdktf.out')], {
    cwd: PROJECT,
    env: { ...process.env, CHARIOT_TLS_CONFIG: pki.configFile, CI: '1', FORCE_COLOR: '0', CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1' },
    allowFailure: true,
  });
}

/** cdktf's output as one line of words: no colours, no box around errors, no stack name before each line. */
const plain = (text: string) =>
  text.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((line) => line.replace(/^chariot-tls\s/, '').replace(/[│╷╵]/g, ' ').trim()).join(' ').replace(/\s+/g, ' ');

beforeAll(() => {
  pki = Deployment.create({ server: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }, engineClients: [], transmissionClients: ['edge-1'] });
});

afterAll(() => {
  if (pki && !process.env.CHARIOT_TLS_KEEP_TEST_DIRS) fs.rmSync(pki.dir, { recursive: true, force: true });
});

test('cdktf deploy creates the PKI, whose chains openssl verifies', () => {
  const deployed = cdktf('deploy', '--auto-approve');
  expect([deployed.status, deployed.stderr]).toEqual([0, expect.anything()]);
  verifyPki(pki, CLIENTS);
  // No marker, no summary: those are npm run deploy's.
  expect(fs.existsSync(pki.file('DEPLOY-INCOMPLETE'))).toBe(false);
  expect(plain(deployed.stdout)).not.toMatch(/Certificates: /);
});

test('cdktf diff after it has nothing to change', () => {
  const diff = cdktf('diff');
  expect(diff.status).toBe(0);
  expect(plain(diff.stdout)).toMatch(/No changes/);
});

test('cdktf destroy fails without saying why, destroys nothing; the engine names the CA keys\' prevent_destroy', () => {
  const before = pki.files();
  const fingerprint = pki.fingerprint('ca/ca.crt');
  const destroyed = cdktf('destroy', '--auto-approve');
  expect(destroyed.status).not.toBe(0);
  // cdktf 0.21 prints the destroy plan and the engine's exit status, but not the engine's error.
  const output = plain(destroyed.stdout + destroyed.stderr);
  expect(output).toContain('OpenTofu planned the following actions, but then encountered a problem');
  expect(output).toContain('Invoking Terraform CLI failed with exit code 1');
  expect(pki.files()).toEqual(before);
  expect(pki.fingerprint('ca/ca.crt')).toBe(fingerprint);
  const state = JSON.parse(fs.readFileSync(path.join(pki.dir, 'terraform.tfstate'), 'utf8'));
  expect(state.resources.filter((r: any) => r.type === 'tls_private_key')).toHaveLength(6);
  // The reason, from the engine itself in the stack's directory: every CA key refuses.
  const script = 'eval "$("$0")" && cd "$1" && exec "$TERRAFORM_BINARY_NAME" plan -destroy -input=false -no-color';
  const plan = run('bash', ['-c', script, path.join(PROJECT, 'scripts', 'engine', 'env.sh'), pki.stackDir], { env: process.env, allowFailure: true });
  expect(plan.status).toBe(1);
  const refused = [...plain(plan.stderr).matchAll(/Resource instance tls_private_key\.pki_([\w-]+)_key_[0-9A-F]{8} has prevent_destroy set/g)].map((m) => m[1]);
  expect(refused.sort()).toEqual(['engine-ca', 'root-ca', 'server-ca', 'transmission-ca']);
});
