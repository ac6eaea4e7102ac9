/**
 * Sites: Transmission clients grouped by site, one site with its own issuing CA. A PKI with a flat list and a site
 * signed by the Transmission CA gains a site CA: the Transmission CA is re-signed with path length 1 (same key, a
 * re-issue the plan review lets through), and every chain is checked by real peers: openssl strict, Mosquitto
 * mutual TLS and a Java client.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment, PROJECT } from './helpers/deployment';
import { Broker, startBroker } from './helpers/mosquitto';
import { publish } from './helpers/mqtt';
import { RunResult, run } from './helpers/run';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(20 * 60_000);

const PASSWORD_ENV = 'CHARIOT_TLS_PKCS12_PASSWORD';
const PASSWORD = 'integration-sites-password';
const JAVA_CLIENT = path.join(__dirname, 'helpers', 'JavaMqttClient.java');
// 2048-bit CA keys: the same hierarchy, a quicker deploy.
const BASE = { organization: 'Site Test', caRsaBits: 2048, server: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }, transmissionClients: ['edge-1'], pkcs12: {} };
const BEFORE = { ...BASE, sites: { baltic: { transmissionClients: ['bt-1'] } } };
const AFTER = { ...BASE, sites: { ...BEFORE.sites, 'north-sea': { transmissionClients: ['ns-1'], issuingCa: true } } };

let pki: Deployment;
let second: RunResult;
let before: { transmissionCaKey: string; edgeKey: string; edgeCert: string };

const env = { [PASSWORD_ENV]: PASSWORD };
const publicKeyOf = (file: string) => run('openssl', ['x509', '-noout', '-pubkey', '-in', pki.file(file)]).stdout;
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(pki.file(file))).digest('hex');
const pathLength = (file: string) => /CA:TRUE, pathlen:(\d+)/.exec(run('openssl', ['x509', '-noout', '-ext', 'basicConstraints', '-in', pki.file(file)]).stdout)?.[1];

beforeAll(() => {
  pki = Deployment.create(BEFORE);
  pki.deploy({ env });
  before = { transmissionCaKey: publicKeyOf('ca/transmission/transmission-ca.crt'), edgeKey: sha256('certs/transmission/edge-1/private.key'), edgeCert: pki.fingerprint('certs/transmission/edge-1/cert.pem') };
  pki.configure(AFTER);
  second = pki.deploy({ env });
});

afterAll(() => fs.rmSync(pki.dir, { recursive: true, force: true }));

describe('a site gains its own issuing CA', () => {
  test('the plan review lets the re-signed Transmission CA through: path length 0 → 1, no new identity', () => {
    expect(second.stdout).toMatch(/re-issued +pki\/transmission-ca "Site Test Transmission CA" \(CA\): path length changes: 0 → 1/);
    expect(second.stdout).toMatch(/created +pki\/sites\/north-sea\/ca "north-sea Transmission CA" \(CA\): new CA/);
    expect(second.stdout).not.toContain('refused');
  });

  test('the Transmission CA keeps its key and gets path length 1; the site CA has path length 0', () => {
    expect(publicKeyOf('ca/transmission/transmission-ca.crt')).toBe(before.transmissionCaKey);
    expect(pathLength('ca/transmission/transmission-ca.crt')).toBe('1');
    expect(pathLength('ca/transmission/north-sea/site-ca.crt')).toBe('0');
  });

  test('a flat-list client is re-issued below the re-signed CA with the same key', () => {
    expect(sha256('certs/transmission/edge-1/private.key')).toBe(before.edgeKey);
    expect(pki.fingerprint('certs/transmission/edge-1/cert.pem')).not.toBe(before.edgeCert);
  });

  test('each site has its folders, and a site client its README naming the site', () => {
    expect(fs.readdirSync(pki.file('certs/transmission')).sort()).toEqual(['baltic', 'edge-1', 'north-sea']);
    expect(fs.readdirSync(pki.file('certs/transmission/north-sea/ns-1')).sort()).toEqual(['README.txt', 'ca.pem', 'cert.pem', 'client.p12', 'private.key']);
    expect(pki.read('certs/transmission/north-sea/ns-1/README.txt')).toContain('Site: north-sea; signed by north-sea Transmission CA.');
  });

  test.each([
    ['north-sea/ns-1', ['ca/transmission/north-sea/site-ca.crt', 'ca/transmission/transmission-ca.crt']],
    ['baltic/bt-1', ['ca/transmission/transmission-ca.crt']],
    ['edge-1', ['ca/transmission/transmission-ca.crt']],
  ])('openssl verify -x509_strict accepts %s through its CAs to the root', (client, cas) => {
    const untrusted = path.join(pki.dir, `untrusted-${client.replace('/', '-')}.pem`);
    fs.writeFileSync(untrusted, cas.map((f) => pki.read(f)).join(''));
    const result = opensslVerify('sslclient', pki.file('ca/ca.crt'), pki.file(`certs/transmission/${client}/cert.pem`), untrusted);
    expect(result).toMatchObject({ status: 0 });
    expect(result.stdout).toContain(`depth=${cas.length + 1}: O = Site Test, OU = CA, CN = Site Test Root CA\n`);
  });

  test('npm run inspect groups by site: each client\'s site, a line per site, every chain ok', () => {
    const inspect = (...args: string[]) => run('npm', ['run', '--silent', 'inspect', '--', ...args], { cwd: PROJECT, env: { ...process.env, CHARIOT_TLS_CONFIG: pki.configFile }, allowFailure: true });
    const json = JSON.parse(inspect('--json').stdout);
    expect(json.exitCode).toBe(0);
    const siteOf = (label: string) => json.certificates.find((c: any) => c.label === label).site;
    expect([siteOf('certs/transmission/north-sea/ns-1/cert.pem'), siteOf('ca/transmission/north-sea/site-ca.crt'), siteOf('certs/transmission/baltic/bt-1/cert.pem'), siteOf('certs/transmission/edge-1/cert.pem')])
      .toEqual(['north-sea', 'north-sea', 'baltic', null]);
    expect(json.sites.map((s: any) => [s.site, s.clients])).toEqual([['baltic', 1], ['north-sea', 1], [null, 1]]);
    const table = inspect();
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^SITE +CLIENTS +EARLIEST EXPIRY +DAYS LEFT +EXPIRES FIRST\nbaltic +1 +[\d-]+ +\d+ +certs\/transmission\/baltic\/bt-1\/cert\.pem\n/m);
  });

  test('the next plan changes nothing', () => {
    expect(pki.plan({ env }).stdout).toContain('Certificates: no change.');
  });
});

describe('Mosquitto with the deployed server files', () => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await startBroker({ cert: pki.file('certs/server/fullchain.pem'), privateKey: pki.file('certs/server/server.key'), clientCa: pki.file('certs/server/client-ca.pem') });
  });
  afterAll(() => broker?.stop());

  test.each(['north-sea/ns-1', 'baltic/bt-1', 'edge-1'])('accepts %s over mutual TLS', (client) => {
    const folder = `certs/transmission/${client}`;
    const files = { ca: pki.file(`${folder}/ca.pem`), cert: pki.file(`${folder}/cert.pem`), privateKey: pki.file(`${folder}/private.key`) };
    expect(publish('localhost', broker.port, files, `spBv1.0/site/NBIRTH/${path.basename(client)}`, 'hello')).toMatchObject({ status: 0 });
  });

  test('a Java client of the site with its own CA connects with client.p12 and ca.pem', () => {
    const folder = 'certs/transmission/north-sea/ns-1';
    const result = run('java', [JAVA_CLIENT, 'localhost', String(broker.port), pki.file(`${folder}/client.p12`), pki.file(`${folder}/ca.pem`), 'P12'], {
      env: { ...process.env, P12: PASSWORD },
    });
    expect(result.stdout).toMatch(/^TLS TLSv1\.[23] as CN=ns-1,OU=transmission,O=Site Test; CONNACK return code 0\n/);
  });
});
