import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChariotPki, PkiInventory } from '../lib';
import { THIRD_PARTY_BROKER } from '../lib/products/third-party-broker';
import { Pkcs12Outcome } from '../app/pkcs12';
import {
  ANY_EXTENDED_KEY_USAGE, ORACLE_TRUSTED_KEY_USAGE, TrustStoreTarget, readTrustStore, trustStoreDer, trustStoreTargets, trustedCertificates, writeTrustStore,
} from '../app/trust-store';
import { TestKey, certificatePem, rsaKey } from './helpers/certificates';
import { synth } from './helpers/synth';
import { run } from './integration/helpers/run';

const PASSWORD = 'correct horse battery';

/** A CA for hand-made bundles: its name, key and certificate. */
interface TestCa {
  readonly commonName: string;
  readonly key: TestKey;
  readonly pem: string;
}

const root: TestCa = (() => {
  const key = rsaKey();
  return { commonName: 'Test Root CA', key, pem: certificatePem({ commonName: 'Test Root CA', key, isCa: true }) };
})();

function issuingCa(commonName: string): TestCa {
  const key = rsaKey();
  return { commonName, key, pem: certificatePem({ commonName, key, issuer: root, isCa: true }) };
}

const engineCa = issuingCa('Test Engine CA');
const transmissionCa = issuingCa('Test Transmission CA');

/** What `openssl pkcs12 -info` says about a store: its MAC line and each bag's attributes and subject. */
function opensslInfo(file: string, password: string): string {
  const result = run('openssl', ['pkcs12', '-info', '-in', file, '-passin', 'env:P12', '-nokeys'], { env: { ...process.env, P12: password } });
  return result.stderr + result.stdout;
}

describe('trustStoreTargets', () => {
  test('one per server, client-truststore.p12 beside its client-ca.pem; none for a client', () => {
    let inventory: PkiInventory | undefined;
    synth((scope) => {
      inventory = PkiInventory.of(new ChariotPki(scope, 'pki', {
        outputDirectory: '/srv/pki', server: { dnsNames: ['chariot.example.com'] }, engineClients: ['engine-a'],
        servers: [{ name: 'broker', dnsNames: ['broker.example.com'], product: THIRD_PARTY_BROKER }],
      }));
    });
    expect(trustStoreTargets(inventory!, '/srv/pki').sort((a, b) => a.file.localeCompare(b.file))).toEqual([
      { file: '/srv/pki/certs/server/client-truststore.p12', caFile: '/srv/pki/certs/server/client-ca.pem' },
      { file: '/srv/pki/certs/servers/broker/client-truststore.p12', caFile: '/srv/pki/certs/servers/broker/client-ca.pem' },
    ]);
  });
});

describe('trustedCertificates', () => {
  test('one entry per certificate of the bundle, in its order, aliased by its common name', () => {
    const entries = trustedCertificates(engineCa.pem + transmissionCa.pem + root.pem);
    expect(entries.map((e) => e.alias)).toEqual(['Test Engine CA', 'Test Transmission CA', 'Test Root CA']);
    expect(entries.map((e) => new X509Certificate(e.der).fingerprint256)).toEqual([engineCa, transmissionCa, root].map((c) => new X509Certificate(c.pem).fingerprint256));
  });

  test('a common name already taken, in any case, gets a number: Java aliases ignore case', () => {
    const again = issuingCa('TEST ENGINE CA');
    expect(trustedCertificates(engineCa.pem + again.pem + issuingCa('Test Engine CA').pem).map((e) => e.alias)).toEqual(['Test Engine CA', 'TEST ENGINE CA 2', 'Test Engine CA 3']);
  });

  test('during a rotation, both generations of a CA are entries of their own', () => {
    const g2 = issuingCa('Test Transmission CA G2');
    expect(trustedCertificates(engineCa.pem + transmissionCa.pem + g2.pem + root.pem).map((e) => e.alias))
      .toEqual(['Test Engine CA', 'Test Transmission CA', 'Test Transmission CA G2', 'Test Root CA']);
  });
});

