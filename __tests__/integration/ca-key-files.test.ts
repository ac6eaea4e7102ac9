/**
 * CA keys outside the state, with real deploys: the root and Transmission CA keys live in encrypted PKCS#8 files
 * and never in the state; the root may be offline, and a deploy that must sign with it stops; a wrong passphrase,
 * a key that is not the CA's and a missing key file each stop the deploy with nothing changed; an existing PKI
 * moves its keys out of the state with the same keys and certificates.
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { output } from './helpers/secrets';
import { run } from './helpers/run';
import { verifyPki } from './helpers/verify';
import { keyLinesIn } from './helpers/pem';

jest.setTimeout(20 * 60_000);

const PASSPHRASE = 'integration test CA key passphrase';
const ENV = { CHARIOT_TLS_CA_KEY_PASSPHRASE: PASSPHRASE };
const FILE_CAS = ['root-ca', 'transmission-ca'];
// 2048-bit CAs: these tests are about where keys go, not about their size.
const BASE = { caRsaBits: 2048, server: { dnsNames: ['localhost'] }, engineClients: ['engine'], transmissionClients: ['edge-1'] };
const withKeyFiles = (pki: Deployment, extra: Record<string, unknown> = {}) =>
  pki.configure({ ...BASE, caKeyFiles: { directory: 'ca-keys', cas: FILE_CAS }, ...extra });

const keyFile = (pki: Deployment, ca: string) => path.join(pki.dir, 'ca-keys', `${ca}.key`);
const readState = (pki: Deployment) => fs.readFileSync(path.join(pki.dir, 'terraform.tfstate'), 'utf8');
const decrypted = (pki: Deployment, ca: string) => createPrivateKey({ key: fs.readFileSync(keyFile(pki, ca)), passphrase: PASSPHRASE });

/** SHA-256 of the state and of every file under `pki/` and `ca-keys/`: what "nothing changed" compares. */
function hashes(pki: Deployment): Record<string, string> {
  const files = [path.join(pki.dir, 'terraform.tfstate'), ...pki.files().map((f) => pki.file(f))];
  const keys = fs.existsSync(path.join(pki.dir, 'ca-keys')) ? fs.readdirSync(path.join(pki.dir, 'ca-keys')).map((f) => path.join(pki.dir, 'ca-keys', f)) : [];
  return Object.fromEntries([...files, ...keys].map((f) => [path.relative(pki.dir, f), createHash('sha256').update(fs.readFileSync(f)).digest('hex')]));
}

/** Whether the CRL beside a CA certificate verifies against it (openssl crl -verify). */
const crlVerifies = (pki: Deployment, caCert: string) =>
  /verify OK/.test(run('openssl', ['crl', '-in', pki.file(caCert.replace(/\.crt$/, '.crl.pem')), '-noout', '-CAfile', pki.file(caCert), '-verify'], { allowFailure: true }).stderr);

const CA_CERT = { 'root-ca': 'ca/ca.crt', 'transmission-ca': 'ca/transmission/transmission-ca.crt' } as Record<string, string>;

/** A CRL's lifetime in days, thisUpdate to nextUpdate, as openssl reads them. */
function crlLifetimeDays(pki: Deployment, crl: string): number {
  const printed = run('openssl', ['crl', '-in', pki.file(crl), '-noout', '-lastupdate', '-nextupdate']).stdout;
  const [lastUpdate, nextUpdate] = ['lastUpdate', 'nextUpdate'].map((field) => Date.parse(new RegExp(`^${field}=(.+)$`, 'm').exec(printed)![1]));
  return (nextUpdate - lastUpdate) / 86_400_000;
}

