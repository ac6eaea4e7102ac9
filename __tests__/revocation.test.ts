import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { certificateIds } from '../app/crl';
import { loadConfig } from '../app/config';
import { recordRevocations, removeRevokedClientFiles } from '../app/revocation';
import { DEFAULT_CRL_POLICY, RevocationError } from '../app/revocation-config';
import { REVOCATION_RECORD_FILE, readRevocationRecord, writeRevocationRecord } from '../app/revocation-record';
import { OpensslCa, opensslCa } from './helpers/openssl-ca';

// openssl makes RSA keys for each certificate: seconds on a busy machine.
jest.setTimeout(60_000);

let ca: OpensslCa;
beforeAll(() => {
  ca = opensslCa('Transmission CA');
});
afterAll(() => ca.remove());

const NOW = new Date('2026-12-01T20:00:00.123Z');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-revocation-'));
}

/** A `show -json` state holding these client certificates, as the tls provider stores them. */
function stateWith(...certPems: string[]): any {
  return {
    values: {
      root_module: {
        resources: certPems.map((pem, i) => ({ address: `tls_locally_signed_cert.c${i}`, type: 'tls_locally_signed_cert', values: { cert_pem: pem, is_ca_certificate: false } })),
      },
    },
  };
}

/** A deployment's output directory holding `certs/transmission/NAME/cert.pem`. */
function outputWith(dir: string, name: string, pem: string): string {
  const out = path.join(dir, 'pki');
  fs.mkdirSync(path.join(out, 'certs', 'transmission', name), { recursive: true });
  fs.writeFileSync(path.join(out, 'certs', 'transmission', name, 'cert.pem'), pem);
  return out;
}

const neverRead = async () => {
  throw new Error('the state was read');
};

