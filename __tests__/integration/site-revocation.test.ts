/**
 * Revoking site clients with sites in their own state (`siteStates`), on real deploys: a client of north-sea (signed
 * by its site CA) and one of baltic (signed by the Transmission CA). Their serials are read from their sites' states
 * before the site engines destroy them; each lands in its signing CA's CRL, openssl -crl_check refuses the revoked
 * and accepts its sibling, and a further deploy changes nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readRevocationRecord } from '../../app/revocation-record';
import { Deployment } from './helpers/deployment';
import { RunResult, run } from './helpers/run';
import { SITE_STATES_CONFIG } from './helpers/site-states';

jest.setTimeout(20 * 60_000);

const REVOKED = ['north-sea/ns-1', 'baltic/bt-1'];
const KEPT = ['north-sea/ns-2', 'baltic/bt-2'];
const CONFIG = { ...SITE_STATES_CONFIG, revoked: REVOKED.map((c) => ({ name: path.basename(c), reason: 'keyCompromise' })) };

let pki: Deployment;
/** The revoked clients' folders as they were before revocation, as uploaded to their gateways. */
let taken: string;
let revokedRun: RunResult;
let fingerprints: Record<string, string>;
let further: RunResult;
let crlsAfterRevocation: string[];

const CRLS = ['ca/transmission/north-sea/site-ca.crl.pem', 'ca/transmission/transmission-ca.crl.pem'];
const siteState = (site: string) => path.join(pki.dir, 'terraform.sites', `${site}.tfstate`);
const serialOf = (cert: string) => run('openssl', ['x509', '-in', cert, '-noout', '-serial']).stdout.trim().split('=')[1];
const fingerprintsOf = (clients: string[]) => Object.fromEntries(clients.map((c) => [c, pki.fingerprint(`certs/transmission/${c}/cert.pem`)]));

/** openssl verify -crl_check of a client certificate, with the CAs and the CRLs the server has. */
function verifyWithCrl(cert: string): RunResult {
  return run('openssl', ['verify', '-x509_strict', '-crl_check', '-purpose', 'sslclient', '-CAfile', pki.file('ca/ca.crt'),
    '-untrusted', pki.file('certs/server/client-ca.pem'), '-CRLfile', pki.file('certs/server/crl.pem'), cert], { allowFailure: true });
}

beforeAll(() => {
  pki = Deployment.create(SITE_STATES_CONFIG);
  taken = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-taken-'));
  pki.deploy();
  for (const client of REVOKED) fs.cpSync(pki.file(`certs/transmission/${client}`), path.join(taken, client), { recursive: true });
  fingerprints = fingerprintsOf(KEPT);
  pki.configure(CONFIG);
  revokedRun = pki.deploy();
  crlsAfterRevocation = CRLS.map((f) => pki.read(f));
  further = pki.deploy();
});

afterAll(() => [pki.dir, taken].forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

describe('revoking a client held in its site\'s state', () => {
  test('records each revoked client\'s serial, read from its site\'s state, in pki-revocations.json', () => {
    const record = readRevocationRecord(pki.dir);
    expect(record.map((e) => [e.name, e.serial]).sort()).toEqual(REVOKED.map((c) => [path.basename(c), serialOf(path.join(taken, c, 'cert.pem')).toLowerCase().replace(/^0+/, '')]).sort());
    expect(revokedRun.stdout).toMatch(/revoked transmission\/ns-1: serial \S+ \(keyCompromise\)/);
  });

  test('the CRL of each revoked client\'s signing CA (the site CA, the Transmission CA) lists its serial', () => {
    const [siteCa, transmissionCa] = CRLS.map((f) => run('openssl', ['crl', '-in', pki.file(f), '-noout', '-text']).stdout);
    expect(siteCa).toContain(`Serial Number: ${serialOf(path.join(taken, 'north-sea/ns-1/cert.pem'))}`);
    expect(transmissionCa).toContain(`Serial Number: ${serialOf(path.join(taken, 'baltic/bt-1/cert.pem'))}`);
    expect(siteCa).not.toContain(serialOf(path.join(taken, 'baltic/bt-1/cert.pem')));
  });

  test('openssl verify -crl_check refuses each revoked client and accepts its sibling', () => {
    for (const client of REVOKED) expect({ client, out: verifyWithCrl(path.join(taken, client, 'cert.pem')).stderr }).toEqual({ client, out: expect.stringContaining('certificate revoked') });
    for (const client of KEPT) expect({ client, status: verifyWithCrl(pki.file(`certs/transmission/${client}/cert.pem`)).status }).toEqual({ client, status: 0 });
  });

  test('its files are gone; the site\'s other clients keep their certificates', () => {
    for (const client of REVOKED) expect(fs.existsSync(pki.file(`certs/transmission/${client}`))).toBe(false);
    expect(fingerprintsOf(KEPT)).toEqual(fingerprints);
  });

  test('its key is in neither its site\'s state nor that state\'s .backup', () => {
    for (const client of REVOKED) {
      const key = fs.readFileSync(path.join(taken, client, 'private.key'), 'utf8').split('\n').find((line) => line.length === 64)!;
      const site = path.dirname(client);
      expect({ client, state: fs.readFileSync(siteState(site), 'utf8').includes(key), backup: fs.readFileSync(`${siteState(site)}.backup`, 'utf8').includes(key) })
        .toEqual({ client, state: false, backup: false });
    }
  });

  test('a further deploy changes nothing: no certificate, no CRL', () => {
    expect(further.stdout).toMatch(/^Certificates: no change\.$/m);
    expect(CRLS.map((f) => pki.read(f))).toEqual(crlsAfterRevocation);
    expect(fingerprintsOf(KEPT)).toEqual(fingerprints);
  });
});

describe('revoking a site client with --site deploys', () => {
  let otherSite: RunResult;
  let ownSite: RunResult;
  let serial: string;
  let keptAfterOther: boolean;

  beforeAll(() => {
    serial = serialOf(pki.file('certs/transmission/north-sea/ns-2/cert.pem'));
    pki.configure({ ...CONFIG, revoked: [...CONFIG.revoked, { name: 'ns-2', reason: 'superseded' }] });
    otherSite = pki.deploy({ args: ['--site', 'baltic'] });
    keptAfterOther = fs.existsSync(pki.file('certs/transmission/north-sea/ns-2/private.key'));
    ownSite = pki.deploy({ args: ['--site', 'north-sea'] });
  });

  test('a deploy of another site leaves it to its own site\'s deploy: not recorded, its files kept', () => {
    expect(otherSite.stdout).not.toContain('revoked transmission/ns-2');
    expect(keptAfterOther).toBe(true);
  });

  test('the deploy of its site records it, removes its files, and its site CA\'s CRL lists it', () => {
    expect(ownSite.stdout).toMatch(/revoked transmission\/ns-2: serial \S+ \(superseded\)/);
    expect(readRevocationRecord(pki.dir).map((e) => e.name)).toContain('ns-2');
    expect(fs.existsSync(pki.file('certs/transmission/north-sea/ns-2'))).toBe(false);
    expect(run('openssl', ['crl', '-in', pki.file(CRLS[0]), '-noout', '-text']).stdout).toContain(`Serial Number: ${serial}`);
  });
});
