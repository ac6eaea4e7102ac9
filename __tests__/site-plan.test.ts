import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CertificateChange } from '../app/certificate-change';
import { loadConfig } from '../app/config';
import { CertificateReview } from '../app/plan-review';
import { caChangesReachSites, formatTotal } from '../app/site-plan';
import { eachSiteAtOnce, sitesWithCasInState } from '../app/site-states';
import { synthesizeApp } from '../app/synth';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-site-plan-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const change = (construct: string, action: CertificateChange, isCa = false): CertificateReview =>
  ({ construct, id: construct.split('/').pop()!, isCa, action, reasons: [], files: [], identityChanges: [] });

describe('the total of a plan with sites in their own state', () => {
  test('counts the changes of every stack, the CAs\' and each site\'s', () => {
    const reviews = [[change('pki/server', CertificateChange.UNCHANGED)], [change('pki/sites/baltic/clients/bt-3', CertificateChange.CREATED), change('pki/sites/baltic/clients/bt-1', CertificateChange.UNCHANGED)]];
    expect(formatTotal(reviews, 2, 0, undefined)).toBe("chariot-tls: every stack (the CAs' and 2 site(s)'): 1 created.\n");
  });

  test('says no change when no stack changes', () => {
    expect(formatTotal([[], []], 2, 0, undefined)).toBe("chariot-tls: every stack (the CAs' and 2 site(s)'): no change.\n");
  });

  test('counts the sites created with the CAs, and ends with the note on CA changes', () => {
    expect(formatTotal([[change('pki/root-ca', CertificateChange.CREATED, true)]], 0, 2, 'NOTE')).toBe("chariot-tls: every stack (the CAs' and 0 site(s)'): 1 created; 2 site(s) created with the CAs.\nNOTE\n");
  });
});

describe('CA changes in the CAs\' plan', () => {
  test('are named: the sites were planned against the CA certificates in the state now', () => {
    const note = caChangesReachSites([change('pki/sites/north-sea/ca', CertificateChange.RENEWED, true), change('pki/server', CertificateChange.RENEWED)]);
    expect(note).toMatch(/planned against the CA certificates in the state now; ca change above/);
  });

  test('that only rewrite files, or none, need no note', () => {
    expect(caChangesReachSites([change('pki/root-ca', CertificateChange.FILES_REWRITTEN, true), change('pki/server', CertificateChange.RENEWED)])).toBeUndefined();
  });
});

describe('the sites whose CA certificates are in the CAs\' state', () => {
  fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify({
    siteStates: true, sites: { baltic: { transmissionClients: ['bt-1'] }, 'north-sea': { transmissionClients: ['ns-1'], issuingCa: true } },
  }));
  const config = loadConfig({ CHARIOT_TLS_CONFIG: 'chariot-tls.json' }, dir);
  const app = synthesizeApp(config, path.join(dir, 'out'));
  /** A `show -json` state with the certificate of every CA whose construct path passes `keep`. */
  const stateWith = (keep: (constructPath: string) => boolean) => ({
    values: { root_module: { resources: Object.entries<any>(app.synthesized.resource).flatMap(([type, blocks]) => Object.entries<any>(blocks)
      .filter(([, b]) => /\/cert$/.test(b?.['//']?.metadata?.path ?? '') && keep(b['//'].metadata.path))
      .map(([name]) => ({ address: `${type}.${name}`, values: { cert_pem: 'PEM' } }))) } },
  });
  const options = (caState: any) => ({ config, pki: app.pki, caSynthesized: app.synthesized, caState, outdir: path.join(dir, 'out') });

  test('are every site once the CAs are deployed', () => {
    expect(sitesWithCasInState(options(stateWith(() => true)))).toEqual(['baltic', 'north-sea']);
  });

  test('leave out a site whose own CA is not deployed yet', () => {
    expect(sitesWithCasInState(options(stateWith((p) => !p.includes('north-sea'))))).toEqual(['baltic']);
  });

  test('are none before the first deploy', () => {
    expect(sitesWithCasInState(options({}))).toEqual([]);
  });
});

describe('each site at once', () => {
  const site = (name: string) => ({ site: name, stackDir: '', synthesized: {}, synthesizedText: '', stateFile: '', inputs: '' });

  test('runs every site and resolves by site name', async () => {
    const done = await eachSiteAtOnce([site('north-sea'), site('baltic')], new AbortController().signal, async (s) => ({ site: s.site }));
    expect(done).toEqual([{ site: 'baltic' }, { site: 'north-sea' }]);
  });

  test('starts no site once aborted', async () => {
    const aborted = new AbortController();
    aborted.abort();
    expect(await eachSiteAtOnce([site('baltic')], aborted.signal, async (s) => ({ site: s.site }))).toEqual([]);
  });
});