describe('a new PKI with its root and Transmission CA keys in key files', () => {
  const pki = Deployment.create({});
  let first: string;

  beforeAll(() => {
    withKeyFiles(pki);
    first = output(pki.deploy({ env: ENV }));
  });

  test('each key file is encrypted PKCS#8 (PBES2: PBKDF2 with HMAC-SHA256, AES-256-CBC), mode 0600', () => {
    for (const ca of FILE_CAS) {
      expect(fs.readFileSync(keyFile(pki, ca), 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
      expect((fs.statSync(keyFile(pki, ca)).mode & 0o777).toString(8)).toBe('600');
      const asn1 = run('openssl', ['asn1parse', '-in', keyFile(pki, ca)]).stdout;
      for (const part of ['PBES2', 'PBKDF2', 'hmacWithSHA256', 'aes-256-cbc']) expect(asn1).toContain(part);
    }
    expect(first).toContain(`created the key of root-ca in ${keyFile(pki, 'root-ca')} (encrypted)`);
  });

  test('openssl reads each with the passphrase from the environment, and refuses a wrong one', () => {
    const pkey = (pass: string) => run('openssl', ['pkey', '-in', keyFile(pki, 'root-ca'), '-passin', 'env:PASS', '-noout'], { env: { ...process.env, PASS: pass }, allowFailure: true });
    expect(pkey(PASSPHRASE).status).toBe(0);
    expect(pkey('not the passphrase at all').status).not.toBe(0);
  });

  test('the state holds no trace of either key; the other CA keys stay in it', () => {
    const state = readState(pki);
    for (const ca of FILE_CAS) expect([ca, keyLinesIn(state, decrypted(pki, ca))]).toEqual([ca, 0]);
    expect(JSON.parse(state).resources.filter((r: any) => r.type === 'tls_private_key' && /-ca_key_/.test(r.name)).map((r: any) => r.name.split('_')[1]).sort())
      .toEqual(['engine-ca', 'server-ca']);
  });

  test('each CA certificate holds the public key of its file', () => {
    for (const ca of FILE_CAS) {
      const der = (k: ReturnType<typeof createPublicKey>) => k.export({ type: 'spki', format: 'der' }).toString('hex');
      expect(der(new X509Certificate(pki.read(CA_CERT[ca])).publicKey)).toBe(der(createPublicKey(decrypted(pki, ca))));
    }
  });

  test('the hierarchy verifies as openssl sees it', () => {
    verifyPki(pki, ['engine/engine', 'transmission/edge-1']);
  });

  test('each CA\'s CRL is signed with its key, the key files\' included', () => {
    for (const ca of FILE_CAS) expect(crlVerifies(pki, CA_CERT[ca])).toBe(true);
    expect(crlVerifies(pki, 'ca/engine/engine-ca.crt')).toBe(true);
  });

  test('the root\'s CRL is valid 180 days (crl.rootValidityHours), the other CAs\' 30: it outlasts months of deploys without the root key', () => {
    expect(crlLifetimeDays(pki, 'ca/ca.crl.pem')).toBeCloseTo(180, 2);
    for (const crl of ['ca/server/server-ca.crl.pem', 'ca/transmission/transmission-ca.crl.pem']) expect(crlLifetimeDays(pki, crl)).toBeCloseTo(30, 2);
  });

  describe('with the root key offline', () => {
    const away = () => path.join(pki.dir, 'root-ca.key.offline');
    let offline: string;

    let rootCrl: string;

    beforeAll(() => {
      fs.renameSync(keyFile(pki, 'root-ca'), away());
      rootCrl = pki.read('ca/ca.crl.pem');
      // New CRL lifetimes: every CRL is due to be signed again, the root's too.
      withKeyFiles(pki, { transmissionClients: ['edge-1', 'edge-2'], crl: { validityHours: 700, rootValidityHours: 4000, earlyRenewalHours: 336 } });
      offline = output(pki.deploy({ env: ENV }));
    });
    afterAll(() => fs.renameSync(away(), keyFile(pki, 'root-ca')));

    test('a deploy that signs nothing with it runs, and says so in one line', () => {
      expect(offline.match(/the key of root-ca is offline/g)).toHaveLength(1);
      verifyPki(pki, ['engine/engine', 'transmission/edge-1', 'transmission/edge-2']);
    });

    test('the root\'s CRL, due, is left as it was, saying until when it holds; the other CAs\' CRLs are signed again', () => {
      expect(pki.read('ca/ca.crl.pem')).toBe(rootCrl);
      expect(offline).toMatch(/CRL ca\/ca\.crl\.pem: due to be signed, but its CA key is offline \(peers accept it until \d{4}-\d\d-\d\dT[\d:]+Z\); deploy once with the key file present/);
      expect(offline).toMatch(/CRL ca\/transmission\/transmission-ca\.crl\.pem: signed/);
      expect(crlVerifies(pki, CA_CERT['transmission-ca'])).toBe(true);
    });

    test('a deploy that must sign an intermediate stops before any change, naming it, why, and how to supply the key', () => {
      const before = hashes(pki);
      // A new validity for the intermediates: the root must sign each again.
      withKeyFiles(pki, { transmissionClients: ['edge-1', 'edge-2'], intermediateValidityPeriodHours: 43000 });
      const refused = pki.deploy({ env: ENV, allowFailure: true });
      expect(refused.status).not.toBe(0);
      expect(output(refused)).toMatch(/must sign with the key of root-ca, which is offline: .*pki\/transmission-ca \(re-signed: /);
      expect(output(refused)).toContain(`Make ${path.join(pki.dir, 'ca-keys')} available with its key file (root-ca.key)`);
      expect(hashes(pki)).toEqual(before);
      withKeyFiles(pki, { transmissionClients: ['edge-1', 'edge-2'] });
    });
  });

  describe('with the root key back (a key ceremony)', () => {
    let ceremony: string;
    beforeAll(() => {
      withKeyFiles(pki, { transmissionClients: ['edge-1', 'edge-2'], crl: { rootValidityHours: 8760 } });
      ceremony = output(pki.deploy({ env: ENV }));
    });

    test('the root\'s CRL is signed again with the configured crl.rootValidityHours (a year here), and verifies', () => {
      expect(ceremony).toMatch(/CRL ca\/ca\.crl\.pem: signed, 0 revoked/);
      expect(crlLifetimeDays(pki, 'ca/ca.crl.pem')).toBeCloseTo(365, 2);
      expect(crlVerifies(pki, CA_CERT['root-ca'])).toBe(true);
      expect(crlLifetimeDays(pki, 'ca/transmission/transmission-ca.crl.pem')).toBeCloseTo(30, 2);
    });
  });

  describe('failures stop before any change, with state and files byte-identical', () => {
    const config = () => withKeyFiles(pki, { transmissionClients: ['edge-1', 'edge-2'] });
    const refusedWith = (env: Record<string, string>) => {
      config();
      const before = hashes(pki);
      const result = pki.deploy({ env, allowFailure: true });
      expect(result.status).not.toBe(0);
      expect(hashes(pki)).toEqual(before);
      return output(result);
    };

    test('a wrong passphrase', () => {
      expect(refusedWith({ CHARIOT_TLS_CA_KEY_PASSPHRASE: 'a wrong but long passphrase' })).toMatch(/cannot decrypt .*root-ca.key, the key of root-ca: CHARIOT_TLS_CA_KEY_PASSPHRASE is not its passphrase/);
    });

    test('a key file that is not the CA\'s key', () => {
      const file = keyFile(pki, 'transmission-ca');
      const own = fs.readFileSync(file);
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE });
      fs.writeFileSync(file, other, { mode: 0o600 });
      try {
        expect(refusedWith(ENV)).toMatch(/transmission-ca.key is not the key of transmission-ca: its public key differs from .*transmission-ca.crt/);
      } finally {
        fs.writeFileSync(file, own);
      }
    });

    test('a deleted key file, which never becomes a new CA', () => {
      const file = keyFile(pki, 'transmission-ca');
      const own = fs.readFileSync(file);
      fs.rmSync(file);
      try {
        expect(refusedWith(ENV)).toMatch(/the key file of transmission-ca, .*, is missing, and the CA exists .* restore the file from your backup/);
        expect(fs.existsSync(file)).toBe(false);
      } finally {
        fs.writeFileSync(file, own, { mode: 0o600 });
      }
    });
  });
});

describe('an existing PKI moving its root and Transmission CA keys out of the state', () => {
  const pki = Deployment.create(BASE);
  let before: Record<string, string>;
  let keysBefore: Record<string, string>;
  let moved: string;

  beforeAll(() => {
    pki.deploy();
    const state = JSON.parse(readState(pki));
    keysBefore = Object.fromEntries(FILE_CAS.map((ca) => [ca, state.resources.find((r: any) => r.type === 'tls_private_key' && r.name.startsWith(`pki_${ca}_key_`)).instances[0].attributes.public_key_pem]));
    before = Object.fromEntries(pki.files().map((f) => [f, createHash('sha256').update(fs.readFileSync(pki.file(f))).digest('hex')]));
    withKeyFiles(pki);
    moved = output(pki.deploy({ env: ENV }));
  });

  test('writes each key from the state into its file, and says so', () => {
    for (const ca of FILE_CAS) {
      expect(moved).toContain(`moved the key of ${ca} out of the state into ${keyFile(pki, ca)}`);
      expect(createPublicKey(decrypted(pki, ca)).export({ type: 'spki', format: 'pem' })).toBe(keysBefore[ca]);
    }
  });

  test('the state holds no trace of the keys afterwards', () => {
    const state = readState(pki);
    for (const ca of FILE_CAS) expect([ca, keyLinesIn(state, decrypted(pki, ca))]).toEqual([ca, 0]);
  });

  test('no certificate, key or file changed: same keys, same certificates, no leaf re-issued', () => {
    const after = Object.fromEntries(pki.files().map((f) => [f, createHash('sha256').update(fs.readFileSync(pki.file(f))).digest('hex')]));
    expect(after).toEqual(before);
  });

  test('the next deploy has nothing to do', () => {
    pki.deploy({ env: ENV });
    expect(pki.engineLog('deploy')).toMatch(/No changes\./);
  });
});
