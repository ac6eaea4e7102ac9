import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stateResources } from '../app/ca-keys';
import { revokedInOwnSites, sitesWithClientFolders, stateWithSites } from '../app/state-with-sites';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-state-with-sites-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));
const folder = (...parts: string[]) => fs.mkdirSync(path.join(out, 'certs', ...parts), { recursive: true });
folder('transmission', 'baltic', 'bt-1');
folder('transmission', 'north-sea', 'ns-1');
folder('transmission', 'edge-1');
const SITES = ['baltic', 'north-sea', 'gulf'];

describe('the sites read for revoked clients', () => {
  test('are those with a folder of a revoked name', () => {
    expect(sitesWithClientFolders(['bt-1'], SITES, out)).toEqual(['baltic']);
    expect(sitesWithClientFolders(['bt-1', 'ns-1'], SITES, out)).toEqual(['baltic', 'north-sea']);
  });

  test('are none for a flat-list client', () => {
    expect(sitesWithClientFolders(['edge-1'], SITES, out)).toEqual([]);
  });

  test('are every site for a name with no folder at all (its files removed by hand), so its certificate is still found', () => {
    expect(sitesWithClientFolders(['bt-1', 'gone'], SITES, out)).toEqual(SITES);
  });
});

describe('the revoked clients a deploy of some sites records (--site)', () => {
  const revoked = ['bt-1', 'ns-1', 'edge-1'].map((name) => ({ name, reason: 'keyCompromise' as const }));

  test('are every one when it deploys every site', () => {
    expect(revokedInOwnSites(revoked, SITES, SITES, out)).toEqual(revoked);
  });

  test('leave out a client of a site it does not deploy, for that site\'s deploy; keep the flat list\'s', () => {
    expect(revokedInOwnSites(revoked, ['baltic'], SITES, out).map((r) => r.name)).toEqual(['bt-1', 'edge-1']);
  });
});

describe('the main state with the sites\' merged in', () => {
  test('with no site to read, is the main state\'s resources as they are', async () => {
    const main = { format_version: '1.0', values: { root_module: { resources: [{ address: 'tls_private_key.a' }] } } };
    const merged = await stateWithSites(main, [], { signal: new AbortController().signal });
    expect(stateResources(merged)).toEqual([{ address: 'tls_private_key.a' }]);
  });
});
