/**
 * `npm run plan` and `npm run destroy` with sites in their own state (`siteStates`), on real deploys: the plan reviews
 * the CAs' stack and then every site's, under the site's name, and writes no state; the destroy takes every site's
 * stack down before the CAs', and keeps the CAs while a site could not be destroyed. A deploy after it starts afresh.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { output } from './helpers/secrets';
import { SITES, SITE_STATES_CONFIG } from './helpers/site-states';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(20 * 60_000);

const CONFIG = SITE_STATES_CONFIG;
const WITH_BT3 = { ...CONFIG, sites: { ...CONFIG.sites, baltic: { transmissionClients: [...SITES.baltic, 'bt-3'] } } };

let pki: Deployment;

const siteState = (site: string) => path.join(pki.dir, 'terraform.sites', `${site}.tfstate`);
const mainState = () => path.join(pki.dir, 'terraform.tfstate');
const record = () => path.join(pki.outdir, 'sites', 'sites.json');
/** Every state file and the change record, byte for byte: what a plan must not write. */
const written = () => Object.fromEntries([mainState(), ...Object.keys(SITES).map(siteState), record()].map((f) => [f, fs.readFileSync(f, 'utf8')]));

/** A full base64 line from the middle of each CA key in the main state: a trace of a copy. */
function caKeyLines(): string[] {
  const keys = JSON.parse(fs.readFileSync(mainState(), 'utf8')).resources.filter((r: any) => r.type === 'tls_private_key' && /ca(-g\d+)?_key_/.test(r.name));
  expect(keys.length).toBeGreaterThanOrEqual(5); // root, server, engine, transmission and the site CA
  return keys.map((r: any) => r.instances[0].attributes.private_key_pem.split('\n').filter((line: string) => line.length === 64)).map((lines: string[]) => lines[Math.floor(lines.length / 2)]);
}

beforeAll(() => {
  pki = Deployment.create(CONFIG);
  pki.deploy();
});

afterAll(() => fs.rmSync(pki.dir, { recursive: true, force: true }));

describe('npm run plan with sites in their own state', () => {
  test('before the first deploy, every site is created with the CAs, and nothing is written', () => {
    const fresh = Deployment.create(CONFIG);
    try {
      const planned = fresh.plan();
      expect(planned.stdout).toMatch(/^chariot-tls: site baltic \(its own state\):\nits 2 client\(s\) are created with the CAs: its CA certificate is not in the CAs' state yet/m);
      expect(planned.stdout).toMatch(/^chariot-tls: site north-sea \(its own state\):\nits 2 client\(s\) are created with the CAs/m);
      expect(planned.stdout).toMatch(/^chariot-tls: every stack \(the CAs' and 0 site\(s\)'\): \d+ created; 2 site\(s\) created with the CAs\.$/m);
      expect(fs.existsSync(path.join(fresh.dir, 'terraform.tfstate'))).toBe(false);
      expect(fs.existsSync(path.join(fresh.dir, 'terraform.sites'))).toBe(false);
    } finally {
      fs.rmSync(fresh.dir, { recursive: true, force: true });
    }
  });

  test('on a PKI with no change, every stack says no change, and the plan exits 0', () => {
    const planned = pki.plan();
    expect(planned.status).toBe(0);
    expect(planned.stdout).toMatch(/^Certificates: no change\.$/m);
    for (const site of Object.keys(SITES)) expect(planned.stdout).toContain(`chariot-tls: site ${site} (its own state):\nCertificates: no change.\n`);
    expect(planned.stdout).toMatch(/^chariot-tls: every stack \(the CAs' and 2 site\(s\)'\): no change\.$/m);
  });

  test('a client added to one site is planned as created in that site only; no state, record or file is written', () => {
    const before = written();
    pki.configure(WITH_BT3);
    const planned = pki.plan();
    expect(planned.status).toBe(0);
    expect(planned.stdout).toMatch(/^chariot-tls: site baltic \(its own state\):\nCertificates: 1 created; \d+ unchanged\.\n +created +pki\/sites\/baltic\/clients\/bt-3 /m);
    expect(planned.stdout).toContain('chariot-tls: site north-sea (its own state):\nCertificates: no change.\n');
    expect(planned.stdout).toMatch(/^chariot-tls: every stack \(the CAs' and 2 site\(s\)'\): 1 created\.$/m);
    expect(planned.stdout.match(/^ +created /gm)).toHaveLength(1);
    expect(written()).toEqual(before);
    expect(fs.existsSync(pki.file('certs/transmission/baltic/bt-3'))).toBe(false);
    const said = `${output(planned)}${pki.engineLog('plan')}`;
    expect(caKeyLines().filter((line) => said.includes(line))).toEqual([]);
    pki.configure(CONFIG);
  });
});

describe('npm run destroy with sites in their own state', () => {
  test('a site that cannot be destroyed keeps the CAs, saying why; the other site is destroyed', () => {
    const kept = fs.readFileSync(siteState('north-sea'));
    fs.writeFileSync(siteState('north-sea'), '{', { mode: 0o600 });
    const failed = pki.destroy({ allowFailure: true });
    fs.writeFileSync(siteState('north-sea'), kept, { mode: 0o600 });
    expect(failed.status).toBe(1);
    expect(output(failed)).toMatch(/destroy failed for 1 of 2 site\(s\):\n {2}- site north-sea: its engine ended with status 1\n/);
    expect(output(failed)).toContain('the CAs were not destroyed: their keys are needed to sign or destroy those sites again');
    expect(fs.existsSync(mainState())).toBe(true);
    expect(fs.existsSync(pki.file('ca/ca.crt'))).toBe(true);
    expect(fs.existsSync(pki.file('certs/transmission/north-sea/ns-1/private.key'))).toBe(true);
    expect(fs.existsSync(pki.file('certs/transmission/baltic/bt-1/private.key'))).toBe(false);
    expect(fs.existsSync(siteState('baltic'))).toBe(false);
    expect(fs.existsSync(record())).toBe(false);
  });

  test('destroys every site, then the CAs: no file, state, record or output folder is left', () => {
    const destroyed = pki.destroy();
    expect(destroyed.stdout).toContain('chariot-tls: destroyed 2 site(s) in their own state: baltic, north-sea.');
    expect(destroyed.stdout).toContain('chariot-tls: destroyed environment "chariot-tls"');
    expect(fs.existsSync(pki.file(''))).toBe(false);
    expect(fs.existsSync(mainState())).toBe(false);
    expect(fs.existsSync(path.join(pki.dir, 'terraform.sites'))).toBe(false);
    expect(fs.existsSync(path.join(pki.outdir, 'sites'))).toBe(false);
  });

  test('a deploy after it starts afresh: every site is planned, and every client verifies', () => {
    pki.configure(WITH_BT3);
    pki.deploy();
    expect(pki.engineLog('deploy')).toMatch(/sites in their own state: 2 of 2 to plan; baltic: no record of a deploy; north-sea: no record of a deploy/);
    for (const [site, clients] of Object.entries(WITH_BT3.sites)) {
      for (const client of clients.transmissionClients) {
        const verified = opensslVerify('sslclient', pki.file('certs/server/client-ca.pem'), pki.file(`certs/transmission/${site}/${client}/cert.pem`));
        expect({ client, status: verified.status }).toEqual({ client, status: 0 });
      }
    }
  });
});
