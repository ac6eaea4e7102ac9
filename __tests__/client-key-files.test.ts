import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { ChariotPki, ClientCert, FileKind, PkiInventory, ServerCert } from '../lib';
import { MQTT_ENGINE } from '../lib/products/mqtt-engine';
import { passwordSource } from '../app/client-key-config';
import { clientKeyPassword, encryptedKeyTargets, writeEncryptedClientKeys } from '../app/client-key-files';
import { removeOrphanFiles } from '../app/orphan-files';
import { loadConfig } from '../app/config';
import { twoIssuers } from './helpers/hierarchy';
import { synth } from './helpers/synth';

const OUT = '/srv/pki';
const ENCRYPTED = { passwordSource: "the deploy's CHARIOT_TLS_CLIENT_KEY_PASSWORD (ask whoever deploys)" };
const PASSWORD = 'a client key password';

describe('a client whose key file is encrypted', () => {
  const stack = synth((scope) => new ChariotPki(scope, 'pki', {
    outputDirectory: OUT, server: { dnsNames: ['chariot.example.com'] }, engineClients: ['engine-a'], transmissionClients: ['edge-1'],
    encryptTransmissionClientKeys: ENCRYPTED,
  }));
  const readme = (folder: string) => stack.resources('local_file').find((r) => r.props.filename === `${OUT}/certs/${folder}/README.txt`)!.props.content;

  test('has no key file resource: the engine cannot encrypt, the deploy writes it; its key is still a tls_private_key', () => {
    const keyFiles = stack.resources('local_sensitive_file').map((r) => r.props.filename);
    expect(keyFiles).toContain(`${OUT}/certs/engine/engine-a/private.key`);
    expect(keyFiles).not.toContain(`${OUT}/certs/transmission/edge-1/private.key`);
    expect(stack.resource('tls_private_key', 'transmission/edge-1/key').props).toMatchObject({ algorithm: 'RSA' });
  });

  test('its README puts the key password in the Password field and says where it comes from', () => {
    expect(readme('transmission/edge-1')).toMatch(/Password\s+the key password\s+private\.key is encrypted; the password: the deploy's CHARIOT_TLS_CLIENT_KEY_PASSWORD \(ask whoever deploys\)/);
    expect(readme('transmission/edge-1')).toMatch(/Client Private Key File\s+private\.key\s+its RSA 2048 key, encrypted PKCS#8 PEM \(AES-256-CBC\)/);
    expect(readme('engine/engine-a')).toMatch(/Password\s+\(leave empty\)\s+the key is not encrypted/);
  });

  test('the inventory lists the key file as a secret, encrypted', () => {
    const stackForInventory = new TerraformStack(new App(), 'inventory');
    const pki = new ChariotPki(stackForInventory, 'pki', { outputDirectory: OUT, transmissionClients: ['edge-1'], encryptTransmissionClientKeys: ENCRYPTED });
    const edge = PkiInventory.of(pki).certificates.find((c) => c.subject.commonName === 'edge-1')!;
    expect(edge.files.find((f) => f.kind === FileKind.PRIVATE_KEY)).toEqual({ path: 'certs/transmission/edge-1/private.key', kind: FileKind.PRIVATE_KEY, secret: true, encrypted: true });
    expect(encryptedKeyTargets(pki).map((t) => t.file)).toEqual([`${OUT}/certs/transmission/edge-1/private.key`]);
  });

  test('a product without a key password field refuses it, naming those with one', () => {
    expect(() => synth((scope) => new ServerCert(scope, 'chariot', { issuer: twoIssuers(scope).serverCa, dnsNames: ['chariot.example.com'], encryptedKeyFile: ENCRYPTED })))
      .toThrow(/encryptedKeyFile .*is set, and Chariot takes no encrypted key.*MQTT Engine and MQTT Transmission take one/);
    expect(() => synth((scope) => new ClientCert(scope, 'engine-a', { issuer: twoIssuers(scope).clientCa, product: MQTT_ENGINE, encryptedKeyFile: ENCRYPTED }))).not.toThrow();
  });
});

describe('encryptedClientKeys in the configuration', () => {
  const load = (fields: Record<string, unknown>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-client-keys-'));
    fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify(fields));
    return () => loadConfig({ CHARIOT_TLS_CONFIG: 'chariot-tls.json' }, dir);
  };

  test('encrypts the groups listed, the password from CHARIOT_TLS_CLIENT_KEY_PASSWORD or the variable named', () => {
    const config = load({ encryptedClientKeys: { groups: ['transmission'] } })();
    expect(config.encryptedClientKeys).toEqual({ groups: ['transmission'], passwordEnv: 'CHARIOT_TLS_CLIENT_KEY_PASSWORD' });
    expect(config.pki.encryptTransmissionClientKeys).toEqual({ passwordSource: passwordSource('CHARIOT_TLS_CLIENT_KEY_PASSWORD') });
    expect(config.pki.encryptEngineClientKeys).toBeUndefined();
    expect(load({ encryptedClientKeys: { groups: ['engine'], passwordEnv: 'GATEWAY_KEY_PASSWORD' } })().pki.encryptEngineClientKeys).toEqual({ passwordSource: "the deploy's GATEWAY_KEY_PASSWORD (ask whoever deploys)" });
  });

  test('is off by default', () => {
    const config = load({})();
    expect([config.encryptedClientKeys, config.pki.encryptEngineClientKeys, config.pki.encryptTransmissionClientKeys]).toEqual([undefined, undefined, undefined]);
  });

  test('a group that is none is refused', () => {
    expect(load({ encryptedClientKeys: { groups: ['server'] } })).toThrow(/encryptedClientKeys\.groups\[0\]/);
  });

  test('the password must be set and long, and the message never holds it', () => {
    expect(() => clientKeyPassword({}, 'CHARIOT_TLS_CLIENT_KEY_PASSWORD')).toThrow(/CHARIOT_TLS_CLIENT_KEY_PASSWORD is not set: export the client key password \(at least 12 characters\)/);
    expect(() => clientKeyPassword({ K: 'short-one' }, 'K')).toThrow(/K has 9 characters/);
    expect(clientKeyPassword({ K: PASSWORD }, 'K')).toBe(PASSWORD);
  });
});

describe('writing the encrypted key files after a deploy', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-client-keys-'));
  const app = new App({ outdir: path.join(dir, 'cdktf.out') });
  const stack = new TerraformStack(app, 'stack');
  const pki = new ChariotPki(stack, 'pki', { outputDirectory: path.join(dir, 'pki'), transmissionClients: ['edge-1'], encryptTransmissionClientKeys: ENCRYPTED });
  const synthesized = JSON.parse(JSON.stringify((stack as any).toTerraform()));
  const keyName = Object.keys(synthesized.resource.tls_private_key).find((n) => synthesized.resource.tls_private_key[n]['//'].metadata.path.endsWith('edge-1/key'))!;
  const keyPem = String(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }));
  const state = { values: { root_module: { resources: [{ address: `tls_private_key.${keyName}`, values: { private_key_pem: keyPem } }] } } };
  const file = path.join(dir, 'pki/certs/transmission/edge-1/private.key');
  let reads = 0;
  const readState = async () => { reads += 1; return state; };
  // The engine's cert.pem of that key, as a deploy leaves it beside the key file.
  beforeAll(() => {
    const keyFile = path.join(dir, 'key.pem');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(keyFile, keyPem, { mode: 0o600 });
    execFileSync('openssl', ['req', '-x509', '-new', '-key', keyFile, '-subj', '/CN=edge-1', '-days', '1', '-out', path.join(path.dirname(file), 'cert.pem')]);
  });

  test('writes each from the key in the state: encrypted PKCS#8, mode 0600, opening with the password to that key', async () => {
    expect(await writeEncryptedClientKeys(pki, readState, PASSWORD)).toEqual([{ file, written: true }]);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(createPrivateKey({ key: fs.readFileSync(file), passphrase: PASSWORD }).export({ type: 'pkcs1', format: 'pem' })).toBe(keyPem);
  });

  test('leaves a file that already holds the key of its cert.pem under the password, reading no state', async () => {
    const before = fs.readFileSync(file, 'utf8');
    expect(await writeEncryptedClientKeys(pki, readState, PASSWORD)).toEqual([{ file, written: false }]);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(reads).toBe(1);
  });

  test('rewrites it for a new password, or when it is cut', async () => {
    expect(await writeEncryptedClientKeys(pki, readState, 'another key password')).toEqual([{ file, written: true }]);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 200));
    expect(await writeEncryptedClientKeys(pki, readState, PASSWORD)).toEqual([{ file, written: true }]);
    expect(reads).toBe(3);
  });

  test('a folder whose certificate is gone loses the encrypted key and client.p12 the deploy wrote, then the folder; others keep theirs', () => {
    const gone = path.join(dir, 'pki/certs/transmission/gone');
    fs.mkdirSync(gone, { recursive: true });
    fs.copyFileSync(file, path.join(gone, 'private.key'));
    fs.writeFileSync(path.join(gone, 'client.p12'), 'p12');
    fs.writeFileSync(path.join(path.dirname(file), 'cert.pem'), 'cert');
    expect(removeOrphanFiles(path.join(dir, 'pki')).sort()).toEqual([path.join(gone, 'client.p12'), path.join(gone, 'private.key')]);
    expect(fs.existsSync(gone)).toBe(false);
    expect(fs.existsSync(file)).toBe(true);
  });

  test('a server folder whose certificate is gone loses its server.p12 (it holds the key) and its Java trust store; a server still there keeps them', () => {
    const gone = path.join(dir, 'pki/certs/servers/retired');
    const kept = path.join(dir, 'pki/certs/servers/kept');
    for (const folder of [gone, kept]) {
      fs.mkdirSync(folder, { recursive: true });
      for (const name of ['server.p12', 'client-truststore.p12']) fs.writeFileSync(path.join(folder, name), 'p12');
    }
    fs.writeFileSync(path.join(kept, 'server.crt'), 'cert');
    expect(removeOrphanFiles(path.join(dir, 'pki')).sort()).toEqual([path.join(gone, 'client-truststore.p12'), path.join(gone, 'server.p12')]);
    expect(fs.existsSync(gone)).toBe(false);
    expect(fs.readdirSync(kept).sort()).toEqual(['client-truststore.p12', 'server.crt', 'server.p12']);
  });
});
