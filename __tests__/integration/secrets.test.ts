/**
 * Secrets at rest and in logs, with real deploys: plain state holds the keys (and the deploy says
 * so once), git ignores every secret file, a failed deploy prints no key and marks its files, and
 * state migrated to encryption holds no key, nor does a saved plan; a wrong passphrase changes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment, PROJECT } from './helpers/deployment';
import { keyTraces, output, privateKeyLines, runEngine } from './helpers/secrets';
import { run } from './helpers/run';

jest.setTimeout(15 * 60_000);

const PASSPHRASE = 'integration test state passphrase';
const WITH_PASSPHRASE = { CHARIOT_TLS_STATE_PASSPHRASE: PASSPHRASE };
const NO_PASSPHRASE = { CHARIOT_TLS_STATE_PASSPHRASE: '' };
// 2048-bit CAs: these tests are about where keys go, not about their size.
const CONFIG = { caRsaBits: 2048, engineClients: ['engine'], transmissionClients: ['edge-1'], backend: { type: 'local', path: 'terraform.chariot-tls.tfstate' } };
const ENCRYPTED = { ...CONFIG, stateEncryption: { enabled: true } };
const MARKER = 'DEPLOY-INCOMPLETE';

/** One deployment through the whole file: a git checkout of the project's layout, deployed with plain state first. */
let pki: Deployment;
let firstDeploy: string;

const stateFile = () => path.join(pki.dir, 'terraform.chariot-tls.tfstate');
const readState = () => fs.readFileSync(stateFile(), 'utf8');
const keyLines = () => privateKeyLines(path.join(pki.dir, 'pki'));
const git = (...args: string[]) => run('git', ['-C', pki.dir, ...args]).stdout;
const inspect = () => run('npm', ['run', '--silent', 'inspect', '--', '--quiet', '--dir', path.join(pki.dir, 'pki')], { cwd: PROJECT, allowFailure: true });

/** Saves a plan of the deployed stack to `file` with the engine itself, as a person reviewing a change would. */
function savePlan(file: string, env: Record<string, string> = {}): void {
  runEngine(pki.stackDir, ['plan', '-input=false', '-no-color', `-out=${file}`], { env });
}

beforeAll(() => {
  pki = Deployment.create(CONFIG);
  git('init', '--quiet');
  fs.copyFileSync(path.join(PROJECT, '.gitignore'), path.join(pki.dir, '.gitignore'));
  firstDeploy = output(pki.deploy({ env: NO_PASSPHRASE }));
});

