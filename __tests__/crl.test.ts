import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { certificateIds, isSignedBy, readCrl, signCrl } from '../app/crl';
import { OpensslCa, opensslCa } from './helpers/openssl-ca';

// openssl makes RSA keys for each certificate: seconds on a busy machine.
jest.setTimeout(60_000);

let ca: OpensslCa;
let other: OpensslCa;

beforeAll(() => {
  ca = opensslCa('Transmission CA');
  other = opensslCa('Other CA');
});
afterAll(() => [ca, other].forEach((c) => c.remove()));

const HOUR = 3_600_000;
const content = (serials: string[], crlNumber = 1700000000) => ({
  entries: serials.map((serial) => ({ serial, revokedAt: new Date('2026-11-30T12:00:00Z'), reasonCode: 1 })),
  thisUpdate: new Date(Date.now() - 60_000),
  nextUpdate: new Date(Date.now() + 720 * HOUR),
  crlNumber,
});

function writeCrl(pem: string, name: string): string {
  const file = path.join(ca.dir, name);
  fs.writeFileSync(file, pem);
  return file;
}

describe('signCrl', () => {
  test('signs a CRL that openssl verifies against the CA, listing each serial with its reason, the CRL number and the key identifier', async () => {
    const edge = certificateIds(ca.issue('edge-2', 'transmission').certPem);
    const file = writeCrl(await signCrl(ca.certPem, ca.keyPem, content([edge.serial], 1700000042)), 'one.crl.pem');
    const result = spawnSync('openssl', ['crl', '-in', file, '-noout', '-text', '-CAfile', ca.certFile, '-verify'], { encoding: 'utf8' });
    expect(result.stderr).toMatch(/verify OK/);
    const text = result.stdout;
    expect(text).toMatch(/Version 2/);
    expect(text).toMatch(/X509v3 CRL Number:\s+1700000042/);
    expect(text).toContain(`${edge.authorityKeyId.toUpperCase().match(/../g)!.join(':')}`);
    expect(text).toMatch(new RegExp(`Serial Number: 0*${edge.serial.toUpperCase()}[\\s\\S]+Key Compromise`));
  });

  test('an empty CRL (no revoked serials) is still a valid, signed CRL', async () => {
    const file = writeCrl(await signCrl(ca.certPem, ca.keyPem, content([])), 'empty.crl.pem');
    const result = spawnSync('openssl', ['crl', '-in', file, '-noout', '-text', '-CAfile', ca.certFile, '-verify'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/verify OK/);
    expect(result.stdout).toContain('No Revoked Certificates');
  });

  test('openssl verify -crl_check refuses a revoked client certificate and accepts another one of the same CA', async () => {
    const revoked = ca.issue('edge-2', 'transmission');
    const good = ca.issue('edge-3', 'transmission');
    const file = writeCrl(await signCrl(ca.certPem, ca.keyPem, content([certificateIds(revoked.certPem).serial])), 'check.crl.pem');
    const verify = (cert: string) => spawnSync('openssl', ['verify', '-crl_check', '-purpose', 'sslclient', '-CAfile', ca.certFile, '-CRLfile', file, cert], { encoding: 'utf8' });
    expect(verify(revoked.certFile).stdout + verify(revoked.certFile).stderr).toMatch(/certificate revoked/);
    expect(verify(good.certFile).status).toBe(0);
  });

  test('refuses to sign with a key that is not the CA\'s, so a wrong key is never published', async () => {
    await expect(signCrl(ca.certPem, other.keyPem, content([]))).rejects.toThrow(/does not match its certificate; no CRL was written/);
  });
});

describe('readCrl and isSignedBy', () => {
  test('read back the CRL number, the update times and the entries; the signature is checked against a CA certificate', async () => {
    const c = content(['1f', 'a0b1'], 1700000007);
    const pem = await signCrl(ca.certPem, ca.keyPem, c);
    const read = readCrl(pem)!;
    expect(read.crlNumber).toBe(1700000007);
    expect(read.nextUpdate.getTime()).toBe(Math.floor(c.nextUpdate.getTime() / 1000) * 1000);
    expect(read.entries.map((e) => [e.serial, e.reasonCode])).toEqual([['1f', 1], ['a0b1', 1]]);
    expect(await isSignedBy(pem, ca.certPem)).toBe(true);
    expect(await isSignedBy(pem, other.certPem)).toBe(false);
  });

  test('something that is not a CRL reads as undefined', () => {
    expect(readCrl('-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n')).toBeUndefined();
  });
});

describe('certificateIds', () => {
  test('reads the serial, CN and OU, and the key identifiers that tie a client to its CA', () => {
    const issued = ca.issue('edge-9', 'transmission');
    const ids = certificateIds(issued.certPem);
    const serial = execFileSync('openssl', ['x509', '-in', issued.certFile, '-noout', '-serial']).toString().trim().split('=')[1];
    expect(ids.serial).toBe(serial.toLowerCase().replace(/^0+/, ''));
    expect([ids.commonName, ids.organizationalUnit]).toEqual(['edge-9', 'transmission']);
    expect(ids.authorityKeyId).toBe(certificateIds(ca.certPem).subjectKeyId);
    expect(ids.authorityKeyId).toMatch(/^[0-9a-f]{40}$/);
  });
});
