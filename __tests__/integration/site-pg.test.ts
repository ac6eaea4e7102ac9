/**
 * Sites in their own state (`siteStates`) with the pg backend, against a real PostgreSQL server on loopback: the CAs
 * in the main state (workspace `default`), each site's clients in a workspace of its own (`site-SITE`) of the same
 * schema and table. A second deploy plans no site; a site whose workspace is lost while its keys are on disk is
 * refused, not re-keyed, and deploys again unchanged once its workspace is restored.
 */
import * as fs from 'node:fs';
import { Deployment } from './helpers/deployment';
import { Postgres, startPostgres } from './helpers/postgres';
import { RunResult, run } from './helpers/run';
import { output } from './helpers/secrets';
import { SITES, SITE_STATES_CONFIG } from './helpers/site-states';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(15 * 60_000);

const CONFIG = { ...SITE_STATES_CONFIG, backend: { type: 'pg' } };
const CLIENTS = Object.entries(SITES).flatMap(([site, names]) => names.map((name) => `${site}/${name}`));
/** The states table of the default schema. */
const TABLE = 'terraform_remote_state.states';

let db: Postgres;
let env: Record<string, string>;
let pki: Deployment;
let first: RunResult;
let second: RunResult;
let secondLog: string;
let fingerprints: Record<string, string>;

const workspaces = (table = TABLE) => db.sql(`SELECT name FROM ${table} ORDER BY name`).split('\n').filter(Boolean);
const stateOf = (workspace: string, table: string) => JSON.parse(db.sql(`SELECT data FROM ${table} WHERE name = '${workspace}'`) || '{}');
/** The site certificates a workspace's state holds, by their resource names without the hash. */
const certsIn = (workspace: string, table = TABLE): string[] => (stateOf(workspace, table).resources ?? [])
  .filter((r: any) => r.type === 'tls_locally_signed_cert' && /^pki_sites_/.test(r.name)).map((r: any) => r.name.replace(/_cert_[0-9A-F]+$/, '')).sort();
const fingerprintsOf = (d: Deployment) => Object.fromEntries(CLIENTS.map((c) => [c, d.fingerprint(`certs/transmission/${c}/cert.pem`)]));
const fingerprintsNow = () => fingerprintsOf(pki);

beforeAll(async () => {
  db = await startPostgres();
  // The connection string reaches the engine from the environment only, as a password would.
  env = { PG_CONN_STR: db.url };
  pki = Deployment.create(CONFIG);
  first = pki.deploy({ env });
  fingerprints = fingerprintsNow();
  second = pki.deploy({ env });
  secondLog = pki.engineLog('deploy');
});

