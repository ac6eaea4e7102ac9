/**
 * Rotating one site's own issuing CA, alone, in the three steps of a CA rotation, with real deploys: two sites with
 * their own CAs and two clients each, beside the flat list. Only the rotated site's clients move to the new CA; every
 * other certificate (the other site's, the flat list's, the server's) keeps its state id and its fingerprint at every
 * step. Chains are checked with openssl verify -x509_strict, connections with a real Mosquitto broker.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { startBroker } from './helpers/mosquitto';
import { ClientFiles, publish } from './helpers/mqtt';
import { commonNames } from './helpers/pem';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(30 * 60_000);

// 2048-bit CA keys: the same hierarchy, a quicker deploy.
const BASE = {
  organization: 'Site Rotation',
  caRsaBits: 2048,
  server: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
  transmissionClients: ['edge-1'],
  sites: {
    'north-sea': { transmissionClients: ['ns-1', 'ns-2'], issuingCa: true },
    baltic: { transmissionClients: ['bt-1', 'bt-2'], issuingCa: true },
  },
};
const rotation = (previous: string) => ({
  ...BASE,
  sites: { ...BASE.sites, 'north-sea': { ...BASE.sites['north-sea'], caGeneration: { generation: 2, previous } } },
});
const ROTATED = ['north-sea/ns-1', 'north-sea/ns-2'];
const OTHERS = ['baltic/bt-1', 'baltic/bt-2', 'edge-1'];

let pki: Deployment;
let held: string;
/** State ids and fingerprints after the first deploy, before any rotation. */
let before: { ids: Map<string, string>; fingerprints: Record<string, string> };

/** Resource address -> id for every resource in the state. */
function stateIds(): Map<string, string> {
  const state = JSON.parse(fs.readFileSync(path.join(pki.dir, 'terraform.tfstate'), 'utf8')) as {
    resources: { mode: string; type: string; name: string; instances: { attributes: { id: string } }[] }[];
  };
  return new Map(state.resources.filter((r) => r.mode === 'managed').map((r) => [`${r.type}.${r.name}`, r.instances[0].attributes.id]));
}

/** The state ids of everything outside the rotated site, but the server's client-ca.pem (which trusts its CAs). */
function outsideTheSite(ids: Map<string, string>): Map<string, string> {
  return new Map([...ids].filter(([address]) => !address.includes('_sites_north-sea_') && !address.includes('_server_client-ca-file_')));
}

const fingerprints = (clients: string[]) => Object.fromEntries(
  [...clients.map((c) => `certs/transmission/${c}/cert.pem`), 'certs/server/server.crt', 'ca/transmission/transmission-ca.crt', 'ca/transmission/baltic/site-ca.crt']
    .map((f) => [f, pki.fingerprint(f)]),
);
const issuer = (client: string) => /CN=([^\n]+)/.exec(new X509Certificate(pki.read(`certs/transmission/${client}/cert.pem`)).issuer)?.[1];

const files = (root: string, client: string): ClientFiles => ({
  ca: path.join(root, 'certs', 'transmission', client, 'ca.pem'),
  cert: path.join(root, 'certs', 'transmission', client, 'cert.pem'),
  privateKey: path.join(root, 'certs', 'transmission', client, 'private.key'),
});

/** Which clients a broker running with today's server files accepts: the rotated site's with the files held from before and with today's. */
async function connecting(): Promise<Record<string, boolean>> {
  const clients: Record<string, ClientFiles> = {
    'ns-1, old files': files(held, 'north-sea/ns-1'),
    'ns-1, new files': files(pki.file(''), 'north-sea/ns-1'),
    'bt-1': files(pki.file(''), 'baltic/bt-1'),
    'edge-1': files(pki.file(''), 'edge-1'),
  };
  const broker = await startBroker({ cert: pki.file('certs/server/fullchain.pem'), privateKey: pki.file('certs/server/server.key'), clientCa: pki.file('certs/server/client-ca.pem') });
  try {
    return Object.fromEntries(Object.entries(clients).map(([name, f]) => [name, publish('localhost', broker.port, f, 'spBv1.0/site-rotation', name).status === 0]));
  } finally {
    await broker.stop();
  }
}
const EVERYONE = { 'ns-1, old files': true, 'ns-1, new files': true, 'bt-1': true, 'edge-1': true };

/** openssl verify -x509_strict of a client through its CAs (the files named) to the root. */
function verifies(client: string, cas: string[]): boolean {
  const untrusted = path.join(pki.dir, 'untrusted.pem');
  fs.writeFileSync(untrusted, cas.map((f) => pki.read(f)).join(''));
  return opensslVerify('sslclient', pki.file('ca/ca.crt'), pki.file(`certs/transmission/${client}/cert.pem`), untrusted).status === 0;
}

function deploy(config: Record<string, unknown>): string {
  pki.configure(config);
  const result = pki.deploy();
  expect(result.status).toBe(0);
  return result.stdout;
}

