/**
 * Deploys of sites at once (`siteStates`, `--site`), with real deploys: the environment's lock is held for the CAs'
 * part only, each site has a lock of its own. Two deploys of different sites, started together into a new directory,
 * both succeed and keep each other's records; two deploys of one site, started together, take turns: one says it
 * waits for the other, and then finds nothing to do.
 */
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { finished, run } from './helpers/run';
import { SITES, SITE_STATES_CONFIG } from './helpers/site-states';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(20 * 60_000);

/** What a deploy prints when another deploy holds one of its sites. */
const WAITING_FOR = (site: string) => new RegExp(`^chariot-tls: site ${site} is being deployed by deploy \\d+ on \\S+ since \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z; waiting for it to finish \\(up to 5m, CHARIOT_TLS_LOCK_TIMEOUT\\)\\.$`, 'm');

/** With key stores: each deploy writes its own sites' client.p12 files, not another's whose key may be being written. */
const CONFIG = { ...SITE_STATES_CONFIG, pkcs12: {} };
const PKCS12 = { CHARIOT_TLS_PKCS12_PASSWORD: 'site-lock-p12-password' };

let pki: Deployment;
const started: ChildProcess[] = [];

/** Starts `npm run deploy -- --site SITE` for each of `sites` at once; resolves once all have ended. */
async function deployAtOnce(sites: string[]): Promise<{ status: number | null; output: string }[]> {
  const children = sites.map((site) => pki.startDeploy(PKCS12, ['--site', site]));
  started.push(...children);
  return Promise.all(children.map((child) => finished(child)));
}

const verifies = (client: string) => opensslVerify('sslclient', pki.file('certs/server/client-ca.pem'), pki.file(`certs/transmission/${client}/cert.pem`)).status;
const records = () => JSON.parse(fs.readFileSync(path.join(pki.outdir, 'sites', 'sites.json'), 'utf8'));

beforeAll(() => {
  pki = Deployment.create(CONFIG);
});

afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('two deploys of different sites, started at once into a new directory', () => {
  let results: { status: number | null; output: string }[];

  beforeAll(async () => {
    results = await deployAtOnce(['baltic', 'north-sea']);
  });

  test('both succeed, and neither waits for a site', () => {
    expect(results.map((r) => [r.status, r.status === 0 ? '' : r.output.slice(-3000)])).toEqual([[0, ''], [0, '']]);
    for (const r of results) expect(r.output).not.toMatch(/is being deployed by/);
  });

  test('each deploy deployed its own site: every client of both verifies, openssl against what Chariot trusts', () => {
    expect(results[0].output).toMatch(/^chariot-tls: site baltic \(its own state\):$/m);
    expect(results[0].output).not.toContain('site north-sea');
    expect(results[1].output).toMatch(/^chariot-tls: site north-sea \(its own state\):$/m);
    for (const [site, clients] of Object.entries(SITES)) for (const client of clients) expect({ client, status: verifies(`${site}/${client}`) }).toEqual({ client, status: 0 });
    expect(verifies('edge-1')).toBe(0);
  });

  test('every site client\'s client.p12 holds its certificate', () => {
    for (const [site, clients] of Object.entries(SITES)) {
      for (const client of clients) {
        const p12 = run('openssl', ['pkcs12', '-in', pki.file(`certs/transmission/${site}/${client}/client.p12`), '-passin', 'env:CHARIOT_TLS_PKCS12_PASSWORD', '-nokeys', '-clcerts'], { env: { ...process.env, ...PKCS12 } }).stdout;
        expect({ client, same: p12.includes(pki.read(`certs/transmission/${site}/${client}/cert.pem`).trim()) }).toEqual({ client, same: true });
      }
    }
  });

  test('each summary counts what it made, not the other site\'s: every key is counted once over both, no file as rewritten', () => {
    const made = results.map((r) => Number(/^ +keys +(\d+) created/m.exec(r.output)?.[1]));
    // Root, Server, Engine, Transmission and north-sea CAs, the server, edge-1 and the four site clients.
    expect(made[0] + made[1]).toBe(11);
    // Nor does either say it rewrote the other site's files.
    for (const r of results) expect(/^ +certificates +(.*)$/m.exec(r.output)?.[1]).toMatch(/^\d+ created(; \d+ unchanged)?$/);
  });

  test('plan --site plans the CAs\' stack and that site only', () => {
    const planned = pki.plan({ args: ['--site', 'north-sea'], env: PKCS12 });
    expect(planned.stdout).toMatch(/^chariot-tls: site north-sea \(its own state\):$/m);
    expect(planned.stdout).not.toContain('site baltic');
    expect(planned.stdout).toMatch(/^chariot-tls: every stack \(the CAs' and 1 site\(s\)'\): no change\.$/m);
  });

  test('each kept the other\'s record: a deploy of every site after them plans no site and changes nothing', () => {
    expect(Object.keys(records()).sort()).toEqual(['baltic', 'north-sea']);
    const after = pki.deploy({ env: PKCS12 });
    expect(after.stdout).toMatch(/^Certificates: no change\.$/m);
    expect(pki.engineLog('deploy')).toMatch(/sites in their own state: 0 of 2 to plan; baltic: unchanged; north-sea: unchanged/);
  });

  test('each --site deploy has a log of its own; no site lock is left', () => {
    for (const site of Object.keys(SITES)) expect(fs.readFileSync(path.join(pki.outdir, `deploy-site-${site}.log`), 'utf8')).toContain(`site ${site}`);
    expect(fs.readdirSync(`${pki.outdir}.site-locks`)).toEqual([]);
  });
});

describe('two deploys of one site, started at once', () => {
  let results: { status: number | null; output: string }[];
  let fingerprints: Record<string, string>;

  beforeAll(async () => {
    fingerprints = Object.fromEntries(SITES.baltic.map((c) => [c, pki.fingerprint(`certs/transmission/baltic/${c}/cert.pem`)]));
    pki.configure({ ...CONFIG, sites: { ...CONFIG.sites, baltic: { transmissionClients: [...SITES.baltic, 'bt-3'] } } });
    results = await deployAtOnce(['baltic', 'baltic']);
  });

  test('both succeed; one said, once, that it waits for the other, naming the site and the deploy holding it', () => {
    expect(results.map((r) => [r.status, r.status === 0 ? '' : r.output.slice(-3000)])).toEqual([[0, ''], [0, '']]);
    const waited = results.filter((r) => WAITING_FOR('baltic').test(r.output));
    expect(waited).toHaveLength(1);
    expect(waited[0].output.match(new RegExp(WAITING_FOR('baltic').source, 'gm'))).toHaveLength(1);
  });

  test('the one that did not wait created the new client; it verifies, the others keep their certificates', () => {
    const first = results.find((r) => !WAITING_FOR('baltic').test(r.output))!;
    expect(first.output).toMatch(/^chariot-tls: site baltic \(its own state[^)]*\):\nCertificates: 1 created; \d+ unchanged\./m);
    expect(verifies('baltic/bt-3')).toBe(0);
    expect(Object.fromEntries(SITES.baltic.map((c) => [c, pki.fingerprint(`certs/transmission/baltic/${c}/cert.pem`)]))).toEqual(fingerprints);
  });

  test('the one that waited changed nothing: it found the site deployed, and planned no site', () => {
    const second = results.find((r) => WAITING_FOR('baltic').test(r.output))!;
    expect(second.output).toMatch(/^Certificates: no change\.$/m);
    expect(second.output).not.toMatch(/site baltic \(its own state/);
    expect(second.output).toMatch(/^chariot-tls: no change: \d+ certificates up to date in /m);
  });
});
