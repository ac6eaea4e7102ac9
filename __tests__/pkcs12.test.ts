import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChariotPki, PkiInventory } from '../lib';
import { Pkcs12Error, Pkcs12Outcome, Pkcs12Target, pkcs12Password, pkcs12Targets, readPkcs12, writePkcs12 } from '../app/pkcs12';
import { TestKey, certificatePem, rsaKey } from './helpers/certificates';
import { synth } from './helpers/synth';
import { run } from './integration/helpers/run';

const PASSWORD = 'correct horse battery';

function inventoryFor(outputDirectory: string): PkiInventory {
  let inventory: PkiInventory | undefined;
  synth((scope) => {
    const pki = new ChariotPki(scope, 'pki', { outputDirectory, server: { dnsNames: ['chariot.example.com'] }, engineClients: ['engine-a'] });
    inventory = PkiInventory.of(pki);
  });
  return inventory!;
}

describe('pkcs12Password', () => {
  test('is read from the named variable', () => {
    expect(pkcs12Password({ MY_P12: PASSWORD }, 'MY_P12')).toBe(PASSWORD);
  });

  test('an unset variable is an error that names it and the fix', () => {
    expect(() => pkcs12Password({}, 'MY_P12')).toThrow(new Pkcs12Error('PKCS#12 output is on (configuration "pkcs12") but MY_P12 is not set; export MY_P12 with the key store password, or remove "pkcs12" from the configuration'));
  });

  test('a password keytool would refuse is an error that does not show it', () => {
    let message = '';
    try {
      pkcs12Password({ MY_P12: 'abc12' }, 'MY_P12');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('MY_P12 is shorter than 6 characters, which keytool refuses; use a longer password');
  });
});

describe('pkcs12Targets', () => {
  const out = '/srv/pki';
  const targets = pkcs12Targets(inventoryFor(out), out);

  test('one per server and client certificate, none for a CA', () => {
    expect(targets.map((t) => t.file)).toEqual([`${out}/certs/engine/engine-a/client.p12`, `${out}/certs/server/server.p12`]);
  });

  test('the server\'s holds its PKCS#1 key and its chain up to the root, aliased by its common name', () => {
    expect(targets[1]).toEqual({
      file: `${out}/certs/server/server.p12`,
      keyFile: `${out}/certs/server/server.key`,
      certFiles: [`${out}/certs/server/server.crt`, `${out}/ca/server/server-ca.crt`, `${out}/ca/ca.crt`],
      friendlyName: 'chariot.example.com',
    });
  });

  test('a client\'s chain goes through its own issuing CA, not the CA it trusts', () => {
    expect(targets[0].certFiles).toEqual([`${out}/certs/engine/engine-a/cert.pem`, `${out}/ca/engine/engine-ca.crt`, `${out}/ca/ca.crt`]);
    expect(targets[0].friendlyName).toBe('engine-a');
  });
});

describe('writePkcs12', () => {
  let dir: string;
  let target: Pkcs12Target;
  let leafKey: TestKey;
  let issuing: { commonName: string; key: TestKey };

  /** A root, an issuing CA and a leaf under a fresh directory, as a deploy writes them. */
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-p12-'));
    const root = { commonName: 'Test Root CA', key: rsaKey() };
    issuing = { commonName: 'Test Issuing CA', key: rsaKey() };
    leafKey = rsaKey();
    const write = (name: string, content: string) => fs.writeFileSync(path.join(dir, name), content);
    write('root.crt', certificatePem({ ...root, isCa: true }));
    write('issuing.crt', certificatePem({ ...issuing, issuer: root, isCa: true }));
    write('cert.pem', certificatePem({ commonName: 'edge-1', key: leafKey, issuer: issuing }));
    write('private.key', leafKey.privateKeyPem);
    target = { file: path.join(dir, 'client.p12'), keyFile: path.join(dir, 'private.key'), certFiles: ['cert.pem', 'issuing.crt', 'root.crt'].map((f) => path.join(dir, f)), friendlyName: 'edge-1' };
  });

  const fingerprints = (files: string[]) => files.map((f) => new X509Certificate(fs.readFileSync(f)).fingerprint256);
  const mode = () => (fs.statSync(target.file).mode & 0o777).toString(8);

  test('writes the key and the chain, in order, under the alias, readable by its owner only', () => {
    expect(writePkcs12(target, PASSWORD)).toBe(Pkcs12Outcome.CREATED);
    expect(mode()).toBe('600');
    const contents = readPkcs12(target.file, PASSWORD);
    expect(contents.keys).toHaveLength(1);
    expect(contents.keys[0].friendlyName).toBe('edge-1');
    expect(contents.keys[0].key.n.equals(leafKey.forgeKey.n)).toBe(true);
    expect(contents.certificates.map((c) => c.certificate.subject.getField('CN').value)).toEqual(['edge-1', 'Test Issuing CA', 'Test Root CA']);
  });

  test('OpenSSL opens it with the password and finds the same certificates, byte for byte', () => {
    writePkcs12(target, PASSWORD);
    const out = run('openssl', ['pkcs12', '-in', target.file, '-passin', 'env:P12_PASSWORD', '-nokeys'], { env: { ...process.env, P12_PASSWORD: PASSWORD } }).stdout;
    const found = (out.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem).fingerprint256);
    expect(found).toEqual(fingerprints(target.certFiles));
    expect(run('openssl', ['pkcs12', '-in', target.file, '-passin', 'pass:wrong-password', '-nokeys'], { allowFailure: true }).status).not.toBe(0);
  });

  test('leaves a file that holds the same key, chain and alias alone, and restores its mode', () => {
    writePkcs12(target, PASSWORD);
    const before = fs.readFileSync(target.file);
    fs.chmodSync(target.file, 0o644);
    expect(writePkcs12(target, PASSWORD)).toBe(Pkcs12Outcome.UNCHANGED);
    expect(fs.readFileSync(target.file).equals(before)).toBe(true);
    expect(mode()).toBe('600');
  });

  test('rewrites it when the password changes: only the new one opens it', () => {
    writePkcs12(target, PASSWORD);
    expect(writePkcs12(target, 'another password')).toBe(Pkcs12Outcome.UPDATED);
    expect(() => readPkcs12(target.file, PASSWORD)).toThrow();
    expect(readPkcs12(target.file, 'another password').keys).toHaveLength(1);
  });

  test('rewrites it when the certificate is renewed', () => {
    writePkcs12(target, PASSWORD);
    fs.writeFileSync(target.certFiles[0], certificatePem({ commonName: 'edge-1', key: leafKey, issuer: issuing }));
    expect(writePkcs12(target, PASSWORD)).toBe(Pkcs12Outcome.UPDATED);
    expect(readPkcs12(target.file, PASSWORD).certificates.map((c) => c.certificate.serialNumber)[0])
      .toBe(new X509Certificate(fs.readFileSync(target.certFiles[0])).serialNumber.toLowerCase());
  });

  test('rewrites it when the alias changes', () => {
    writePkcs12(target, PASSWORD);
    expect(writePkcs12({ ...target, friendlyName: 'edge-one' }, PASSWORD)).toBe(Pkcs12Outcome.UPDATED);
  });

  test('an ECDSA key is refused with the file name and without its content', () => {
    fs.writeFileSync(target.keyFile, '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n');
    expect(() => writePkcs12(target, PASSWORD)).toThrow(`${target.keyFile}: not an RSA private key; PKCS#12 output supports RSA keys (the default) only`);
  });
});
