import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { startBroker } from './helpers/mosquitto';
import { ClientFiles, publish } from './helpers/mqtt';
import { commonNames } from './helpers/pem';
import { RunResult, run } from './helpers/run';

/**
 * Later deploys of one small PKI, in order: renewal, refused CA changes, then a rotation of the Server and
 * Transmission CAs and one of the root, each step checked with a real Mosquitto broker. The reduced plans
 * are the unit tests' fixtures: CHARIOT_TLS_UPDATE_FIXTURES=1 writes them to __tests__/fixtures/plans/.
 */
jest.setTimeout(30 * 60_000);

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'plans');
// Valid for one hour, inside its 60-day renewal window from the start: every deploy renews it.
const SERVER = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validityPeriodHours: 1 };
const BASE = { organization: 'Lifecycle', caRsaBits: 2048, server: SERVER, engineClients: ['engine'], transmissionClients: ['edge-1'] };
const CA_CERTS = ['ca/ca.crt', 'ca/server/server-ca.crt', 'ca/engine/engine-ca.crt', 'ca/transmission/transmission-ca.crt'];
const CLIENT_CERTS = ['certs/engine/engine/cert.pem', 'certs/transmission/edge-1/cert.pem'];

let pki: Deployment;
let first: RunResult;

const scratch: string[] = [];

beforeAll(() => {
  pki = Deployment.create(BASE);
  scratch.push(pki.dir);
  first = pki.deploy();
});

// The directories hold private keys and state: leave none behind.
afterAll(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Deploys `config`, keeping the reduced plan as fixture `name`; returns what the deploy printed. */
function deploy(config: Record<string, unknown>, name: string): RunResult {
  pki.configure(config);
  const planJson = path.join(pki.dir, `${name}.json`);
  const result = pki.deploy({ allowFailure: true, env: { CHARIOT_TLS_PLAN_JSON: planJson } });
  if (process.env.CHARIOT_TLS_UPDATE_FIXTURES === '1' && fs.existsSync(planJson)) {
    fs.mkdirSync(FIXTURES, { recursive: true });
    fs.copyFileSync(planJson, path.join(FIXTURES, `${name}.json`));
  }
  return result;
}

function fingerprints(files: string[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f, pki.fingerprint(f)]));
}

/** Every file under pki/ and the state, by content hash: what a refused deploy must leave alone. */
function everything(): Record<string, string> {
  const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  return { ...Object.fromEntries(pki.files().map((f) => [f, sha(pki.file(f))])), state: sha(path.join(pki.dir, 'terraform.tfstate')) };
}

/** A copy of today's files: what a product holds until someone gives it the new ones. */
function snapshot(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-held-'));
  scratch.push(dir);
  fs.cpSync(path.join(pki.dir, 'pki'), dir, { recursive: true });
  return dir;
}

const holder = (root: string, client: string): ClientFiles => ({
  ca: path.join(root, 'certs', client, 'ca.pem'),
  cert: path.join(root, 'certs', client, 'cert.pem'),
  privateKey: path.join(root, 'certs', client, 'private.key'),
});

/** The Engine and an edge, each once with the files held from before a rotation and once with the deploy's new files. */
const oldAndNewFiles = (held: string) => ({
  'engine, old files': holder(held, 'engine/engine'),
  'edge-1, old files': holder(held, 'transmission/edge-1'),
  'engine, new files': holder(pki.file(''), 'engine/engine'),
  'edge-1, new files': holder(pki.file(''), 'transmission/edge-1'),
});
const EVERYONE = { 'engine, old files': true, 'edge-1, old files': true, 'engine, new files': true, 'edge-1, new files': true };

/** Which of `clients` a broker running with today's server files accepts (and they accept). */
async function connecting(clients: Record<string, ClientFiles>): Promise<Record<string, boolean>> {
  const broker = await startBroker({ cert: pki.file('certs/server/fullchain.pem'), privateKey: pki.file('certs/server/server.key'), clientCa: pki.file('certs/server/client-ca.pem') });
  try {
    return Object.fromEntries(Object.entries(clients).map(([name, files]) => [name, publish('localhost', broker.port, files, 'spBv1.0/lifecycle', name).status === 0]));
  } finally {
    await broker.stop();
  }
}

const publicKey = (file: string) => new X509Certificate(pki.read(file)).publicKey.export({ format: 'pem', type: 'spki' }) as string;
const issuer = (file: string) => /CN=([^\n]+)/.exec(new X509Certificate(pki.read(file)).issuer)?.[1];