describe('recording a revocation before the engine destroys the certificate', () => {
  test('records the serial, group, issuer, key identifier, date and reason of the certificate the state holds', async () => {
    const dir = tempDir();
    const edge = ca.issue('edge-2', 'transmission').certPem;
    const out = outputWith(dir, 'edge-2', edge);
    const added = await recordRevocations([{ name: 'edge-2', reason: 'keyCompromise' }], dir, out, async () => stateWith(edge), NOW);
    const ids = certificateIds(edge);
    expect(added).toEqual([{
      name: 'edge-2', kind: 'transmission', serial: ids.serial, issuer: 'CN=Transmission CA, O=Test', authorityKeyId: ids.authorityKeyId,
      revokedAt: '2026-12-01T20:00:00Z', reason: 'keyCompromise',
    }]);
    expect(readRevocationRecord(dir)).toEqual(added);
  });

  test('the record has one revoked certificate per line, so a revocation is a one-line diff', async () => {
    const dir = tempDir();
    const [a, b] = [ca.issue('edge-1', 'transmission').certPem, ca.issue('edge-2', 'transmission').certPem];
    await recordRevocations([{ name: 'edge-1', reason: 'superseded' }], dir, outputWith(dir, 'edge-1', a), async () => stateWith(a, b), NOW);
    const before = fs.readFileSync(path.join(dir, REVOCATION_RECORD_FILE), 'utf8').split('\n');
    await recordRevocations([{ name: 'edge-2', reason: 'keyCompromise' }], dir, outputWith(dir, 'edge-2', b), async () => stateWith(b), new Date(NOW.getTime() + 1000));
    const after = fs.readFileSync(path.join(dir, REVOCATION_RECORD_FILE), 'utf8').split('\n');
    const added = after.filter((line) => !before.includes(line.replace(/,$/, '')) && !before.includes(line));
    expect(added).toHaveLength(1);
    expect(added[0]).toContain('"name":"edge-2"');
  });

  test('a client revoked and later issued again: its new certificate is recorded too, and the old serial stays', async () => {
    const dir = tempDir();
    const [old, renewed] = [ca.issue('edge-2', 'transmission').certPem, ca.issue('edge-2', 'transmission').certPem];
    await recordRevocations([{ name: 'edge-2', reason: 'keyCompromise' }], dir, outputWith(dir, 'edge-2', old), async () => stateWith(old), NOW);
    await recordRevocations([{ name: 'edge-2', reason: 'cessationOfOperation' }], dir, outputWith(dir, 'edge-2', renewed), async () => stateWith(renewed), NOW);
    expect(readRevocationRecord(dir).map((r) => [r.serial, r.reason])).toEqual([
      [certificateIds(old).serial, 'keyCompromise'],
      [certificateIds(renewed).serial, 'cessationOfOperation'],
    ].sort((x, y) => x[0].localeCompare(y[0])));
  });

  test('once recorded and its files are gone, later deploys do not read the state for it', async () => {
    const dir = tempDir();
    writeRevocationRecord(dir, [{ name: 'edge-2', kind: 'transmission', serial: '1f', issuer: 'CN=x', authorityKeyId: 'ab', revokedAt: '2026-11-01T00:00:00Z', reason: 'keyCompromise' }]);
    await expect(recordRevocations([{ name: 'edge-2', reason: 'keyCompromise' }], dir, path.join(dir, 'pki'), neverRead, NOW)).resolves.toEqual([]);
  });

  test("a site client's certificate in certs/transmission/SITE/NAME/ is recorded again once re-issued", async () => {
    const dir = tempDir();
    const renewed = ca.issue('ns-1', 'transmission').certPem;
    writeRevocationRecord(dir, [{ name: 'ns-1', kind: 'transmission', serial: '1f', issuer: 'CN=x', authorityKeyId: 'ab', revokedAt: '2026-11-01T00:00:00Z', reason: 'keyCompromise' }]);
    const added = await recordRevocations([{ name: 'ns-1', reason: 'keyCompromise' }], dir, outputWith(dir, 'north-sea/ns-1', renewed), async () => stateWith(renewed), NOW);
    expect(added.map((r) => r.serial)).toEqual([certificateIds(renewed).serial]);
  });

  test("a revoked site client's PKCS#12 file and empty folder are removed, and its site's folder stays", () => {
    const out = path.join(tempDir(), 'pki');
    const site = path.join(out, 'certs', 'transmission', 'north-sea');
    fs.mkdirSync(path.join(site, 'ns-1'), { recursive: true });
    fs.mkdirSync(path.join(site, 'ns-2'));
    fs.writeFileSync(path.join(site, 'ns-1', 'client.p12'), 'p12');
    expect(removeRevokedClientFiles([{ name: 'ns-1', reason: 'keyCompromise' }], out)).toEqual([path.join(site, 'ns-1', 'client.p12')]);
    expect(fs.readdirSync(site)).toEqual(['ns-2']);
  });

  test('a revoked name with no certificate in the state and none in the record is refused, recording nothing', async () => {
    const dir = tempDir();
    const promise = recordRevocations([{ name: 'edge-7', reason: 'keyCompromise' }], dir, path.join(dir, 'pki'), async () => stateWith(), NOW);
    await expect(promise).rejects.toThrow(RevocationError);
    await expect(recordRevocations([{ name: 'edge-7', reason: 'keyCompromise' }], dir, path.join(dir, 'pki'), async () => stateWith(), NOW))
      .rejects.toThrow(`revoked "edge-7": no client of that name has a certificate in the state, and ${REVOCATION_RECORD_FILE} has no entry for it`);
    expect(fs.existsSync(path.join(dir, REVOCATION_RECORD_FILE))).toBe(false);
  });

  test('a damaged record is refused with the file named, never overwritten', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, REVOCATION_RECORD_FILE), '{"formatVersion": 1, "revoked": [{"name": 3}]}');
    expect(() => readRevocationRecord(dir)).toThrow(`${path.join(dir, REVOCATION_RECORD_FILE)}: not a revocation record`);
  });
});

