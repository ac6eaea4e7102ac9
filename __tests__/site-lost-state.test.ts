import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CertificateChange } from '../app/certificate-change';
import { CertificateReview } from '../app/plan-review';
import { loadConfig } from '../app/config';
import { lostSiteStateRefusal, lostSiteWorkspaceRefusal, siteWorkspacesLeftBehind } from '../app/site-lost-state';
import { SynthesizedSite } from '../app/site-states';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-site-lost-state-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const keyOf = (client: string) => path.join(dir, 'certs', 'transmission', 'baltic', client, 'private.key');

/** Site baltic in PostgreSQL, with clients bt-1 and bt-2, as its stack declares their key files. */
const site: SynthesizedSite = {
  site: 'baltic',
  stackDir: dir,
  workspace: 'site-baltic',
  synthesizedText: '',
  inputs: '',
  synthesized: { resource: { local_sensitive_file: Object.fromEntries(['bt-1', 'bt-2'].map((client) => [client, {
    '//': { metadata: { path: `chariot-tls-site-baltic/pki/sites/baltic/clients/${client}/key-file` } },
    filename: keyOf(client),
  }])) } },
};
const change = (client: string, action: CertificateChange): CertificateReview => ({
  construct: `pki/sites/baltic/clients/${client}`, id: client, isCa: false, action, reasons: [], files: [], identityChanges: [],
});

beforeAll(() => {
  fs.mkdirSync(path.dirname(keyOf('bt-1')), { recursive: true });
  fs.writeFileSync(keyOf('bt-1'), 'key');
});

describe('the lost state guard of a site in PostgreSQL', () => {
  test('refuses a plan that creates a client whose key is on disk, naming the site, the workspace and both fixes', () => {
    const refusal = lostSiteWorkspaceRefusal(site, [change('bt-1', CertificateChange.CREATED)], dir);
    expect(refusal).toMatch(/^chariot-tls: refused: site baltic: its plan would create 1 client key\(s\) that are on disk already \(\S*bt-1\/private\.key\): its state, the workspace site-baltic in PostgreSQL, is lost or empty/);
    expect(refusal).toContain('Restore the database (or the workspace site-baltic) from your backup');
    expect(refusal).toMatch(/remove the folder \S*certs\/transmission\/baltic first/);
  });

  test('lets a new client through, and a client on disk that the plan only renews', () => {
    expect(lostSiteWorkspaceRefusal(site, [change('bt-2', CertificateChange.CREATED), change('bt-1', CertificateChange.RENEWED)], dir)).toBeUndefined();
  });

  test('is not the guard of a site with a state file, and that one skips a site in PostgreSQL', () => {
    const local = { ...site, workspace: undefined, stateFile: path.join(dir, 'baltic.tfstate') };
    expect(lostSiteWorkspaceRefusal(local, [change('bt-1', CertificateChange.CREATED)], dir)).toBeUndefined();
    expect(lostSiteStateRefusal(site, dir)).toBeUndefined();
    expect(lostSiteStateRefusal(local, dir)).toMatch(/its state file \S*baltic\.tfstate is missing, but 1 of its client keys are on disk/);
  });
});

describe('turning siteStates off with the pg backend', () => {
  const configOf = (fields: Record<string, unknown>) => {
    fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify({ server: { dnsNames: ['localhost'] }, sites: { baltic: { transmissionClients: ['bt-1', 'bt-2'] } }, siteStates: false, ...fields }));
    return loadConfig({ CHARIOT_TLS_CONFIG: 'chariot-tls.json' }, dir);
  };

  test('refuses a main plan that creates a site client whose key is on disk: it is in its site\'s workspace', () => {
    const refuse = siteWorkspacesLeftBehind(configOf({ backend: { type: 'pg' } }), site.synthesized)!;
    const refusal = refuse([change('bt-1', CertificateChange.CREATED), change('bt-2', CertificateChange.CREATED)]);
    expect(refusal).toMatch(/^chariot-tls: refused: the plan would create 1 site client key\(s\) that are on disk already \(\S*bt-1\/private\.key\)/);
    expect(refusal).toContain('own workspaces in PostgreSQL (site-baltic)');
    expect(refusal).toContain('Set "siteStates": true again. Nothing was changed.');
    expect(refuse([change('bt-2', CertificateChange.CREATED)])).toBeUndefined();
  });

  test('is no refusal with siteStates on, or with local state (its site files are refused before the plan)', () => {
    expect(siteWorkspacesLeftBehind(configOf({ backend: { type: 'pg' }, siteStates: true }), site.synthesized)).toBeUndefined();
    expect(siteWorkspacesLeftBehind(configOf({}), site.synthesized)).toBeUndefined();
  });
});
