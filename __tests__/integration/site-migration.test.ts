/**
 * Turning `siteStates` on over a PKI whose sites were deployed in the main state: the deploy moves each site's
 * clients into the site's own state as they are. Same keys, same certificates, same files, and a deploy with no
 * change after.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { RunResult } from './helpers/run';

jest.setTimeout(20 * 60_000);

const CONFIG = {
  caRsaBits: 2048,
  server: { dnsNames: ['localhost'] },
  transmissionClients: ['edge-1'],
  sites: { baltic: { transmissionClients: ['bt-1', 'bt-2'] }, 'north-sea': { transmissionClients: ['ns-1'], issuingCa: true } },
};

let pki: Deployment;
let before: Record<string, string>;
let moved: RunResult;
let after: RunResult;

/** SHA-256 of every file the PKI writes (PKI-OWNER.json, the deploy's record, aside). */
const hashes = () => Object.fromEntries(pki.files().filter((f) => f !== 'PKI-OWNER.json').map((f) => [f, createHash('sha256').update(fs.readFileSync(pki.file(f))).digest('hex')]));
const state = (file: string) => JSON.parse(fs.readFileSync(path.join(pki.dir, file), 'utf8'));
const names = (file: string) => state(file).resources.map((r: any) => `${r.type}.${r.name}`).sort();

let siteAddressesInMain: string[];

beforeAll(() => {
  // Deployed as before sites had states of their own (a release before, or "siteStates": false); the configuration
  // then as it stands, siteStates on by default, moves them.
  pki = Deployment.create({ ...CONFIG, siteStates: false });
  pki.deploy();
  before = hashes();
  siteAddressesInMain = names('terraform.tfstate').filter((n: string) => /\.pki_sites_[^_]+_clients_/.test(n));
  pki.configure(CONFIG);
  moved = pki.deploy();
  after = pki.deploy();
});

afterAll(() => fs.rmSync(pki.dir, { recursive: true, force: true }));

describe('turning siteStates on over sites in the main state', () => {
  test('the deploy says it moved each site, and changed no certificate', () => {
    expect(moved.stdout).toMatch(/moved site baltic \(\d+ resources, 2 clients\) from the main state into .*terraform\.sites\/baltic\.tfstate; no key or certificate changed/);
    expect(moved.stdout).toMatch(/moved site north-sea \(\d+ resources, 1 clients\)/);
    expect(moved.stdout).toMatch(/^Certificates: no change\.$/m);
  });

  test('every file is the same, byte for byte: same keys, same certificates', () => {
    expect(hashes()).toEqual(before);
  });

  test('the sites\' resources left the main state for their own, under the same addresses', () => {
    expect(siteAddressesInMain.length).toBeGreaterThan(0);
    const inSites = [...names('terraform.sites/baltic.tfstate'), ...names('terraform.sites/north-sea.tfstate')].sort();
    expect(inSites).toEqual(siteAddressesInMain);
    expect(names('terraform.tfstate').filter((n: string) => siteAddressesInMain.includes(n))).toEqual([]);
  });

  test('the next deploy changes nothing and plans no site', () => {
    expect(after.stdout).toMatch(/^Certificates: no change\.$/m);
    expect(pki.engineLog('deploy')).toMatch(/sites in their own state: 0 of 2 to plan/);
    expect(hashes()).toEqual(before);
  });
});
