import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCrl } from '../../app/crl';
import { readRevocationRecord } from '../../app/revocation-record';
import { Deployment } from './helpers/deployment';
import { Broker, startBroker } from './helpers/mosquitto';
import { publish } from './helpers/mqtt';
import { RunResult, run } from './helpers/run';

/**
 * Revoking a stolen gateway, on real deploys, checked by the peers that read CRLs: openssl verify -crl_check_all,
 * Mosquitto with crlfile, and a Java server and client with PKIX revocation checking. Four deploys: every CA gets
 * an empty CRL; edge-2 is revoked; the CRLs get a lifetime of seconds and expire with no deploy; a deploy with the
 * default lifetime brings everyone back, and edge-2, issued again, gets a new key and serial.
 */
jest.setTimeout(20 * 60_000);

const PASSWORD = 'revocation-test-password';
const BASE = {
  organization: 'Revocation Test',
  caRsaBits: 2048,
  server: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
  engineClients: ['engine'],
  transmissionClients: ['edge-1', 'edge-2'],
  pkcs12: {},
};
const REVOKED = { ...BASE, revoked: [{ name: 'edge-2', reason: 'keyCompromise' }] };
const CA_CRLS = ['ca/ca.crl.pem', 'ca/server/server-ca.crl.pem', 'ca/engine/engine-ca.crl.pem', 'ca/transmission/transmission-ca.crl.pem'];
const JAVA = path.join(__dirname, 'helpers', 'JavaRevocationCheck.java');

let pki: Deployment;
/** What the thief took from edge-2 before it was revoked: its folder, as uploaded to the gateway. */
let stolen: string;
const scratch: string[] = [];

function deploy(config: Record<string, unknown>): RunResult {
  pki.configure(config);
  return pki.deploy({ env: { CHARIOT_TLS_PKCS12_PASSWORD: PASSWORD } });
}

const crl = (file: string) => readCrl(pki.read(file))!;
const serialOf = (certFile: string) => run('openssl', ['x509', '-in', certFile, '-noout', '-serial']).stdout.trim().split('=')[1].toLowerCase().replace(/^0+/, '');

/** openssl verify of a client certificate with every CRL the server has, at `at` (epoch seconds) if given. */
function verifyClient(folder: string, at?: number): RunResult {
  const when = at === undefined ? [] : ['-attime', String(at)];
  return run('openssl', ['verify', '-x509_strict', '-crl_check_all', '-purpose', 'sslclient', ...when, '-CAfile', pki.file('ca/ca.crt'),
    '-untrusted', pki.file('ca/transmission/transmission-ca.crt'), '-CRLfile', pki.file('certs/server/crl.pem'), path.join(folder, 'cert.pem')], { allowFailure: true });
}

/** The Java server (server.p12, client-ca.pem, crl.pem) and a Java client with this folder's client.p12 and ca.pem. */
function javaHandshake(folder: string, at?: number): RunResult {
  const clientCrls = ['ca/server/server-ca.crl.pem', 'ca/ca.crl.pem'].map((f) => pki.file(f)).join(',');
  return run('java', [JAVA, pki.file('certs/server/server.p12'), pki.file('certs/server/client-ca.pem'), pki.file('certs/server/crl.pem'),
    path.join(folder, 'client.p12'), path.join(folder, 'ca.pem'), clientCrls, 'P12', ...(at === undefined ? [] : [String(at)])],
  { env: { ...process.env, P12: PASSWORD }, allowFailure: true });
}

async function withBroker<T>(check: (broker: Broker) => T): Promise<T> {
  const broker = await startBroker({
    cert: pki.file('certs/server/fullchain.pem'), privateKey: pki.file('certs/server/server.key'),
    clientCa: pki.file('certs/server/client-ca.pem'), crlFile: pki.file('certs/server/crl.pem'),
  });
  try {
    return check(broker);
  } finally {
    await broker.stop();
  }
}

const publishAs = (broker: Broker, folder: string) =>
  publish('localhost', broker.port, { ca: path.join(folder, 'ca.pem'), cert: path.join(folder, 'cert.pem'), privateKey: path.join(folder, 'private.key') }, 'spBv1.0/test', 'hello');

