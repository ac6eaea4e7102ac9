import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../app/config';
import { CertificateChange } from '../app/certificate-change';
import { CertificateReview } from '../app/plan-review';
import { certInState, siteClientsLeavingMainState, siteStatesLeftBehind } from '../app/site-states';
import { caStackConfig } from '../app/synth';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-site-states-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const SITES = { sites: { baltic: { transmissionClients: ['bt-1'] }, 'north-sea': { transmissionClients: ['ns-1'], issuingCa: true } } };
const load = (fields: Record<string, unknown>) => {
  fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify(fields));
  return loadConfig({ CHARIOT_TLS_CONFIG: 'chariot-tls.json' }, dir);
};
const errorOf = (fields: Record<string, unknown>) => {
  try {
    load(fields);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the configuration to be refused');
};

describe('siteStates in the configuration', () => {
  test('is on by default when sites are configured, off without them; "siteStates": false keeps the sites in the main state', () => {
    expect(load(SITES).siteStates).toBe(true);
    expect(load({ transmissionClients: ['t-1'] }).siteStates).toBe(false);
    expect(load({ ...SITES, siteStates: false }).siteStates).toBe(false);
  });

  test('is a boolean', () => {
    expect(errorOf({ ...SITES, siteStates: 'yes' })).toMatch(/siteStates "yes": Expected boolean/);
  });

  test('takes the pg backend: each site\'s state is then a workspace of the main state\'s schema', () => {
    expect(load({ ...SITES, siteStates: true, backend: { type: 'pg' } }).backend).toEqual({ type: 'pg', connectionString: undefined, schemaName: 'terraform_remote_state' });
  });

  test('takes the root key in a file, Engine client keys encrypted, and revoking a flat-list client', () => {
    const config = load({ ...SITES, transmissionClients: ['edge-1'], siteStates: true, caKeyFiles: { directory: 'keys', cas: ['root-ca'] }, encryptedClientKeys: { groups: ['engine'] }, revoked: [{ name: 'edge-1', reason: 'keyCompromise' }] });
    expect(config.siteStates).toBe(true);
  });

  test('takes the Transmission CA\'s key in a file', () => {
    expect(load({ ...SITES, siteStates: true, caKeyFiles: { directory: 'keys', cas: ['transmission-ca'] } }).caKeyFiles?.cas).toEqual(['transmission-ca']);
  });

  test('takes the Transmission clients\' keys encrypted', () => {
    expect(load({ ...SITES, siteStates: true, encryptedClientKeys: { groups: ['transmission'] } }).pki.encryptTransmissionClientKeys).toBeDefined();
  });

  test('takes revoking a site client, and leaves it out of its site', () => {
    const config = load({ ...SITES, siteStates: true, revoked: [{ name: 'bt-1', reason: 'keyCompromise' }] });
    expect(config.pki.sites?.baltic.transmissionClients).toEqual([]);
  });
});

describe('the CAs\' stack with siteStates', () => {
  test('keeps every site and its CA, without its clients', () => {
    const config = caStackConfig(load({ ...SITES, siteStates: true }));
    expect(config.pki.sites).toEqual({ baltic: { transmissionClients: [] }, 'north-sea': { transmissionClients: [], issuingCa: true } });
  });

  test('may not lose a site client: that PKI has its sites in the main state, and moving them is not built', () => {
    const review = (construct: string, action: CertificateChange) => ({ construct, action } as CertificateReview);
    expect(siteClientsLeavingMainState([review('pki/transmission/edge-1', CertificateChange.DESTROYED), review('pki/sites/baltic/clients/bt-1', CertificateChange.CREATED)])).toBeUndefined();
    expect(siteClientsLeavingMainState([review('pki/sites/baltic/clients/bt-1', CertificateChange.DESTROYED)]))
      .toMatch(/refused: with "siteStates": true the main state would lose 1 site client\(s\) \(pki\/sites\/baltic\/clients\/bt-1\).*Set "siteStates": false/);
  });
});

describe('turning siteStates off', () => {
  test('is refused while a site state file is there: its clients would be re-keyed', () => {
    const config = load({ ...SITES, siteStates: false });
    expect(siteStatesLeftBehind(config)).toBeUndefined();
    const file = path.join(dir, 'terraform.chariot-tls.sites', 'baltic.tfstate');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{}');
    expect(siteStatesLeftBehind(config)).toMatch(/refused: .*baltic\.tfstate hold sites deployed with "siteStates": true/);
    expect(siteStatesLeftBehind(load({ ...SITES, siteStates: true }))).toBeUndefined();
  });
});

describe('a CA certificate from the CAs\' state', () => {
  const synthesized = { resource: { tls_locally_signed_cert: { ca_cert: { '//': { metadata: { path: 'chariot-tls/pki/transmission-ca/cert' } } } } } };
  const state = (values: Record<string, unknown>) => ({ values: { root_module: { resources: [{ address: 'tls_locally_signed_cert.ca_cert', values }] } } });

  test('is the cert_pem of the CA\'s cert resource', () => {
    expect(certInState(state({ cert_pem: 'PEM' }), synthesized, 'chariot-tls/pki/transmission-ca')).toBe('PEM');
  });

  test('that is missing stops the deploy of the sites, naming the CA', () => {
    expect(() => certInState(state({}), synthesized, 'chariot-tls/pki/transmission-ca')).toThrow(/the certificate of chariot-tls\/pki\/transmission-ca \(tls_locally_signed_cert\.ca_cert\) is not in the state/);
  });
});

describe('npm run destroy with siteStates', () => {
  test('keeps destroy\'s guards: without --confirm off a terminal it is refused before anything is synthesized', async () => {
    const { runCli } = await import('../app/command-line');
    const { COMMANDS } = await import('../app/commands');
    const project = fs.mkdtempSync(path.join(dir, 'destroy-'));
    fs.writeFileSync(path.join(project, 'chariot-tls.json'), JSON.stringify({ ...SITES, siteStates: true }));
    let stderr = '';
    const code = await runCli(['destroy', '--output', path.join(project, 'out')], COMMANDS, {
      stdout: () => {}, stderr: (t) => (stderr += t), env: {}, cwd: project, projectDir: project, now: new Date(),
    });
    expect(code).toBe(1);
    expect(stderr).toContain('refused: destroy removes every key, certificate and file of environment "chariot-tls"');
    expect(fs.readdirSync(project)).toEqual(['chariot-tls.json']);
  });
});
