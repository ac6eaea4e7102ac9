/**
 * Encrypted client key files, with real deploys and real readers: the Transmission clients' private.key is
 * encrypted PKCS#8 (AES-256-CBC, PBKDF2), the password from the deploy's environment only; OpenSSL (pkey, and
 * s_client in a mutual handshake against Mosquitto) and a Java client reading the PEM files with Bouncy Castle's
 * PEMParser, as MQTT Engine and Transmission do, take it with the password and refuse a wrong one.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { Broker, startBroker } from './helpers/mosquitto';
import { output } from './helpers/secrets';
import { run } from './helpers/run';

jest.setTimeout(20 * 60_000);

const PASSWORD = 'integration client key password';
const ENV = { CHARIOT_TLS_CLIENT_KEY_PASSWORD: PASSWORD, CHARIOT_TLS_PKCS12_PASSWORD: 'pkcs12 password' };
const BASE = {
  caRsaBits: 2048,
  server: { dnsNames: ['localhost'] },
  engineClients: ['engine'],
  transmissionClients: ['edge-1', 'edge-2'],
  encryptedClientKeys: { groups: ['transmission'] },
  pkcs12: {},
};
const EDGE = 'certs/transmission/edge-1';
const JAVA_CLIENT = path.join(__dirname, 'helpers', 'JavaPemMqttClient.java');
const BOUNCY_CASTLE = ['bcprov', 'bcpkix', 'bcutil'].map((jar) => `/usr/share/java/${jar}.jar`).join(':');

describe('Transmission client keys written encrypted', () => {
  const pki = Deployment.create(BASE);
  let first: string;
  let broker: Broker;
  const key = () => pki.file(`${EDGE}/private.key`);
  const withPassword = (password: string) => ({ ...process.env, KEY_PASSWORD: password });

  beforeAll(async () => {
    first = output(pki.deploy({ env: ENV }));
    broker = await startBroker({ cert: pki.file('certs/server/fullchain.pem'), privateKey: pki.file('certs/server/server.key'), clientCa: pki.file('certs/server/client-ca.pem') });
  });
  afterAll(async () => broker?.stop());

  test('private.key is PKCS#8 encrypted with PBES2 (PBKDF2, HMAC-SHA256, AES-256-CBC), mode 0600; the Engine group, not opted in, stays plain', () => {
    expect(pki.read(`${EDGE}/private.key`)).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect((fs.statSync(key()).mode & 0o777).toString(8)).toBe('600');
    const asn1 = run('openssl', ['asn1parse', '-in', key()]).stdout;
    for (const part of ['PBES2', 'PBKDF2', 'hmacWithSHA256', 'aes-256-cbc']) expect(asn1).toContain(part);
    expect(pki.read('certs/engine/engine/private.key')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(first).toMatch(/client keys: wrote 2 encrypted private\.key file\(s\) .*password from CHARIOT_TLS_CLIENT_KEY_PASSWORD/);
  });

  test('openssl pkey opens it with the password from the environment, to the key of cert.pem, and refuses a wrong one', () => {
    const pkey = (password: string) => run('openssl', ['pkey', '-in', key(), '-passin', 'env:KEY_PASSWORD', '-pubout'], { env: withPassword(password), allowFailure: true });
    const opened = pkey(PASSWORD);
    expect(opened.status).toBe(0);
    expect(opened.stdout).toBe(new X509Certificate(pki.read(`${EDGE}/cert.pem`)).publicKey.export({ type: 'spki', format: 'pem' }));
    expect(pkey('not the password at all').status).not.toBe(0);
  });

  test('README.txt puts the password in the Password field and names where it comes from, never the password', () => {
    const readme = pki.read(`${EDGE}/README.txt`);
    expect(readme).toMatch(/Password\s+the key password\s+private\.key is encrypted; the password: the deploy's CHARIOT_TLS_CLIENT_KEY_PASSWORD/);
    expect(readme).toMatch(/Client Private Key File\s+private\.key\s+its RSA 2048 key, encrypted PKCS#8 PEM \(AES-256-CBC\)/);
    expect(readme).not.toContain(PASSWORD);
    expect(pki.read('certs/engine/engine/README.txt')).toMatch(/Password\s+\(leave empty\)\s+the key is not encrypted/);
  });

  test('the password is in no state, plan stack or log; the key file is no resource of the engine', () => {
    const stack = fs.readFileSync(path.join(pki.stackDir, 'cdk.tf.json'), 'utf8');
    for (const text of [fs.readFileSync(path.join(pki.dir, 'terraform.tfstate'), 'utf8'), stack, pki.engineLog('deploy'), first]) expect(text).not.toContain(PASSWORD);
    expect(stack).not.toContain('transmission/edge-1/private.key');
  });

  test('openssl s_client completes a mutual TLS handshake with Mosquitto with the key and -pass, and cannot with a wrong password', () => {
    const handshake = (password: string) => run('openssl', [
      's_client', '-connect', `127.0.0.1:${broker.port}`, '-tls1_2', '-brief', '-verify_return_error', '-verify_hostname', 'localhost',
      '-CAfile', pki.file(`${EDGE}/ca.pem`), '-cert', pki.file(`${EDGE}/cert.pem`), '-key', key(), '-pass', 'env:KEY_PASSWORD',
    ], { env: withPassword(password), input: '', allowFailure: true, timeout: 30_000 });
    const ok = handshake(PASSWORD);
    expect([ok.status, ok.stderr]).toEqual([0, expect.stringMatching(/CONNECTION ESTABLISHED[\s\S]*Verification: OK/)]);
    const wrong = handshake('not the password at all');
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).not.toMatch(/CONNECTION ESTABLISHED/);
  });

  test('a Java client reading the PEM files with Bouncy Castle\'s PEMParser connects with the password (hostname checked), and not with a wrong one', () => {
    const java = (password: string) => run('java', ['-cp', BOUNCY_CASTLE, JAVA_CLIENT, 'localhost', String(broker.port),
      pki.file(`${EDGE}/ca.pem`), pki.file(`${EDGE}/cert.pem`), key(), 'KEY_PASSWORD'], { env: withPassword(password), allowFailure: true, timeout: 120_000 });
    const ok = java(PASSWORD);
    expect([ok.status, ok.stdout]).toEqual([0, expect.stringMatching(/as CN=edge-1.* with a RSA key; CONNACK return code 0/)]);
    const wrong = java('not the password at all');
    expect([wrong.status, wrong.stdout]).toEqual([2, expect.stringMatching(/cannot read the key/)]);
  });

  test('client.p12 holds the same key, read from the encrypted file', () => {
    const p12 = run('openssl', ['pkcs12', '-in', pki.file(`${EDGE}/client.p12`), '-passin', 'env:P', '-nocerts', '-nodes'], { env: { ...process.env, P: ENV.CHARIOT_TLS_PKCS12_PASSWORD } }).stdout;
    const fromFile = createPrivateKey({ key: pki.read(`${EDGE}/private.key`), passphrase: PASSWORD });
    expect(createPublicKey(p12.slice(p12.indexOf('-----BEGIN'))).export({ type: 'spki', format: 'pem' })).toBe(createPublicKey(fromFile).export({ type: 'spki', format: 'pem' }));
  });

  test('inspect takes the encrypted key as a key, not as a damaged or foreign file', () => {
    const inspected = run('npm', ['run', '--silent', 'inspect', '--', '--wide'], { cwd: path.resolve(__dirname, '../..'), env: { ...process.env, CHARIOT_TLS_CONFIG: pki.configFile }, allowFailure: true });
    expect(output(inspected)).not.toMatch(/private\.key[^\n]*(not a readable|cut short|does not belong|damaged|mode 0)/);
  });

  test('a deploy that changes nothing leaves the encrypted files as they are', () => {
    const before = pki.read(`${EDGE}/private.key`);
    const again = output(pki.deploy({ env: ENV }));
    expect(pki.engineLog('deploy')).toMatch(/No changes\./);
    expect(pki.read(`${EDGE}/private.key`)).toBe(before);
    expect(again).not.toMatch(/client keys: wrote/);
  });

  test('a deploy without the password stops before any change, naming the variable', () => {
    const result = pki.deploy({ env: { CHARIOT_TLS_PKCS12_PASSWORD: ENV.CHARIOT_TLS_PKCS12_PASSWORD, CHARIOT_TLS_CLIENT_KEY_PASSWORD: '' }, allowFailure: true });
    expect(result.status).not.toBe(0);
    expect(output(result)).toMatch(/encryptedClientKeys is set, and CHARIOT_TLS_CLIENT_KEY_PASSWORD is not set: export the client key password/);
  });

  test('a client removed from the configuration loses its folder, the encrypted key the engine never declared included', () => {
    pki.configure({ ...BASE, transmissionClients: ['edge-1'] });
    pki.deploy({ env: ENV });
    expect(fs.existsSync(pki.file('certs/transmission/edge-2'))).toBe(false);
    expect(fs.existsSync(key())).toBe(true);
  });
});
