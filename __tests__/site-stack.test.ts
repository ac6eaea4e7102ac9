import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TerraformStack, Testing } from 'cdktf';
import { ICertificateAuthority } from '../lib';
import { loadConfig } from '../app/config';
import { ChariotTlsStack } from '../app/stack';
import { ChariotTlsSiteStack, SITE_SIGNING_KEY_VARIABLE, siteBackend, siteInputs, siteStackName } from '../app/site-stack';
import { TestKey, certificatePem, rsaKey } from './helpers/certificates';

const FIVE_YEARS = new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-site-stack-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify({
  server: { dnsNames: ['localhost'] },
  servers: [{ name: 'backup', dnsNames: ['backup.example'] }],
  engineClients: ['engine'],
  sites: { 'north-sea': { transmissionClients: ['ns-1', 'ns-2'], issuingCa: true }, baltic: { transmissionClients: ['bt-1'] } },
  encryptedClientKeys: { groups: ['transmission'] },
}));
const config = loadConfig({ CHARIOT_TLS_CONFIG: 'chariot-tls.json' }, dir);

/** A stack's JSON, with each block's construct path (`Testing.synth` drops them). */
function synthesized(stack: TerraformStack): any {
  return JSON.parse(JSON.stringify(stack.toTerraform()));
}

/** The single stack of today, synthesized: what a site's stack must match. */
const single = new ChariotTlsStack(Testing.app(), 'chariot-tls', config);
const singleJson = synthesized(single);

/** A certificate per CA (hand-made: only the CAs' state would hold the real ones), each signed by its issuer's key. */
const keys = new Map<string, TestKey>();
const keyOf = (ca: ICertificateAuthority) => keys.get(ca.node.path) ?? keys.set(ca.node.path, rsaKey()).get(ca.node.path)!;
const pems = new Map<string, string>();
const certPemOf = (ca: ICertificateAuthority): string => pems.get(ca.node.path) ?? pems.set(ca.node.path, certificatePem({
  commonName: ca.commonName, key: keyOf(ca), isCa: true, notAfter: FIVE_YEARS,
  issuer: ca.chain.length > 1 ? { commonName: ca.chain[1].commonName, key: keyOf(ca.chain[1]) } : undefined,
  // PEM as the engine writes it: lines end in LF.
}).replace(/\r\n/g, '\n')).get(ca.node.path)!;