beforeAll(() => {
  pki = Deployment.create(BASE);
  pki.deploy();
  before = { ids: stateIds(), fingerprints: fingerprints([...ROTATED, ...OTHERS]) };
  // What the rotated site's clients hold until someone gives them the new files.
  held = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-site-held-'));
  fs.cpSync(pki.file(''), held, { recursive: true });
});

afterAll(() => {
  for (const dir of [pki?.dir, held]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('rotating one site CA', () => {
  test('step 1, "issuing": the new site CA joins the server\'s bundle; every certificate keeps its state id and fingerprint; everyone connects', async () => {
    const stdout = deploy(rotation('issuing'));
    expect(stdout).toMatch(/^!!! CA CHANGE: sites\/north-sea\/ca-g2 created\./m);
    expect(stdout).toMatch(/^ {2}created +pki\/sites\/north-sea\/ca-g2 "north-sea Transmission CA G2" \(CA\): new CA \[files: site-ca-g2\.crt\]$/m);
    expect(commonNames(pki.read('certs/server/client-ca.pem'))).toEqual(expect.arrayContaining(['north-sea Transmission CA', 'north-sea Transmission CA G2', 'baltic Transmission CA']));
    const ids = stateIds();
    expect([...before.ids].filter(([address, id]) => ids.get(address) !== id).map(([address]) => address)).toEqual([expect.stringContaining('_server_client-ca-file_')]);
    expect(fingerprints([...ROTATED, ...OTHERS])).toEqual(before.fingerprints);
    expect(ROTATED.map(issuer)).toEqual(['north-sea Transmission CA', 'north-sea Transmission CA']);
    expect(await connecting()).toEqual(EVERYONE);
  });

  test('step 2, "trusted": the site\'s clients move to the new CA (same keys); no other certificate changes; everyone connects', async () => {
    const keys = ROTATED.map((c) => pki.read(`certs/transmission/${c}/private.key`));
    const stdout = deploy(rotation('trusted'));
    expect(stdout).toMatch(/^ {2}re-issued +pki\/sites\/north-sea\/clients\/ns-1 "ns-1" \(MQTT Transmission\): signed by another CA \[files: cert\.pem\]$/m);
    expect(stdout).toMatch(/^Certificates: 2 re-issued; \d+ unchanged\.$/m);
    expect(ROTATED.map(issuer)).toEqual(['north-sea Transmission CA G2', 'north-sea Transmission CA G2']);
    expect(ROTATED.map((c) => pki.read(`certs/transmission/${c}/private.key`))).toEqual(keys);
    expect(outsideTheSite(stateIds())).toEqual(outsideTheSite(before.ids));
    const now = fingerprints([...ROTATED, ...OTHERS]);
    for (const c of ROTATED) expect(now[`certs/transmission/${c}/cert.pem`]).not.toBe(before.fingerprints[`certs/transmission/${c}/cert.pem`]);
    expect(fingerprints(OTHERS)).toEqual(Object.fromEntries(Object.entries(before.fingerprints).filter(([f]) => !f.includes('north-sea'))));
    expect(ROTATED.map((c) => verifies(c, ['ca/transmission/north-sea/site-ca-g2.crt', 'ca/transmission/transmission-ca.crt']))).toEqual([true, true]);
    expect(verifies('baltic/bt-1', ['ca/transmission/baltic/site-ca.crt', 'ca/transmission/transmission-ca.crt'])).toBe(true);
    expect(await connecting()).toEqual(EVERYONE);
  });

  test('step 3, "retired": the old site CA and its file are gone; a client still on its certificate is refused; nothing else changes', async () => {
    const stdout = deploy(rotation('retired'));
    expect(stdout).toMatch(/^ {2}destroyed +pki\/sites\/north-sea\/ca "north-sea Transmission CA" \(CA\): CA retired/m);
    expect(pki.files()).not.toContain('ca/transmission/north-sea/site-ca.crt');
    expect(pki.files()).toContain('ca/transmission/north-sea/site-ca-g2.crt');
    expect(commonNames(pki.read('certs/server/client-ca.pem'))).not.toContain('north-sea Transmission CA');
    expect(outsideTheSite(stateIds())).toEqual(outsideTheSite(before.ids));
    expect(fingerprints(OTHERS)).toEqual(Object.fromEntries(Object.entries(before.fingerprints).filter(([f]) => !f.includes('north-sea'))));
    expect(verifies('north-sea/ns-2', ['ca/transmission/north-sea/site-ca-g2.crt', 'ca/transmission/transmission-ca.crt'])).toBe(true);
    expect(await connecting()).toEqual({ ...EVERYONE, 'ns-1, old files': false });
  });

  test('the next plan changes nothing', () => {
    expect(pki.plan().stdout).toContain('Certificates: no change.');
  });
});