describe('configuration of revocation', () => {
  function load(config: unknown) {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'c.json'), JSON.stringify(config));
    return loadConfig({ CHARIOT_TLS_CONFIG: path.join(dir, 'c.json') });
  }

  test('a revoked client is issued no certificate even while it is still listed', () => {
    const config = load({ transmissionClients: ['edge-1', 'edge-2'], engineClients: ['engine'], revoked: [{ name: 'edge-2', reason: 'keyCompromise' }] });
    expect(config.pki.transmissionClients).toEqual(['edge-1']);
    expect(config.pki.engineClients).toEqual(['engine']);
    expect(config.revocation.revoked).toEqual([{ name: 'edge-2', reason: 'keyCompromise' }]);
  });

  test('a revoked site client is issued no certificate either; its site keeps the others', () => {
    const config = load({ sites: { 'north-sea': { transmissionClients: ['ns-1', 'ns-2'], issuingCa: true } }, revoked: [{ name: 'ns-1', reason: 'keyCompromise' }] });
    expect(config.pki.sites).toEqual({ 'north-sea': { transmissionClients: ['ns-2'], issuingCa: true } });
  });

  test('CRLs are valid 30 days, the root\'s 180, and signed again 14 days before nextUpdate by default; each can be set', () => {
    expect(load({ engineClients: ['e'] }).revocation).toEqual({ revoked: [], crl: { validityHours: 720, rootValidityHours: 4320, earlyRenewalHours: 336 } });
    expect(DEFAULT_CRL_POLICY).toEqual({ validityHours: 720, rootValidityHours: 4320, earlyRenewalHours: 336 });
    expect(load({ engineClients: ['e'], crl: { validityHours: 0.05, earlyRenewalHours: 0.01 } }).revocation.crl).toEqual({ validityHours: 0.05, rootValidityHours: 4320, earlyRenewalHours: 0.01 });
    expect(load({ engineClients: ['e'], crl: { rootValidityHours: 8760 } }).revocation.crl).toEqual({ validityHours: 720, rootValidityHours: 8760, earlyRenewalHours: 336 });
  });

  test.each([
    [{ revoked: [{ name: 'edge-2', reason: 'stolen' }] }, 'revoked[0].reason "stolen": must be one of unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn'],
    [{ revoked: [{ name: '../x', reason: 'keyCompromise' }] }, 'revoked[0].name "../x": must be the name of an Engine or Transmission client'],
    [{ revoked: [{ name: 'a', reason: 'keyCompromise' }, { name: 'a', reason: 'superseded' }] }, 'names a client more than once'],
    [{ revoked: [{ name: 'a' }] }, 'revoked[0].reason'],
    [{ crl: { validityHours: 24, earlyRenewalHours: 48 } }, 'earlyRenewalHours must be less than validityHours'],
    [{ crl: { validityHours: 0 } }, 'crl.validityHours 0: must be more than 0'],
    [{ crl: { rootValidityHours: -1 } }, 'crl.rootValidityHours -1: must be more than 0'],
    [{ crl: { rootValidityHours: 'a year' } }, 'crl.rootValidityHours "a year": '],
    [{ crl: { rootValidityHours: 300 } }, 'crl.rootValidityHours 300: must be more than earlyRenewalHours (336), or every deploy re-signs the root\'s CRL, which an offline root key cannot; the default is 4320 (180 days)'],
    [{ crl: { rootValidityHours: 100, earlyRenewalHours: 200, validityHours: 300 } }, 'crl.rootValidityHours 100: must be more than earlyRenewalHours (200)'],
    [{ crl: { rootValidityDays: 180 } }, 'unknown field(s) "rootValidityDays"'],
  ])('%j is refused: %s', (config, message) => {
    expect(() => load({ engineClients: ['e'], ...config })).toThrow(message);
  });
});