describe('the PKCS#12 trust store', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-truststore-'));
    file = path.join(dir, 'client-truststore.p12');
    fs.writeFileSync(file, trustStoreDer(trustedCertificates(engineCa.pem + root.pem), PASSWORD));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("every certificate bag carries Oracle's trusted key usage (anyExtendedKeyUsage) and its alias, as OpenSSL reads it", () => {
    const info = opensslInfo(file, PASSWORD);
    expect(info).toMatch(/MAC: sha256, Iteration 2048/);
    const bags = info.split('Bag Attributes').slice(1);
    expect(bags).toHaveLength(2);
    expect(bags.map((b) => /friendlyName: (.*)/.exec(b)?.[1])).toEqual(['Test Engine CA', 'Test Root CA']);
    for (const bag of bags) expect(bag).toContain(`${ORACLE_TRUSTED_KEY_USAGE}: `);
  });

  test('holds no key', () => {
    const keys = run('openssl', ['pkcs12', '-in', file, '-passin', 'env:P12', '-nocerts', '-nodes'], { env: { ...process.env, P12: PASSWORD } }).stdout;
    expect(keys).not.toContain('PRIVATE KEY');
  });

  test('reads back as the same entries, each trusted for any usage', () => {
    expect(readTrustStore(fs.readFileSync(file), PASSWORD).map((e) => [e.alias, new X509Certificate(e.der).subject, e.trustedUsages])).toEqual([
      ['Test Engine CA', 'CN=Test Engine CA', [ANY_EXTENDED_KEY_USAGE]],
      ['Test Root CA', 'CN=Test Root CA', [ANY_EXTENDED_KEY_USAGE]],
    ]);
  });

  test('does not open with another password, in OpenSSL or here', () => {
    expect(run('openssl', ['pkcs12', '-in', file, '-passin', 'pass:not-the-password', '-nokeys'], { allowFailure: true }).status).not.toBe(0);
    expect(() => readTrustStore(fs.readFileSync(file), 'not-the-password')).toThrow('the trust store does not open with this password (or it was altered)');
  });

  test('an altered certificate breaks the MAC', () => {
    const der = fs.readFileSync(file);
    const at = der.indexOf(Buffer.from('Test Root CA', 'utf8'), der.length / 2);
    der[at] ^= 1;
    expect(() => readTrustStore(der, PASSWORD)).toThrow('does not open');
  });
});

describe('writeTrustStore', () => {
  let dir: string;
  let target: TrustStoreTarget;
  const mode = () => (fs.statSync(target.file).mode & 0o777).toString(8);
  const aliases = (password = PASSWORD) => readTrustStore(fs.readFileSync(target.file), password).map((e) => e.alias);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-truststore-'));
    target = { file: path.join(dir, 'client-truststore.p12'), caFile: path.join(dir, 'client-ca.pem') };
    fs.writeFileSync(target.caFile, engineCa.pem + transmissionCa.pem + root.pem);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('writes the CAs of client-ca.pem, mode 0644 whatever the umask: certificates are public', () => {
    const umask = process.umask(0o077);
    try {
      expect(writeTrustStore(target, PASSWORD)).toBe(Pkcs12Outcome.CREATED);
    } finally {
      process.umask(umask);
    }
    expect(mode()).toBe('644');
    expect(aliases()).toEqual(['Test Engine CA', 'Test Transmission CA', 'Test Root CA']);
  });

  test('the same CAs and password: the file is left alone, byte for byte', () => {
    writeTrustStore(target, PASSWORD);
    const before = fs.readFileSync(target.file);
    expect(writeTrustStore(target, PASSWORD)).toBe(Pkcs12Outcome.UNCHANGED);
    expect(fs.readFileSync(target.file).equals(before)).toBe(true);
  });

  test('a new generation in client-ca.pem (rotation step 1) rewrites it with both; the old one retired, with the new alone', () => {
    writeTrustStore(target, PASSWORD);
    const g2 = issuingCa('Test Transmission CA G2');
    fs.writeFileSync(target.caFile, engineCa.pem + transmissionCa.pem + g2.pem + root.pem);
    expect(writeTrustStore(target, PASSWORD)).toBe(Pkcs12Outcome.UPDATED);
    expect(aliases()).toEqual(['Test Engine CA', 'Test Transmission CA', 'Test Transmission CA G2', 'Test Root CA']);
    fs.writeFileSync(target.caFile, engineCa.pem + g2.pem + root.pem);
    expect(writeTrustStore(target, PASSWORD)).toBe(Pkcs12Outcome.UPDATED);
    expect(aliases()).toEqual(['Test Engine CA', 'Test Transmission CA G2', 'Test Root CA']);
  });

  test('a new password rewrites it: only the new one opens it', () => {
    writeTrustStore(target, PASSWORD);
    expect(writeTrustStore(target, 'another password')).toBe(Pkcs12Outcome.UPDATED);
    expect(() => aliases()).toThrow('does not open');
    expect(aliases('another password')).toHaveLength(3);
  });

  test('a damaged file is rewritten', () => {
    fs.writeFileSync(target.file, 'not a key store');
    expect(writeTrustStore(target, PASSWORD)).toBe(Pkcs12Outcome.UPDATED);
    expect(aliases()).toHaveLength(3);
  });
});