describe('renewal', () => {
  test('a leaf valid for less than its renewal window builds, with a warning', () => {
    expect(`${first.stdout}${first.stderr}`).toMatch(/earlyRenewalHours \(1440\) is not less than validityPeriodHours \(1\)/);
    expect(pki.files()).toContain('certs/server/server.crt');
  });

  test('the next deploy renews exactly that leaf (new certificate and files, same key); every CA and other leaf stays', () => {
    const cas = fingerprints([...CA_CERTS, ...CLIENT_CERTS]);
    const server = pki.fingerprint('certs/server/server.crt');
    const serverKey = pki.read('certs/server/server.key');
    const result = deploy(BASE, 'renewal');
    expect(result.status).toBe(0);
    expect(fingerprints([...CA_CERTS, ...CLIENT_CERTS])).toEqual(cas);
    expect(pki.fingerprint('certs/server/server.crt')).not.toBe(server);
    expect(pki.fingerprint('certs/server/fullchain.pem')).toBe(pki.fingerprint('certs/server/server.crt'));
    expect(pki.read('certs/server/server.key')).toBe(serverKey);
    expect(result.stdout).toMatch(/^Certificates: 1 renewed; 6 unchanged\.\n {2}renewed {2}pki\/server "localhost" \(Chariot MQTT Server\): renewal due \[files: fullchain\.pem, server\.crt\]$/m);
    expect(result.stdout).not.toMatch(/CA CHANGE/);
  });
});

describe('CA protection', () => {
  test('a new subject for the CAs (organization renamed) is refused, naming each CA, the change and the rotation; nothing changes', () => {
    const before = everything();
    const result = deploy({ ...BASE, organization: 'Renamed' }, 'ca-subject-change');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/^chariot-tls: refused: this plan would give 4 CAs a new identity/m);
    expect(result.stderr).toContain('  - CA root-ca (pki/root-ca): subject changes: CN=Lifecycle Root CA, OU=CA, O=Lifecycle → CN=Renamed Root CA, OU=CA, O=Renamed');
    expect(result.stderr).toContain('  - CA server-ca (pki/server-ca): subject changes: CN=Lifecycle Server CA');
    expect(result.stderr).toContain('caGenerations.rootCa, caGenerations.serverCa');
    expect(result.stderr).toContain('CHARIOT_TLS_ALLOW_CA_CHANGE=engine-ca,root-ca,server-ca,transmission-ca');
    expect(result.stdout).toMatch(/^!!! CA CHANGE: engine-ca replaced, root-ca replaced, server-ca replaced, transmission-ca replaced/m);
    expect(everything()).toEqual(before);
  });

  test('a new CA key size is refused by the engine (prevent_destroy), in our words; nothing changes', () => {
    const before = everything();
    const result = deploy({ ...BASE, caRsaBits: 3072 }, 'ca-key-change');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/^chariot-tls: refused: this plan would replace the private key of 4 CAs, and CA keys are protected:$/m);
    expect(result.stderr).toContain('  - CA root-ca (pki/root-ca): new key: RSA 2048 → RSA 3072');
    expect(result.stderr).toContain('Rotating a CA');
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/PRIVATE KEY/);
    expect(everything()).toEqual(before);
  });
});

