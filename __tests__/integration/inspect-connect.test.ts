import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Deployment, PROJECT } from './helpers/deployment';
import { Broker, freePort, startBroker } from './helpers/mosquitto';
import { RunResult, run } from './helpers/run';

jest.setTimeout(20 * 60_000);

const SERVER = { dnsNames: ['localhost', 'chariot.example.com'], ipAddresses: ['127.0.0.1'] };
const CONFIG = { organization: 'Connect Test', server: SERVER, engineClients: ['engine'], transmissionClients: ['edge-1'] };

let pki: Deployment;
/** Chariot's files as uploaded after the first deploy: what a broker keeps serving until it gets new ones. */
let uploaded: string;
/** Every broker a test started, stopped after it. */
const brokers: Broker[] = [];

beforeAll(() => {
  pki = Deployment.create(CONFIG);
  pki.deploy();
  uploaded = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-uploaded-'));
  for (const file of ['server.crt', 'server.key', 'fullchain.pem', 'client-ca.pem']) fs.copyFileSync(pki.file(`certs/server/${file}`), path.join(uploaded, file));
});
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});
afterAll(() => {
  fs.rmSync(uploaded, { recursive: true, force: true });
  fs.rmSync(pki.dir, { recursive: true, force: true });
});

/** A Mosquitto broker on 127.0.0.1 requiring client certificates, serving `cert` (a chain when it holds several). */
async function broker(cert: string, key = path.join(uploaded, 'server.key')): Promise<Broker> {
  const started = await startBroker({ cert, privateKey: key, clientCa: path.join(uploaded, 'client-ca.pem') });
  brokers.push(started);
  return started;
}

/** `npm run inspect -- --connect 127.0.0.1:PORT ...args` for this deployment's configuration. */
function inspectConnect(port: number, args: string[] = [], env: Record<string, string> = {}): RunResult {
  return run('npm', ['run', '--silent', 'inspect', '--', '--connect', `127.0.0.1:${port}`, ...args], {
    cwd: PROJECT, env: { ...process.env, CHARIOT_TLS_CONFIG: pki.configFile, ...env }, allowFailure: true,
  });
}

const json = (result: RunResult) => JSON.parse(result.stdout);

describe('inspect --connect against a real Mosquitto broker requiring client certificates', () => {
  test('serving the deployed fullchain.pem: exit 0, the served certificate is certs/server/server.crt by fingerprint', async () => {
    const { port } = await broker(path.join(uploaded, 'fullchain.pem'));
    const result = inspectConnect(port, ['--servername', 'chariot.example.com', '--json']);
    const doc = json(result);
    expect([result.status, doc.exitCode]).toEqual([0, 0]);
    expect(doc.connect).toMatchObject({ error: null, ok: true, leafFile: 'certs/server/server.crt', name: 'chariot.example.com', nameMatches: true, chain: { verified: true, root: 'ca/ca.crt' } });
    expect(doc.connect.certificates[0].fingerprint256).toBe(pki.fingerprint('certs/server/server.crt'));
    expect(doc.connect.certificates[1].fingerprint256).toBe(pki.fingerprint('ca/server/server-ca.crt'));
  });

  test('over TLS 1.2 as well (the client limited to it): the chain comes before the broker asks for a client certificate', async () => {
    const { port } = await broker(path.join(uploaded, 'fullchain.pem'));
    const result = inspectConnect(port, ['--json'], { NODE_OPTIONS: '--tls-max-v1.2' });
    expect([result.status, json(result).connect.protocol, json(result).connect.leafFile]).toEqual([0, 'TLSv1.2', 'certs/server/server.crt']);
  });

  test('the table: a "served by" section within 120 columns', async () => {
    const { port } = await broker(path.join(uploaded, 'fullchain.pem'));
    const result = inspectConnect(port);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`\nserved by 127.0.0.1:${port} (TLSv1.3):\n`);
    expect(result.stdout).toContain(`  SHA-256       ${pki.fingerprint('certs/server/server.crt')}\n`);
    expect(result.stdout).toMatch(/ {2}chain {9}ok: localhost > Connect Test Server CA > Connect Test Root CA \(ca\/ca\.crt\)\n/);
    // The first line names the configuration, output and owner by path, as long as the paths are; the rest fits.
    const [context, ...rest] = result.stdout.split('\n');
    expect(context).toMatch(/^chariot-tls inspect: /);
    expect(Math.max(...rest.map((l) => l.length))).toBeLessThanOrEqual(120);
  });

  test('serving server.crt without its intermediate: exit 7, chain incomplete', async () => {
    const { port } = await broker(path.join(uploaded, 'server.crt'));
    const result = inspectConnect(port);
    expect(result.status).toBe(7);
    expect(result.stderr).toContain(`inspect: 127.0.0.1:${port}: chain incomplete: the server does not send Connect Test Server CA`);
  });

  test('a name not in the subjectAltName (--servername): exit 7, the name reported', async () => {
    const { port } = await broker(path.join(uploaded, 'fullchain.pem'));
    const result = inspectConnect(port, ['--servername', 'mqtt.example.org', '--json']);
    expect([result.status, json(result).connect.nameMatches, json(result).connect.problems.map((p: any) => p.kind)]).toEqual([7, false, ['name']]);
  });

  test('a certificate made by openssl, not ours: exit 7, naming server.crt it is not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-self-signed-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    const { port } = await broker(path.join(dir, 'cert.pem'), path.join(dir, 'key.pem'));
    const result = inspectConnect(port);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.status).toBe(7);
    expect(result.stderr).toMatch(/the server serves CN=localhost \(.*\), which is in no file here, nor is it certs\/server\/server\.crt: the server serves another PKI's certificate/);
  });

  test('nothing listening: exit 1 with the error, within the timeout', async () => {
    const port = await freePort();
    const started = Date.now();
    const result = inspectConnect(port, ['--timeout', '3']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`inspect: cannot read the certificate of 127.0.0.1:${port}: connect ECONNREFUSED`);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  test('after a renewal, the broker still serving the uploaded certificate: exit 7, older than certs/server/server.crt; the new files: exit 0', async () => {
    pki.configure({ ...CONFIG, server: { ...SERVER, dnsNames: [...SERVER.dnsNames, 'chariot.local'] } });
    pki.deploy();
    expect(pki.fingerprint('certs/server/server.crt')).not.toBe(new X509Certificate(fs.readFileSync(path.join(uploaded, 'server.crt'))).fingerprint256);
    const old = await broker(path.join(uploaded, 'fullchain.pem'));
    const stale = inspectConnect(old.port);
    expect(stale.status).toBe(7);
    expect(stale.stderr).toMatch(/, which is in no file here: it is older than certs\/server\/server\.crt \(not after \S+, SHA-256 [0-9A-F:]{95}\); upload certs\/server\/server\.crt \(and its chain\) to the server, or reload it\n/);
    const renewed = await broker(pki.file('certs/server/fullchain.pem'), pki.file('certs/server/server.key'));
    const fresh = inspectConnect(renewed.port, ['--json']);
    expect([fresh.status, json(fresh).connect.leafFile]).toEqual([0, 'certs/server/server.crt']);
  });
});