const siteJson = (site: string) => {
  const stack = new ChariotTlsSiteStack(Testing.app(), siteStackName('chariot-tls', site), config, siteInputs(single.pki, site, certPemOf));
  return { stack, json: synthesized(stack) };
};
const addresses = (json: any, keep: (constructPath: string) => boolean = () => true) =>
  Object.entries<any>(json.resource ?? {}).flatMap(([type, blocks]) =>
    Object.entries<any>(blocks).filter(([, b]) => keep(b['//'].metadata.path.replace(/^[^/]+\//, ''))).map(([name]) => `${type}.${name}`)).sort();

describe('a site in its own stack', () => {
  const northSea = siteJson('north-sea');

  test('holds the site\'s clients at the addresses the single stack gives them, and nothing else', () => {
    const inSingle = addresses(singleJson, (p) => p.startsWith('pki/sites/north-sea/clients/'));
    expect(inSingle.length).toBeGreaterThan(0);
    expect(addresses(northSea.json)).toEqual(inSingle);
  });

  test('has no key for a CA: every tls_private_key is a client\'s', () => {
    const keyPaths = Object.values<any>(northSea.json.resource.tls_private_key).map((b) => b['//'].metadata.path);
    expect(keyPaths.sort()).toEqual(['ns-1', 'ns-2'].map((n) => `chariot-tls-site-north-sea/pki/sites/north-sea/clients/${n}/key`));
  });

  test('gets the signing CA\'s key only through an ephemeral variable, into write-only attributes, and no CA key text at all', () => {
    const text = JSON.stringify(northSea.json);
    expect(text).not.toMatch(/PRIVATE KEY/);
    expect(northSea.json.variable[SITE_SIGNING_KEY_VARIABLE]).toMatchObject({ ephemeral: true, sensitive: true });
    const uses = [...text.matchAll(new RegExp(`"([a-z_]+)":"\\$\\{var\\.${SITE_SIGNING_KEY_VARIABLE}\\}"`, 'g'))].map((m) => m[1]);
    expect(uses).toEqual(['ca_private_key_pem_wo', 'ca_private_key_pem_wo']);
  });

  test('signs with the site CA\'s certificate as the CAs\' state holds it, and writes ca.pem trusting every server CA', () => {
    const siteCa = single.pki.sites.find((s) => s.name === 'north-sea')!.issuingCa!;
    const certs = Object.values<any>(northSea.json.resource.tls_locally_signed_cert);
    expect(certs.map((c) => c.ca_cert_pem)).toEqual([certPemOf(siteCa), certPemOf(siteCa)]);
    const caFile = Object.values<any>(northSea.json.resource.local_file).find((f) => f.filename.endsWith('/ns-1/ca.pem'));
    expect(caFile.content).toBe([single.pki.serverCa, single.pki.rootCa!].map(certPemOf).join(''));
  });

  test('writes the files and README the single stack writes, at the same paths, naming the servers', () => {
    const files = (json: any, site: string) => Object.values<any>(json.resource.local_file ?? {}).concat(Object.values<any>(json.resource.local_sensitive_file ?? {}))
      .map((f) => f.filename).filter((f: string) => f.includes(`/certs/transmission/${site}/`)).sort();
    expect(files(northSea.json, 'north-sea')).toEqual(files(singleJson, 'north-sea'));
    const readme = Object.values<any>(northSea.json.resource.local_file).find((f) => f.filename.endsWith('/ns-1/README.txt'));
    expect(readme.content).toContain('1. server (Chariot MQTT Server): ssl://localhost:8883');
    expect(readme.content).toContain('2. backup (Chariot MQTT Server): ssl://backup.example:8883');
    expect(readme.content).toContain('Site: north-sea; signed by north-sea Transmission CA.');
  });

  test('a site without its own CA is signed by the Transmission CA, as in the single stack', () => {
    const baltic = siteJson('baltic');
    expect(addresses(baltic.json)).toEqual(addresses(singleJson, (p) => p.startsWith('pki/sites/baltic/clients/')));
    const cert = Object.values<any>(baltic.json.resource.tls_locally_signed_cert)[0];
    expect(cert.ca_cert_pem).toBe(certPemOf(single.pki.transmissionCa));
  });

  test('configures the tls and local providers, pinned as in the single stack', () => {
    expect(Object.keys(northSea.json.provider).sort()).toEqual(['local', 'tls']);
    expect(northSea.json.terraform.required_providers).toEqual(singleJson.terraform.required_providers);
  });

  test('keeps its state in its own file beside the main state', () => {
    expect(northSea.json.terraform.backend.local.path).toBe(path.join(dir, 'terraform.chariot-tls.sites', 'north-sea.tfstate'));
    expect(siteBackend({ type: 'local', path: '/srv/state/pki.tfstate' }, 'baltic')).toEqual({ type: 'local', path: '/srv/state/pki.sites/baltic.tfstate' });
  });
});

describe('a site in its own state in PostgreSQL', () => {
  const pgDir = fs.mkdtempSync(path.join(dir, 'pg-'));
  fs.writeFileSync(path.join(pgDir, 'chariot-tls.json'), JSON.stringify({
    server: { dnsNames: ['localhost'] },
    sites: { baltic: { transmissionClients: ['bt-1'] } },
    backend: { type: 'pg', schemaName: 'chariot' },
    siteStates: true,
  }));
  const pgConfig = loadConfig({ CHARIOT_TLS_CONFIG: 'chariot-tls.json' }, pgDir);
  const main = new ChariotTlsStack(Testing.app(), 'chariot-tls', pgConfig);
  const site = new ChariotTlsSiteStack(Testing.app(), siteStackName('chariot-tls', 'baltic'), pgConfig, siteInputs(main.pki, 'baltic', certPemOf));

  test('keeps its state with the main state\'s backend block, same schema, no connection string in the file', () => {
    const backend = synthesized(site).terraform.backend;
    expect(backend).toEqual(synthesized(main).terraform.backend);
    expect(backend).toEqual({ pg: { schema_name: 'chariot' } });
  });

  test('is told apart by its workspace, site-SITE, which its engine commands get as TF_WORKSPACE', () => {
    expect(siteBackend(pgConfig.backend, 'baltic')).toEqual({ type: 'pg', connectionString: undefined, schemaName: 'chariot', workspace: 'site-baltic' });
  });
});
