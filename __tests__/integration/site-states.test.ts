/**
 * Sites in their own state (`siteStates`), with real deploys: the CAs in the main state, each site's clients in a
 * state of its own, signed with a CA key that reaches the site's engine write-only: no site state or plan holds it.
 * Every client is checked by openssl strict against what Chariot trusts, and a second deploy changes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { RunResult } from './helpers/run';
import { output, runEngine } from './helpers/secrets';
import { SITES, SITE_STATES_CONFIG } from './helpers/site-states';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(20 * 60_000);

const CONFIG = SITE_STATES_CONFIG;
const CLIENTS = Object.entries(SITES).flatMap(([site, names]) => names.map((name) => `${site}/${name}`));

let pki: Deployment;
let first: RunResult;
let second: RunResult;
let secondLog: string;
let fingerprints: Record<string, string>;

const siteState = (site: string) => path.join(pki.dir, 'terraform.sites', `${site}.tfstate`);
const mainState = () => JSON.parse(fs.readFileSync(path.join(pki.dir, 'terraform.tfstate'), 'utf8'));
const siteStackDir = (site: string) => path.join(pki.outdir, 'sites', 'stacks', `chariot-tls-site-${site}`);
const fingerprintsNow = () => Object.fromEntries(CLIENTS.map((c) => [c, pki.fingerprint(`certs/transmission/${c}/cert.pem`)]));

/** Each CA key in the main state, PKCS#1 and PKCS#8, as one full base64 line from its middle: a trace of a copy. */
function caKeyTraces(): { ca: string; line: string }[] {
  return mainState().resources.filter((r: any) => r.type === 'tls_private_key' && /(^pki|_)[a-z-]*ca(-g\d+)?_key_/.test(r.name)).flatMap((r: any) => {
    const key = r.instances[0].attributes;
    return [key.private_key_pem, key.private_key_pem_pkcs8].map((pem: string) => {
      const lines = pem.split('\n').filter((line) => line.length === 64);
      return { ca: r.name, line: lines[Math.floor(lines.length / 2)] };
    });
  });
}

beforeAll(() => {
  pki = Deployment.create(CONFIG);
  first = pki.deploy();
  fingerprints = fingerprintsNow();
  second = pki.deploy();
  secondLog = pki.engineLog('deploy');
});

afterAll(() => fs.rmSync(pki.dir, { recursive: true, force: true }));