describe('rotating the Server and Transmission CAs', () => {
  const rotation = (previous: string) => ({ ...BASE, caGenerations: { serverCa: { generation: 2, previous }, transmissionCa: { generation: 2, previous } } });
  let held: string;
  const clients = () => oldAndNewFiles(held);

  beforeAll(() => {
    held = snapshot();
  });

  test('npm run plan announces the new CAs and changes nothing', () => {
    const before = everything();
    pki.configure(rotation('issuing'));
    const result = pki.plan();
    expect(result.stdout).toMatch(/^!!! CA CHANGE: server-ca-g2 created, transmission-ca-g2 created\./m);
    expect(result.stdout).toMatch(/^ {2}created +pki\/server-ca-g2 "Lifecycle Server CA G2" \(CA\): new CA \[files: server-ca-g2\.crt\]$/m);
    expect(result.stdout).toMatch(/^ {2}files rewritten +pki\/engine\/engine "engine" \(MQTT Engine\): .*\[files: ca\.pem\]$/m);
    expect(everything()).toEqual(before);
  });

  test('step 1, "issuing": the new CAs join every bundle; leaves stay with the old; every client connects', async () => {
    expect(deploy(rotation('issuing'), 'rotation-issuing').status).toBe(0);
    expect(commonNames(pki.read('certs/engine/engine/ca.pem'))).toEqual(['Lifecycle Server CA', 'Lifecycle Server CA G2', 'Lifecycle Root CA']);
    expect(commonNames(pki.read('certs/server/client-ca.pem'))).toEqual(['Lifecycle Engine CA', 'Lifecycle Transmission CA', 'Lifecycle Transmission CA G2', 'Lifecycle Root CA']);
    expect([issuer('certs/server/server.crt'), issuer('certs/transmission/edge-1/cert.pem')]).toEqual(['Lifecycle Server CA', 'Lifecycle Transmission CA']);
    expect(await connecting(clients())).toEqual(EVERYONE);
  });

  test('step 2, "trusted": leaves move to the new CAs (same keys); both generations stay trusted; every client connects', async () => {
    const edgeKey = pki.read('certs/transmission/edge-1/private.key');
    const result = deploy(rotation('trusted'), 'rotation-trusted');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ {2}re-issued +pki\/transmission\/edge-1 "edge-1" \(MQTT Transmission\): signed by another CA \[files: cert\.pem\]$/m);
    expect([issuer('certs/server/server.crt'), issuer('certs/transmission/edge-1/cert.pem')]).toEqual(['Lifecycle Server CA G2', 'Lifecycle Transmission CA G2']);
    expect(pki.read('certs/transmission/edge-1/private.key')).toBe(edgeKey);
    expect(commonNames(pki.read('certs/server/client-ca.pem'))).toContain('Lifecycle Transmission CA');
    expect(await connecting(clients())).toEqual(EVERYONE);
    // A server that sends only its own certificate needs the clients to hold the new bundle by now.
    expect(run('openssl', ['verify', '-CAfile', holder(held, 'engine/engine').ca, pki.file('certs/server/server.crt')], { allowFailure: true }).status).not.toBe(0);
  });

  test('step 3, "retired": the old CAs and their files are gone; a client still on an old-CA certificate is refused', async () => {
    const result = deploy(rotation('retired'), 'rotation-retired');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ {2}destroyed +pki\/server-ca "Lifecycle Server CA" \(CA\): CA retired/m);
    expect(pki.files()).not.toContain('ca/server/server-ca.crt');
    expect(pki.files()).toContain('ca/server/server-ca-g2.crt');
    expect(commonNames(pki.read('certs/engine/engine/ca.pem'))).toEqual(['Lifecycle Server CA G2', 'Lifecycle Root CA']);
    expect(commonNames(pki.read('certs/server/client-ca.pem'))).toEqual(['Lifecycle Engine CA', 'Lifecycle Transmission CA G2', 'Lifecycle Root CA']);
    expect(await connecting(clients())).toEqual({ ...EVERYONE, 'edge-1, old files': false });
  });
});

describe('rotating the root', () => {
  const INTERMEDIATES = ['ca/server/server-ca-g2.crt', 'ca/engine/engine-ca.crt', 'ca/transmission/transmission-ca-g2.crt'];
  const rotated = { serverCa: { generation: 2, previous: 'retired' }, transmissionCa: { generation: 2, previous: 'retired' } };
  const rotation = (previous: string) => ({ ...BASE, caGenerations: { ...rotated, rootCa: { generation: 2, previous } } });
  let held: string;
  let intermediateKeys: string[];
  const clients = () => oldAndNewFiles(held);

  beforeAll(() => {
    held = snapshot();
    intermediateKeys = INTERMEDIATES.map(publicKey);
  });

  test('step 1, "issuing": the new root joins every bundle; the intermediates stay as they are; every client connects', async () => {
    const intermediates = fingerprints(INTERMEDIATES);
    expect(deploy(rotation('issuing'), 'root-issuing').status).toBe(0);
    expect(fingerprints(INTERMEDIATES)).toEqual(intermediates);
    expect(commonNames(pki.read('certs/engine/engine/ca.pem'))).toEqual(['Lifecycle Server CA G2', 'Lifecycle Root CA', 'Lifecycle Root CA G2']);
    expect(commonNames(pki.read('ca/ca-g2.crt'))).toEqual(['Lifecycle Root CA G2']);
    expect(await connecting(clients())).toEqual(EVERYONE);
  });

  test('step 2, "trusted": the new root re-signs the intermediates (same keys, allowed: not a new identity); every client connects', async () => {
    const result = deploy(rotation('trusted'), 'root-trusted');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ {2}re-issued +pki\/server-ca-g2 "Lifecycle Server CA G2" \(CA\): signed by another CA \[files: server-ca-g2\.crt\]$/m);
    expect(INTERMEDIATES.map(issuer)).toEqual(['Lifecycle Root CA G2', 'Lifecycle Root CA G2', 'Lifecycle Root CA G2']);
    expect(INTERMEDIATES.map(publicKey)).toEqual(intermediateKeys);
    expect(await connecting(clients())).toEqual(EVERYONE);
  });

  test('step 3, "retired": only the new root remains; clients holding the old root still connect (same intermediate keys)', async () => {
    expect(deploy(rotation('retired'), 'root-retired').status).toBe(0);
    expect(pki.files()).not.toContain('ca/ca.crt');
    expect(commonNames(pki.read('certs/server/client-ca.pem'))).toEqual(['Lifecycle Engine CA', 'Lifecycle Transmission CA G2', 'Lifecycle Root CA G2']);
    expect(await connecting(clients())).toEqual(EVERYONE);
  });
});