beforeAll(() => {
  pki = Deployment.create(BASE);
  stolen = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-stolen-'));
  scratch.push(pki.dir, stolen);
  deploy(BASE);
  fs.cpSync(pki.file('certs/transmission/edge-2'), stolen, { recursive: true });
});

afterAll(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

describe('1. every CA gets a CRL, empty ones included', () => {
  test.each(CA_CRLS)('%s sits beside its CA certificate, is signed by it and lists nothing', (file) => {
    const caCert = pki.file(file.replace('.crl.pem', '.crt'));
    const result = run('openssl', ['crl', '-in', pki.file(file), '-noout', '-text', '-CAfile', caCert, '-verify'], { allowFailure: true });
    expect(result.stderr).toContain('verify OK');
    expect(result.stdout).toContain('No Revoked Certificates');
  });

  test('certs/server/crl.pem holds the CRLs of the CAs the server trusts: Engine, Transmission and Root', () => {
    const bundle = pki.read('certs/server/crl.pem');
    expect(bundle).toBe(['ca/engine/engine-ca.crl.pem', 'ca/transmission/transmission-ca.crl.pem', 'ca/ca.crl.pem'].map((f) => pki.read(f)).join(''));
  });

  test('the CRLs are valid for 30 days by default', () => {
    const { thisUpdate, nextUpdate } = crl('ca/transmission/transmission-ca.crl.pem');
    expect((nextUpdate.getTime() - thisUpdate.getTime()) / 3_600_000).toBeCloseTo(720, 1);
  });
});

describe('2. revoking edge-2 (keyCompromise)', () => {
  let result: RunResult;
  let before: number;
  beforeAll(() => {
    before = crl('ca/transmission/transmission-ca.crl.pem').crlNumber;
    result = deploy(REVOKED);
  });

  test('removes its files, records its serial in pki-revocations.json and lists it in the inventory', () => {
    expect(fs.existsSync(pki.file('certs/transmission/edge-2'))).toBe(false);
    const [entry] = readRevocationRecord(pki.dir);
    expect(entry).toMatchObject({ name: 'edge-2', kind: 'transmission', serial: serialOf(path.join(stolen, 'cert.pem')), reason: 'keyCompromise' });
    expect(fs.readFileSync(path.join(pki.dir, 'pki-inventory.md'), 'utf8')).toContain(`| transmission/edge-2 | \`${entry.serial}\` | CN=Revocation Test Transmission CA, OU=CA, O=Revocation Test | ${entry.revokedAt} | keyCompromise |`);
    expect(result.stdout).toContain(`revoked transmission/edge-2: serial ${entry.serial} (keyCompromise), recorded in pki-revocations.json: commit it`);
  });

  test('the Transmission CA\'s CRL lists the serial with its reason, under a larger CRL number; the others stay as they were', () => {
    const transmission = crl('ca/transmission/transmission-ca.crl.pem');
    expect(transmission.entries.map((e) => [e.serial, e.reasonCode])).toEqual([[serialOf(path.join(stolen, 'cert.pem')), 1]]);
    expect(transmission.crlNumber).toBeGreaterThan(before);
    expect(crl('ca/engine/engine-ca.crl.pem').entries).toEqual([]);
    // Only CRLs it signed are named; a fresh one is left alone, and unmentioned.
    expect(result.stdout).not.toMatch(/CRL ca\/engine\/engine-ca\.crl\.pem/);
    expect(result.stdout).toMatch(/CRL ca\/transmission\/transmission-ca\.crl\.pem: signed, 1 revoked/);
  });

  test('openssl verify -crl_check_all refuses the stolen certificate and accepts edge-1', () => {
    expect(verifyClient(stolen).stderr).toContain('certificate revoked');
    expect(verifyClient(pki.file('certs/transmission/edge-1')).status).toBe(0);
  });

  test('Mosquitto with crlfile refuses the stolen gateway and takes edge-1 and the Engine', async () => {
    await withBroker((broker) => {
      expect(publishAs(broker, stolen).status).not.toBe(0);
      expect(publishAs(broker, pki.file('certs/transmission/edge-1')).status).toBe(0);
      expect(publishAs(broker, pki.file('certs/engine/engine')).status).toBe(0);
    });
  });

  test('a Java server with PKIX revocation checking refuses the stolen gateway and accepts edge-1', () => {
    const refused = javaHandshake(stolen);
    expect(refused.status).toBe(2);
    expect(refused.stdout).toMatch(/refused: server: .*(revoked|Certificate has been revoked)/i);
    expect(javaHandshake(pki.file('certs/transmission/edge-1')).stdout).toBe('accepted\n');
  });
});

describe('3. after nextUpdate passes with no deploy, peers that check CRLs refuse everyone', () => {
  let nextUpdate: Date;
  beforeAll(() => {
    deploy({ ...REVOKED, crl: { validityHours: 0.015, earlyRenewalHours: 0.001 } });
    nextUpdate = crl('certs/server/crl.pem').nextUpdate;
  });

  test('openssl verify and Java, checking as at 20 minutes past nextUpdate, refuse edge-1: the CRL has expired', () => {
    // Java accepts a CRL up to 15 minutes past its nextUpdate (its allowance for clock skew).
    const after = Math.floor(nextUpdate.getTime() / 1000) + 20 * 60;
    expect(verifyClient(pki.file('certs/transmission/edge-1')).status).toBe(0);
    expect(verifyClient(pki.file('certs/transmission/edge-1'), after).stderr).toContain('CRL has expired');
    const java = javaHandshake(pki.file('certs/transmission/edge-1'), after);
    expect(java.status).toBe(2);
    expect(java.stdout).toMatch(/refused: server: .*revocation status/i);
  });

  test('Mosquitto takes edge-1 until nextUpdate and refuses it after', async () => {
    await withBroker(async (broker) => {
      const edge1 = pki.file('certs/transmission/edge-1');
      if (Date.now() < nextUpdate.getTime() - 5000) expect(publishAs(broker, edge1).status).toBe(0);
      // A bounded wait: the CRL lives 54 seconds from its signing.
      const wait = nextUpdate.getTime() + 2000 - Date.now();
      expect(wait).toBeLessThan(60_000);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      expect(publishAs(broker, edge1).status).not.toBe(0);
      expect(publishAs(broker, pki.file('certs/engine/engine')).status).not.toBe(0);
    });
  });
});

describe('4. the next deploy signs fresh CRLs; edge-2, issued again, gets a new key and serial', () => {
  let oldSerial: string;
  beforeAll(() => {
    oldSerial = serialOf(path.join(stolen, 'cert.pem'));
    deploy(BASE);
  });

  test('edge-2 has a new serial and key; the old serial stays in the CRL and the record', () => {
    const folder = pki.file('certs/transmission/edge-2');
    expect(serialOf(path.join(folder, 'cert.pem'))).not.toBe(oldSerial);
    expect(fs.readFileSync(path.join(folder, 'private.key'), 'utf8')).not.toBe(fs.readFileSync(path.join(stolen, 'private.key'), 'utf8'));
    expect(crl('ca/transmission/transmission-ca.crl.pem').entries.map((e) => e.serial)).toEqual([oldSerial]);
    expect(readRevocationRecord(pki.dir).map((r) => r.serial)).toEqual([oldSerial]);
  });

  test('Mosquitto and Java take everyone again, the new edge-2 included, and still refuse the stolen files', async () => {
    await withBroker((broker) => {
      for (const folder of ['certs/transmission/edge-1', 'certs/transmission/edge-2', 'certs/engine/engine']) {
        expect(publishAs(broker, pki.file(folder)).status).toBe(0);
      }
      expect(publishAs(broker, stolen).status).not.toBe(0);
    });
    expect(javaHandshake(pki.file('certs/transmission/edge-2')).stdout).toBe('accepted\n');
    expect(javaHandshake(stolen).status).toBe(2);
  });
});