describe('plain state (stateEncryption off, the default)', () => {
  test('the deploy warns once, clearly, that the state holds the keys in plain text', () => {
    expect(firstDeploy.match(/state encryption is off/g)).toHaveLength(1);
    expect(firstDeploy).toContain('holds every private key in plain text');
    expect(firstDeploy).toContain('"stateEncryption": { "enabled": true }');
  });

  test('the state holds the private keys: what encryption is for', () => {
    expect(keyTraces(readState(), keyLines()).length).toBeGreaterThan(1);
  });

  test('the local state file is mode 0600', () => {
    expect((fs.statSync(stateFile()).mode & 0o777).toString(8)).toBe('600');
  });

  test('the deploy output holds no private key material', () => {
    expect(keyTraces(firstDeploy, keyLines())).toEqual([]);
  });

  test('git status shows no key, state, plan, cdktf output or engine file: only the configuration and the inventory', () => {
    savePlan(path.join(pki.dir, 'chariot-tls.tfplan'));
    fs.mkdirSync(path.join(pki.dir, '.engine/bin'), { recursive: true });
    fs.writeFileSync(path.join(pki.dir, '.engine/bin/tofu'), '');
    const listed = git('status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean).map((line) => line.slice(3));
    expect(listed.sort()).toEqual(['.gitignore', 'chariot-tls.json', 'pki-inventory.json', 'pki-inventory.md']);
    expect(fs.existsSync(path.join(pki.dir, 'terraform.chariot-tls.tfstate'))).toBe(true);
  });
});

describe('a deploy that fails while writing files', () => {
  let failed: ReturnType<Deployment['deploy']>;

  beforeAll(() => {
    // A directory where edge-2's ca.pem goes: the engine creates its key, then cannot write the file.
    pki.configure({ ...CONFIG, transmissionClients: ['edge-1', 'edge-2'] });
    fs.mkdirSync(pki.file('certs/transmission/edge-2/ca.pem'), { recursive: true });
    failed = pki.deploy({ env: NO_PASSPHRASE, allowFailure: true });
  });

  test('ends with our message: what failed, that files may be mixed, to deploy again', () => {
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain('chariot-tls: deploy failed. See the error above.');
    expect(failed.stderr).toContain(`Files in ${path.join(pki.dir, 'pki')} may be a mix of old and new, or missing; ${pki.file(MARKER)} says so until a deploy succeeds.`);
    expect(failed.stderr).toContain('Run `npm run deploy` again once the cause is fixed.');
  });

  test('prints no private key material, on stdout or stderr', () => {
    expect(keyTraces(output(failed), keyLines())).toEqual([]);
  });

  test('leaves DEPLOY-INCOMPLETE, and npm run inspect refuses the files (exit 3)', () => {
    expect(fs.readFileSync(pki.file(MARKER), 'utf8')).toMatch(/^A chariot-tls deploy started at .* has not finished\.\nThe files in this directory may be a mix/);
    const inspected = inspect();
    expect(inspected.status).toBe(3);
    expect(inspected.stderr).toContain('holds the files of a deploy that has not finished');
  });

  test('the next deploy completes the set and removes the marker', () => {
    fs.rmdirSync(pki.file('certs/transmission/edge-2/ca.pem'));
    pki.deploy({ env: NO_PASSPHRASE });
    expect(fs.existsSync(pki.file(MARKER))).toBe(false);
    expect(inspect().status).toBe(0);
    run('openssl', ['verify', '-CAfile', pki.file('ca/ca.crt'), '-untrusted', pki.file('ca/transmission/transmission-ca.crt'), pki.file('certs/transmission/edge-2/cert.pem')]);
  });
});

describe('turning encryption on for an existing plain state', () => {
  test('without migrateFromUnencrypted: refused in our words, pointing at migrateFromUnencrypted; the state unchanged', () => {
    const state = fs.readFileSync(stateFile());
    pki.configure({ ...ENCRYPTED, transmissionClients: ['edge-1', 'edge-2'] });
    const result = pki.deploy({ env: WITH_PASSPHRASE, allowFailure: true });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('chariot-tls: deploy failed. The state is not encrypted yet, and encryption is enforced. To encrypt it, deploy once with "stateEncryption": { "enabled": true, "migrateFromUnencrypted": true }');
    expect(fs.readFileSync(stateFile()).equals(state)).toBe(true);
  });
});

describe('encrypting existing state (stateEncryption.migrateFromUnencrypted, one deploy)', () => {
  let rootBefore: string;

  beforeAll(() => {
    rootBefore = pki.fingerprint('ca/ca.crt');
    pki.configure({ ...ENCRYPTED, transmissionClients: ['edge-1', 'edge-2'], stateEncryption: { enabled: true, migrateFromUnencrypted: true } });
    pki.deploy({ env: WITH_PASSPHRASE });
    pki.configure({ ...ENCRYPTED, transmissionClients: ['edge-1', 'edge-2'] });
  });

  test('the state is now encrypted, keeping every key: the root CA is the same', () => {
    expect(JSON.parse(readState())).toHaveProperty('encryption_version', 'v0');
    expect(pki.fingerprint('ca/ca.crt')).toBe(rootBefore);
  });

  test('with migrateFromUnencrypted removed, the next plan is empty', () => {
    pki.plan({ env: WITH_PASSPHRASE });
    expect(pki.engineLog('plan')).toMatch(/No changes/);
  });
});

describe('encrypted state', () => {
  test('neither the state file nor a saved plan holds a private key, as text or base64', () => {
    const plan = path.join(pki.dir, 'encrypted.tfplan');
    savePlan(plan, { TF_VAR_chariot_tls_state_passphrase: PASSPHRASE });
    const planText = fs.readFileSync(plan, 'latin1');
    expect(planText.startsWith('PK')).toBe(false);
    expect(JSON.parse(planText)).toHaveProperty('encryption_version', 'v0');
    expect(keyTraces(readState(), keyLines())).toEqual([]);
    expect(keyTraces(planText, keyLines())).toEqual([]);
  });

  test('a wrong passphrase: a clear error in our words, the state byte for byte the same, no file changed', () => {
    const state = fs.readFileSync(stateFile());
    const files = pki.files().map((f) => [f, pki.read(f)]);
    const result = pki.deploy({ env: { CHARIOT_TLS_STATE_PASSPHRASE: 'not the passphrase of this state' }, allowFailure: true });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('chariot-tls: deploy failed. The state could not be decrypted: CHARIOT_TLS_STATE_PASSPHRASE is not the passphrase it was encrypted with. The state was not changed; export the right passphrase.');
    expect(result.stderr).toContain('No file was changed by this deploy.');
    expect(fs.readFileSync(stateFile()).equals(state)).toBe(true);
    expect(pki.files().map((f) => [f, pki.read(f)])).toEqual(files);
  });

  test('no passphrase: refused before the engine starts, naming the configuration and the variable', () => {
    const result = pki.deploy({ env: NO_PASSPHRASE, allowFailure: true });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`chariot-tls: cannot deploy:\n  - ${pki.configFile}: stateEncryption.enabled is true, but CHARIOT_TLS_STATE_PASSPHRASE is not set`);
    expect(result.stdout).not.toContain('Stack');
  });
});
