/**
 * Keys in files with sites in their own state (`siteStates`), on real deploys: site clients' private.key written
 * encrypted from their sites' states; the Transmission CA's and a site CA's keys in key files (`caKeyFiles`), handed
 * from there to the sites' engines, and in no state.
 */
import { KeyObject, X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { keyLinesIn } from './helpers/pem';
import { RunResult, run } from './helpers/run';
import { SITES, SITE_STATES_CONFIG } from './helpers/site-states';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(20 * 60_000);

const PASSWORD = 'site client key password';
const ENV = { CHARIOT_TLS_CLIENT_KEY_PASSWORD: PASSWORD };
const SITE_CLIENTS = Object.entries(SITES).flatMap(([site, names]) => names.map((name) => `${site}/${name}`));

describe('site client keys written encrypted (encryptedClientKeys for transmission)', () => {
  let pki: Deployment;
  let first: RunResult;
  let second: RunResult;
  let keysBefore: string[];
  const keyFile = (client: string) => `certs/transmission/${client}/private.key`;

  beforeAll(() => {
    pki = Deployment.create({ ...SITE_STATES_CONFIG, encryptedClientKeys: { groups: ['transmission'] } });
    first = pki.deploy({ env: ENV });
    keysBefore = SITE_CLIENTS.map((c) => pki.read(keyFile(c)));
    second = pki.deploy({ env: ENV });
  });
  afterAll(() => fs.rmSync(pki.dir, { recursive: true, force: true }));

  test('each site client\'s private.key is encrypted, mode 0600, and opens with the password to the key of its cert.pem', () => {
    for (const client of SITE_CLIENTS) {
      expect(pki.read(keyFile(client))).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
      expect((fs.statSync(pki.file(keyFile(client))).mode & 0o777).toString(8)).toBe('600');
      const opened = run('openssl', ['pkey', '-in', pki.file(keyFile(client)), '-passin', 'env:KEY_PASSWORD', '-pubout'], { env: { ...process.env, KEY_PASSWORD: PASSWORD } });
      expect({ client, publicKey: opened.stdout }).toEqual({ client, publicKey: new X509Certificate(pki.read(`certs/transmission/${client}/cert.pem`)).publicKey.export({ type: 'spki', format: 'pem' }) });
    }
    expect(first.stdout).toMatch(/client keys: wrote 5 encrypted private\.key file\(s\)/);
  });

  test('a second deploy rewrites no key file and plans no site', () => {
    expect(second.stdout).toMatch(/^Certificates: no change\.$/m);
    expect(second.stdout).not.toMatch(/client keys: wrote/);
    expect(SITE_CLIENTS.map((c) => pki.read(keyFile(c)))).toEqual(keysBefore);
    expect(pki.engineLog('deploy')).toMatch(/sites deployed in their own state: 0 of 2\n/);
  });
});

describe('the Transmission CA\'s and a site CA\'s keys in key files (caKeyFiles)', () => {
  const PASSPHRASE = 'site states CA key passphrase';
  const FILE_CAS = ['transmission-ca', 'sites/north-sea/ca'];
  let pki: Deployment;
  let second: RunResult;

  beforeAll(() => {
    pki = Deployment.create({ ...SITE_STATES_CONFIG, caKeyFiles: { directory: 'ca-keys', cas: FILE_CAS } });
    pki.deploy({ env: { CHARIOT_TLS_CA_KEY_PASSPHRASE: PASSPHRASE } });
    second = pki.deploy({ env: { CHARIOT_TLS_CA_KEY_PASSPHRASE: PASSPHRASE } });
  });
  afterAll(() => fs.rmSync(pki.dir, { recursive: true, force: true }));

  test('each key file is the key of its CA\'s certificate; the site CA\'s is ca-keys/sites/north-sea/ca.key', () => {
    const certs: Record<string, string> = { 'transmission-ca': 'ca/transmission/transmission-ca.crt', 'sites/north-sea/ca': 'ca/transmission/north-sea/site-ca.crt' };
    for (const ca of FILE_CAS) {
      const key = createPrivateKey({ key: fs.readFileSync(path.join(pki.dir, 'ca-keys', `${ca}.key`)), passphrase: PASSPHRASE });
      const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' }).toString('hex');
      expect({ ca, publicKey: spki(new X509Certificate(pki.read(certs[ca])).publicKey) }).toEqual({ ca, publicKey: spki(createPublicKey(key)) });
    }
  });

  test('no state, the main one or a site\'s, nor any .backup, holds any trace of either key', () => {
    const states = [path.join(pki.dir, 'terraform.tfstate'), ...Object.keys(SITES).map((site) => path.join(pki.dir, 'terraform.sites', `${site}.tfstate`))];
    const files = states.flatMap((f) => [f, `${f}.backup`]).filter((f) => fs.existsSync(f));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const ca of FILE_CAS) {
      const key = createPrivateKey({ key: fs.readFileSync(path.join(pki.dir, 'ca-keys', `${ca}.key`)), passphrase: PASSPHRASE });
      expect(files.map((f) => [ca, path.basename(f), keyLinesIn(fs.readFileSync(f, 'utf8'), key)])).toEqual(files.map((f) => [ca, path.basename(f), 0]));
    }
  });

  test('every site client verifies against the CAs Chariot trusts, the one the Transmission CA signs and the site CA\'s', () => {
    for (const client of SITE_CLIENTS) {
      const result = opensslVerify('sslclient', pki.file('certs/server/client-ca.pem'), pki.file(`certs/transmission/${client}/cert.pem`));
      expect({ client, status: result.status }).toEqual({ client, status: 0 });
    }
    const issuer = (client: string) => run('openssl', ['x509', '-in', pki.file(`certs/transmission/${client}/cert.pem`), '-noout', '-issuer']).stdout;
    expect(issuer('baltic/bt-1')).toMatch(/CN ?= ?Chariot TLS Transmission CA/);
    expect(issuer('north-sea/ns-1')).toMatch(/CN ?= ?north-sea Transmission CA/);
  });

  test('a second deploy changes nothing', () => {
    expect(second.stdout).toMatch(/^Certificates: no change\.$/m);
  });
});