afterAll(() => {
  db?.stop();
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('sites in their own state in PostgreSQL', () => {
  test('the first deploy creates every site client', () => {
    expect(first.stdout).toMatch(/^Certificates: .*created/m);
    for (const client of CLIENTS) expect(fs.existsSync(pki.file(`certs/transmission/${client}/private.key`))).toBe(true);
  });

  test('each site has its own workspace beside the main state\'s, holding its clients and no other', () => {
    expect(workspaces()).toEqual(['default', 'site-baltic', 'site-north-sea']);
    expect(certsIn('site-baltic')).toEqual(['pki_sites_baltic_clients_bt-1', 'pki_sites_baltic_clients_bt-2']);
    expect(certsIn('site-north-sea')).toEqual(['pki_sites_north-sea_clients_ns-1', 'pki_sites_north-sea_clients_ns-2']);
    expect(certsIn('default').filter((name) => name.includes('_clients_'))).toEqual([]);
    expect(fs.readdirSync(pki.dir).filter((f) => /\.tfstate$|\.sites$/.test(f))).toEqual([]);
  });

  test('a site client verifies, openssl -x509_strict, through its site CA up to the root', () => {
    const chain = opensslVerify('sslclient', pki.file('ca/ca.crt'), pki.file('certs/transmission/north-sea/ns-1/cert.pem'), pki.file('certs/server/client-ca.pem'));
    expect({ status: chain.status, out: chain.stdout }).toEqual({ status: 0, out: expect.stringContaining('north-sea Transmission CA') });
    expect(opensslVerify('sslclient', pki.file('certs/server/client-ca.pem'), pki.file('certs/transmission/baltic/bt-1/cert.pem')).status).toBe(0);
  });

  test('a second deploy changes nothing and plans no site: their workspaces are as the first deploy left them', () => {
    expect(second.stdout).toMatch(/^Certificates: no change\.$/m);
    expect(fingerprintsNow()).toEqual(fingerprints);
    expect(secondLog).toMatch(/sites in their own state: 0 of 2 to plan; baltic: unchanged; north-sea: unchanged/);
    expect(secondLog).not.toMatch(/Apply complete/);
  });
});

describe('npm run plan with sites in PostgreSQL', () => {
  test('plans every site from its workspace, and finds nothing to change', () => {
    const plan = pki.plan({ env });
    expect(plan.stdout).toMatch(/^chariot-tls: every stack \(the CAs' and 2 site\(s\)'\): no change\.$/m);
    expect(workspaces()).toEqual(['default', 'site-baltic', 'site-north-sea']);
  });
});

describe('a site whose workspace is lost', () => {
  test('is refused after its plan while its keys are on disk, naming the site, the workspace and the fixes; its files stay', () => {
    const key = pki.file('certs/transmission/north-sea/ns-1/private.key');
    const keyBefore = fs.readFileSync(key, 'utf8');
    const kept = db.sql(`SELECT data FROM ${TABLE} WHERE name = 'site-north-sea'`);
    db.sql(`DELETE FROM ${TABLE} WHERE name = 'site-north-sea'`);
    const refused = pki.deploy({ env, allowFailure: true });
    expect(refused.status).toBe(1);
    expect(pki.engineLog('deploy')).toMatch(/north-sea: its state in PostgreSQL changed/);
    expect(output(refused)).toMatch(/refused: site north-sea: its plan would create 2 client key\(s\) that are on disk already .*the workspace site-north-sea in PostgreSQL, is lost or empty/);
    expect(output(refused)).toMatch(/remove the folder \S*certs\/transmission\/north-sea first/);
    expect(fs.readFileSync(key, 'utf8')).toBe(keyBefore);
    expect(fingerprintsNow()).toEqual(fingerprints);

    // Restored from a backup: the site deploys again with nothing to change.
    db.sql(`DELETE FROM ${TABLE} WHERE name = 'site-north-sea'`);
    db.sql(`INSERT INTO ${TABLE} (name, data) VALUES ('site-north-sea', $chariot$${kept}$chariot$)`);
    const restored = pki.deploy({ env });
    expect(restored.stdout).toMatch(/^Certificates: no change\.$/m);
    // The refused deploy recorded nothing of north-sea.
    expect(pki.engineLog('deploy')).toMatch(/north-sea: no record of a deploy/);
    expect(fingerprintsNow()).toEqual(fingerprints);
  });
});

describe('turning siteStates off over sites in their workspaces', () => {
  test('is refused after the main plan, which would re-key them; nothing changes', () => {
    pki.configure({ ...CONFIG, siteStates: false });
    const refused = pki.deploy({ env, allowFailure: true });
    expect(refused.status).toBe(1);
    expect(output(refused)).toMatch(/refused: the plan would create 4 site client key\(s\) that are on disk already/);
    expect(output(refused)).toContain('own workspaces in PostgreSQL (site-baltic, site-north-sea)');
    expect(fingerprintsNow()).toEqual(fingerprints);
    expect(certsIn('site-baltic')).toHaveLength(2);
  });
});

describe('revoking a client held in its site\'s workspace', () => {
  test('reads its serial from the workspace, lists it in its signing CA\'s CRL and leaves the workspace without it', () => {
    const serial = run('openssl', ['x509', '-in', pki.file('certs/transmission/north-sea/ns-2/cert.pem'), '-noout', '-serial']).stdout.trim().split('=')[1];
    pki.configure({ ...CONFIG, revoked: [{ name: 'ns-2', reason: 'keyCompromise' }] });
    const revoked = pki.deploy({ env });
    expect(revoked.stdout).toMatch(/revoked transmission\/ns-2: serial \S+ \(keyCompromise\)/);
    expect(run('openssl', ['crl', '-in', pki.file('ca/transmission/north-sea/site-ca.crl.pem'), '-noout', '-text']).stdout).toContain(`Serial Number: ${serial}`);
    expect(certsIn('site-north-sea')).toEqual(['pki_sites_north-sea_clients_ns-1']);
    expect(fs.existsSync(pki.file('certs/transmission/north-sea/ns-2'))).toBe(false);
  });
});

describe('sites deployed in the main state', () => {
  const MOVED = { ...SITE_STATES_CONFIG, siteStates: false, backend: { type: 'pg', schemaName: 'moved' } };
  const table = 'moved.states';
  let moved: Deployment;

  afterAll(() => {
    if (moved) fs.rmSync(moved.dir, { recursive: true, force: true });
  });

  test('move into their workspaces when siteStates is turned on, re-keying nothing; destroy then removes the workspaces', () => {
    moved = Deployment.create(MOVED);
    moved.deploy({ env });
    expect(workspaces(table)).toEqual(['default']);
    const before = fingerprintsOf(moved);

    moved.configure({ ...MOVED, siteStates: true });
    const move = moved.deploy({ env });
    expect(move.stdout).toMatch(/moved site baltic \(\d+ resources, 2 clients\) from the main state into its PostgreSQL workspace site-baltic; no key or certificate changed/);
    expect(workspaces(table)).toEqual(['default', 'site-baltic', 'site-north-sea']);
    expect(certsIn('site-north-sea', table)).toEqual(['pki_sites_north-sea_clients_ns-1', 'pki_sites_north-sea_clients_ns-2']);
    expect(certsIn('default', table).filter((name) => name.includes('_clients_'))).toEqual([]);
    expect(fingerprintsOf(moved)).toEqual(before);

    const destroyed = moved.destroy({ env });
    expect(destroyed.stdout).toContain('chariot-tls: destroyed 2 site(s) in their own state: baltic, north-sea.');
    expect(workspaces(table).filter((name) => name.startsWith('site-'))).toEqual([]);
  });
});