describe('sites in their own state', () => {
  test('the first deploy creates every site client, and says so in the summary', () => {
    expect(first.stdout).toMatch(/^Certificates: .*created/m);
    expect(pki.engineLog('deploy')).toBeDefined();
    for (const client of CLIENTS) expect(fs.existsSync(pki.file(`certs/transmission/${client}/private.key`))).toBe(true);
  });

  test('each site has its own state file beside the main one; the main state holds no site client', () => {
    for (const site of Object.keys(SITES)) {
      const state = JSON.parse(fs.readFileSync(siteState(site), 'utf8'));
      expect(state.resources.filter((r: any) => r.type === 'tls_locally_signed_cert')).toHaveLength(2);
      expect((fs.statSync(siteState(site)).mode & 0o777).toString(8)).toBe('600');
    }
    expect(mainState().resources.map((r: any) => r.name).filter((n: string) => /^pki_sites_[^_]+_clients_/.test(n))).toEqual([]);
  });

  test('every site client verifies, openssl -x509_strict, against the CAs Chariot trusts (client-ca.pem)', () => {
    for (const client of CLIENTS) {
      const result = opensslVerify('sslclient', pki.file('certs/server/client-ca.pem'), pki.file(`certs/transmission/${client}/cert.pem`));
      expect({ client, status: result.status, out: result.stdout }).toEqual({ client, status: 0, out: expect.stringContaining(': OK') });
    }
    const chain = opensslVerify('sslclient', pki.file('ca/ca.crt'), pki.file('certs/transmission/north-sea/ns-1/cert.pem'), pki.file('certs/server/client-ca.pem'));
    expect(chain.stdout).toContain('north-sea Transmission CA');
  });

  test('each site client trusts the server: its ca.pem verifies the server certificate, and is the flat list\'s byte for byte', () => {
    for (const client of CLIENTS) {
      expect(pki.read(`certs/transmission/${client}/ca.pem`)).toBe(pki.read('certs/transmission/edge-1/ca.pem'));
      expect(opensslVerify('sslserver', pki.file(`certs/transmission/${client}/ca.pem`), pki.file('certs/server/server.crt')).status).toBe(0);
    }
  });

  test('no site state holds any CA key', () => {
    const traces = caKeyTraces();
    expect(traces.length).toBeGreaterThanOrEqual(10); // root, server, engine, transmission and the site CA, twice each
    for (const site of Object.keys(SITES)) {
      const text = fs.readFileSync(siteState(site), 'utf8');
      expect(traces.filter((t) => text.includes(t.line)).map((t) => t.ca)).toEqual([]);
    }
  });

  test('no site plan holds any CA key, even one that re-signs a client', () => {
    const siteCaKey = mainState().resources.find((r: any) => r.type === 'tls_private_key' && r.name.startsWith('pki_sites_north-sea_ca_key_')).instances[0].attributes.private_key_pem;
    const plan = path.join(pki.dir, 'site.plan');
    const env = { TF_VAR_chariot_tls_site_signing_ca_key: siteCaKey };
    expect(runEngine(siteStackDir('north-sea'), ['plan', '-input=false', '-no-color', '-replace', firstCertAddress('north-sea'), `-out=${plan}`], { env }).status).toBe(0);
    const shown = runEngine(siteStackDir('north-sea'), ['show', '-json', plan], { env }).stdout;
    fs.rmSync(plan);
    expect(shown).toContain('"ca_private_key_pem_wo"');
    expect(caKeyTraces().filter((t) => shown.includes(t.line)).map((t) => t.ca)).toEqual([]);
  });

  test('a second deploy changes nothing and starts no site engine: nothing changed in any site', () => {
    expect(second.stdout).toMatch(/^Certificates: no change\.$/m);
    expect(fingerprintsNow()).toEqual(fingerprints);
    expect(secondLog).toMatch(/sites in their own state: 0 of 2 to plan; baltic: unchanged; north-sea: unchanged/);
    expect(secondLog).toMatch(/sites deployed in their own state: 0 of 2\n/);
    expect(secondLog).not.toMatch(/Apply complete/);
    // Nor the CAs' engine: their stack, state, files and renewal date are as the first deploy left them (app/ca-stack-record.ts).
    expect(secondLog).toMatch(/the CAs' stack: its stack, state, files and renewal date as its last deploy left them; not planned/);
    expect(secondLog).not.toMatch(/Refreshing state/);
  });
});

describe('a deploy plans only the sites that can have changed', () => {
  test('a client added to one site synthesizes and plans that site only; the new client verifies and nothing else changes', () => {
    const stackWritten = (site: string) => fs.statSync(path.join(siteStackDir(site), 'cdk.tf.json')).mtimeMs;
    const written = { baltic: stackWritten('baltic'), northSea: stackWritten('north-sea') };
    pki.configure({ ...CONFIG, sites: { ...CONFIG.sites, baltic: { transmissionClients: [...SITES.baltic, 'bt-3'] } } });
    const added = pki.deploy();
    expect(stackWritten('north-sea')).toBe(written.northSea);
    // Planned in part: bt-3's key, CSR, certificate and its four files (app/site-targets.ts).
    expect(pki.engineLog('deploy')).toMatch(/site baltic: planning the 7 resource\(s\) of its stack that changed/);
    expect(stackWritten('baltic')).toBeGreaterThan(written.baltic);
    const log = pki.engineLog('deploy');
    expect(log).toMatch(/sites in their own state: 1 of 2 to plan; baltic: its configuration changed; north-sea: unchanged/);
    expect(log).toMatch(/sites deployed in their own state: 1 of 2 baltic:ok\n/);
    expect(added.stdout).toMatch(/^chariot-tls: site baltic \(its own state; only what changed was planned, the rest is as its last deploy left it\):\nCertificates: 1 created; 0 unchanged\.\n +created +pki\/sites\/baltic\/clients\/bt-3 /m);
    expect(added.stdout).not.toContain('site north-sea');
    expect(added.stdout).toMatch(/^ +certificates +1 created; 11 unchanged$/m);
    expect(opensslVerify('sslclient', pki.file('certs/server/client-ca.pem'), pki.file('certs/transmission/baltic/bt-3/cert.pem')).status).toBe(0);
    expect(fingerprintsNow()).toEqual(fingerprints);
  });

  test('a file deleted by hand in a site is restored, planning that site only, with the same certificate', () => {
    const file = pki.file('certs/transmission/north-sea/ns-2/cert.pem');
    const before = fs.readFileSync(file, 'utf8');
    fs.rmSync(file);
    pki.deploy();
    const log = pki.engineLog('deploy');
    expect(log).toMatch(/sites in their own state: 1 of 2 to plan; baltic: unchanged; north-sea: \S*\/north-sea\/ns-2\/cert\.pem is missing or changed/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
    expect(fingerprintsNow()).toEqual(fingerprints);
  });
});

describe('the CAs\' stack is planned only when something can have changed there', () => {
  test('a CA certificate deleted by hand is restored, the same certificate: the CAs\' stack is planned for it', () => {
    const file = pki.file('ca/transmission/transmission-ca.crt');
    const before = fs.readFileSync(file, 'utf8');
    fs.rmSync(file);
    pki.deploy();
    expect(pki.engineLog('deploy')).toMatch(/the CAs' stack: planned: \S*transmission-ca\.crt is missing or changed/);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  test('a main state changed behind the deploy\'s back has the CAs\' stack planned', () => {
    const state = path.join(pki.dir, 'terraform.tfstate');
    fs.appendFileSync(state, '\n');
    pki.deploy();
    expect(pki.engineLog('deploy')).toMatch(/the CAs' stack: planned: its state file changed/);
  });
});

describe('siteStates refusals', () => {
  test('a site whose state file is lost while its keys are on disk is refused, its files untouched; the other site still deploys', () => {
    const state = siteState('north-sea');
    const kept = fs.readFileSync(state);
    const key = pki.file('certs/transmission/north-sea/ns-1/private.key');
    const keyBefore = fs.readFileSync(key, 'utf8');
    fs.rmSync(state);
    pki.configure({ ...CONFIG, sites: { ...CONFIG.sites, baltic: { transmissionClients: [...SITES.baltic, 'bt-3', 'bt-4'] } } });
    const refused = pki.deploy({ allowFailure: true });
    expect(refused.status).toBe(1);
    expect(output(refused)).toMatch(/refused: site north-sea: its state file \S*north-sea\.tfstate is missing, but \d+ of its client keys are on disk/);
    expect(output(refused)).toMatch(/remove the folder \S*certs\/transmission\/north-sea first/);
    expect(fs.existsSync(state)).toBe(false);
    expect(fs.readFileSync(key, 'utf8')).toBe(keyBefore);
    expect(fingerprintsNow()).toEqual(fingerprints);
    expect(opensslVerify('sslclient', pki.file('certs/server/client-ca.pem'), pki.file('certs/transmission/baltic/bt-4/cert.pem')).status).toBe(0);
    fs.writeFileSync(state, kept, { mode: 0o600 });
    pki.configure(CONFIG);
  });

  test('turning siteStates off over sites deployed in their own state is refused: the clients would be re-keyed', () => {
    pki.configure({ ...CONFIG, siteStates: false });
    const refused = pki.deploy({ allowFailure: true });
    expect(refused.status).toBe(1);
    expect(output(refused)).toMatch(/refused: .*terraform\.sites\/baltic\.tfstate.* hold sites deployed with "siteStates": true/);
    expect(fingerprintsNow()).toEqual(fingerprints);
  });
});

/** The address of the first certificate in a site's stack. */
function firstCertAddress(site: string): string {
  const synthesized = JSON.parse(fs.readFileSync(path.join(siteStackDir(site), 'cdk.tf.json'), 'utf8'));
  return `tls_locally_signed_cert.${Object.keys(synthesized.resource.tls_locally_signed_cert)[0]}`;
}
