import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { Testing } from 'cdktf';
import { AppConfig, ConfigError, loadConfig } from '../app/config';
import { INVENTORY_JSON_FILE, INVENTORY_MARKDOWN_FILE, renderInventory, writeInventory } from '../app/inventory';
import { ChariotTlsStack } from '../app/stack';
import {
  ChariotPki, ClientCert, EcdsaCurve, IntermediateCa, InventoryRole, KeyAlgorithm, PkiInventory, RootCa, ServerCert,
} from '../lib';
import { twoIssuers } from './helpers/hierarchy';
import { synth } from './helpers/synth';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inventory-'));
}

/** The app's configuration from a file with `config` in a fresh directory (or the defaults, with none). */
function appConfig(config?: Record<string, unknown>): AppConfig {
  const dir = tempDir();
  if (config === undefined) return loadConfig({}, dir);
  fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify(config));
  return loadConfig({}, dir);
}

/** What the app writes for `config`, as `main.ts` builds it. */
function inventoryFiles(config: AppConfig): Record<string, string> {
  const stack = new ChariotTlsStack(Testing.app(), 'chariot-tls', config);
  return renderInventory(stack.pki, config.inventoryDirectory);
}

function inventoryJson(config: AppConfig): any {
  return JSON.parse(inventoryFiles(config)[INVENTORY_JSON_FILE]);
}

/** The lines of `b` that differ from `a`, position by position; both must have as many lines. */
function changedLines(a: string, b: string): string[] {
  const before = a.split('\n');
  const after = b.split('\n');
  expect(after).toHaveLength(before.length);
  return after.filter((line, i) => line !== before[i]);
}

const SITE = {
  server: { dnsNames: ['chariot.example.com', 'chariot'], ipAddresses: ['10.0.0.5'] },
  engineClients: ['engine-a', 'engine-b'],
  transmissionClients: ['edge-2', 'edge-1'],
};

describe('the default hierarchy inventory', () => {
  const json = inventoryJson(appConfig());
  const byPath = (suffix: string) => json.certificates.find((c: any) => c.constructPath === `chariot-tls/pki/${suffix}`);

  test('lists every certificate depth first from the root, siblings by construct path', () => {
    expect(json.certificates.map((c: any) => [c.constructPath, c.role])).toEqual([
      ['chariot-tls/pki/root-ca', 'root-ca'],
      ['chariot-tls/pki/engine-ca', 'intermediate-ca'],
      ['chariot-tls/pki/engine/engine', 'client'],
      ['chariot-tls/pki/server-ca', 'intermediate-ca'],
      ['chariot-tls/pki/server', 'server'],
      ['chariot-tls/pki/transmission-ca', 'intermediate-ca'],
      ['chariot-tls/pki/transmission/transmission', 'client'],
    ]);
  });

  test('shows the output directory relative to the inventory, which sits next to the configuration', () => {
    expect(json.formatVersion).toBe(1);
    expect(json.outputDirectory).toBe('pki');
  });

  test('describes the root: self-signed RSA 4096 CA, no path length limit, 10 years, not renewed early', () => {
    expect(byPath('root-ca')).toEqual({
      role: 'root-ca',
      product: null,
      constructPath: 'chariot-tls/pki/root-ca',
      subject: { commonName: 'Chariot TLS Root CA', organizationalUnit: 'CA', organization: 'Chariot TLS', locality: null, province: null, country: null },
      subjectText: 'CN=Chariot TLS Root CA, OU=CA, O=Chariot TLS',
      issuer: null,
      dnsNames: [],
      ipAddresses: [],
      key: { algorithm: 'RSA', rsaBits: 4096, ecdsaCurve: null, text: 'RSA 4096' },
      keyUsages: ['digitalSignature', 'keyCertSign', 'cRLSign'],
      extendedKeyUsages: [],
      isCa: true,
      maxPathLength: null,
      validityPeriodHours: 87600,
      validityPeriodDays: 3650,
      earlyRenewalHours: 0,
      earlyRenewalDays: 0,
      renewableAfterHours: 87600,
      renewableAfterDays: 3650,
      files: [{ path: 'ca/ca.crt', kind: 'cert', secret: false }],
      site: null,
    });
  });

  test('describes an intermediate CA: signed by the root, path length 0, 5 years, re-signed a year early', () => {
    expect(byPath('server-ca')).toMatchObject({
      subjectText: 'CN=Chariot TLS Server CA, OU=CA, O=Chariot TLS',
      issuer: { constructPath: 'chariot-tls/pki/root-ca', commonName: 'Chariot TLS Root CA' },
      key: { algorithm: 'RSA', rsaBits: 4096 },
      isCa: true,
      maxPathLength: 0,
      validityPeriodHours: 43800,
      validityPeriodDays: 1825,
      earlyRenewalHours: 8760,
      earlyRenewalDays: 365,
      files: [{ path: 'ca/server/server-ca.crt', kind: 'cert', secret: false }],
    });
  });

  test('describes the server: its names, RSA 2048, serverAuth, 2 years renewed 60 days early, its six files and README', () => {
    expect(byPath('server')).toMatchObject({
      product: 'Chariot MQTT Server',
      subjectText: 'CN=localhost',
      issuer: { constructPath: 'chariot-tls/pki/server-ca', commonName: 'Chariot TLS Server CA' },
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      key: { text: 'RSA 2048' },
      keyUsages: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsages: ['serverAuth'],
      isCa: false,
      maxPathLength: null,
      validityPeriodDays: 730,
      earlyRenewalHours: 1440,
      earlyRenewalDays: 60,
      renewableAfterDays: 670,
    });
    expect(byPath('server').files).toEqual([
      { path: 'certs/server/README.txt', kind: 'readme', secret: false },
      { path: 'certs/server/ca-chain.pem', kind: 'caChain', secret: false },
      { path: 'certs/server/client-ca.pem', kind: 'clientCa', secret: false },
      { path: 'certs/server/fullchain.pem', kind: 'fullChain', secret: false },
      { path: 'certs/server/server.crt', kind: 'cert', secret: false },
      { path: 'certs/server/server.key', kind: 'privateKey', secret: true },
      { path: 'certs/server/server.pkcs8.key', kind: 'privateKeyPkcs8', secret: true },
    ]);
  });

  test('describes a client: clientAuth, its kind as OU, its three files and README', () => {
    expect(byPath('engine/engine')).toMatchObject({
      subjectText: 'CN=engine, OU=engine, O=Chariot TLS',
      issuer: { commonName: 'Chariot TLS Engine CA' },
      dnsNames: [],
      extendedKeyUsages: ['clientAuth'],
      files: [
        { path: 'certs/engine/engine/README.txt', kind: 'readme', secret: false },
        { path: 'certs/engine/engine/ca.pem', kind: 'ca', secret: false },
        { path: 'certs/engine/engine/cert.pem', kind: 'cert', secret: false },
        { path: 'certs/engine/engine/private.key', kind: 'privateKey', secret: true },
      ],
    });
  });

  test('the markdown has the hierarchy outline and one table row per fact', () => {
    const md = inventoryFiles(appConfig())[INVENTORY_MARKDOWN_FILE];
    expect(md).toContain([
      '- **Chariot TLS Root CA**: root CA (`chariot-tls/pki/root-ca`)',
      '  - **Chariot TLS Engine CA**: intermediate CA (`chariot-tls/pki/engine-ca`)',
      '    - **engine**: client, MQTT Engine (`chariot-tls/pki/engine/engine`)',
      '  - **Chariot TLS Server CA**: intermediate CA (`chariot-tls/pki/server-ca`)',
      '    - **localhost**: server, Chariot MQTT Server (`chariot-tls/pki/server`)',
    ].join('\n'));
    expect(md).toContain('File paths are relative to the output directory, `pki`.');
    expect(md).toContain([
      '### localhost (`chariot-tls/pki/server`)',
      '',
      '| Field | Value |',
      '| --- | --- |',
      '| Role | server |',
      '| Product | Chariot MQTT Server |',
      '| Subject | CN=localhost |',
      '| Issuer | Chariot TLS Server CA (`chariot-tls/pki/server-ca`) |',
      '| Subject alternative names | DNS:localhost, IP:127.0.0.1 |',
      '| Key | RSA 2048 |',
      '| Key usage | digitalSignature, keyEncipherment |',
      '| Extended key usage | serverAuth |',
      '| Basic constraints | not a CA |',
      '| Validity | 17520 hours (730 days) |',
      '| Renewal | re-issued by a deploy in its last 1440 hours (60 days), i.e. from 16080 hours (670 days) after issue |',
      '| Files | `certs/server/README.txt`, `certs/server/ca-chain.pem`, `certs/server/client-ca.pem`, `certs/server/fullchain.pem`, `certs/server/server.crt`, ' +
        '`certs/server/server.key` (private key, 0600), `certs/server/server.pkcs8.key` (private key, 0600) |',
    ].join('\n'));
    expect(md).toContain('| Renewal | not before expiry (earlyRenewalHours 0): renew on purpose |');
    expect(md).toContain('| Basic constraints | CA, path length 0 |');
  });
});

describe('docs/operate.md', () => {
  test('quotes the default inventory as synth writes it', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../docs/operate.md'), 'utf8');
    const blocks = [...doc.matchAll(/```markdown\n([^]*?)```/g)].map((m) => m[1].replace(/^ {2}\.\.\.\n/m, ''));
    const md = inventoryFiles(appConfig())[INVENTORY_MARKDOWN_FILE];
    expect(blocks).toHaveLength(2);
    for (const block of blocks) expect(md).toContain(block);
  });
});

describe('inventory for review', () => {
  test('is deterministic: two synths, in two different directories, give the same files byte for byte', () => {
    const a = inventoryFiles(appConfig(SITE));
    const b = inventoryFiles(appConfig(SITE));
    expect(Object.keys(a).sort()).toEqual([INVENTORY_JSON_FILE, INVENTORY_MARKDOWN_FILE]);
    expect(b).toEqual(a);
  });

  test('holds no secret, no certificate and no unresolved Terraform reference', () => {
    const files = inventoryFiles(appConfig({ ...SITE, writeCaPrivateKeys: true }));
    for (const content of Object.values(files)) {
      expect(content).not.toMatch(/-----BEGIN|PRIVATE KEY|MII[A-Za-z0-9+/]{20}/);
      expect(content).not.toMatch(/\$\{|TfToken|TOKEN\[/);
      expect(content).not.toContain(os.tmpdir());
    }
  });

  test('changing one SAN changes exactly one line of the markdown', () => {
    const before = inventoryFiles(appConfig(SITE))[INVENTORY_MARKDOWN_FILE];
    const after = inventoryFiles(appConfig({ ...SITE, server: { ...SITE.server, dnsNames: ['chariot.example.com', 'chariot-1'] } }))[INVENTORY_MARKDOWN_FILE];
    expect(changedLines(before, after)).toEqual(['| Subject alternative names | DNS:chariot.example.com, DNS:chariot-1, IP:10.0.0.5 |']);
  });

  test('changing the leaf validity changes one line per leaf certificate', () => {
    const before = inventoryFiles(appConfig(SITE))[INVENTORY_MARKDOWN_FILE];
    const after = inventoryFiles(appConfig({ ...SITE, leafValidityPeriodHours: 8760 }))[INVENTORY_MARKDOWN_FILE];
    expect(changedLines(before, after).filter((l) => l.startsWith('| Validity'))).toHaveLength(5);
  });

  test('reordering the clients in the configuration changes nothing', () => {
    const reordered = { ...SITE, engineClients: ['engine-b', 'engine-a'], transmissionClients: ['edge-1', 'edge-2'] };
    expect(inventoryFiles(appConfig(reordered))).toEqual(inventoryFiles(appConfig(SITE)));
  });

  test('lists CA private keys, marked secret, when writeCaPrivateKeys is set', () => {
    const root = inventoryJson(appConfig({ ...SITE, writeCaPrivateKeys: true })).certificates[0];
    expect(root.files).toEqual([
      { path: 'ca/ca.crt', kind: 'cert', secret: false },
      { path: 'ca/ca.key', kind: 'privateKey', secret: true },
    ]);
  });
});

describe('where the app writes the inventory', () => {
  test('inventoryDirectory defaults to the configuration file\'s directory', () => {
    const dir = tempDir();
    const file = path.join(dir, 'site.json');
    fs.writeFileSync(file, JSON.stringify(SITE));
    expect(loadConfig({ CHARIOT_TLS_CONFIG: file }, '/nowhere').inventoryDirectory).toBe(dir);
    expect(loadConfig({}, dir).inventoryDirectory).toBe(dir);
  });

  test('inventoryDirectory in the file is taken from the file\'s directory, and the output directory shown from it', () => {
    const config = appConfig({ ...SITE, inventoryDirectory: 'review', outputDirectory: 'review/out' });
    expect(path.basename(config.inventoryDirectory)).toBe('review');
    expect(inventoryJson(config).outputDirectory).toBe('out');
  });

  test('an output directory outside the inventory directory is shown absolute', () => {
    const config = appConfig({ ...SITE, outputDirectory: '/srv/chariot/pki' });
    expect(inventoryJson(config).outputDirectory).toBe('/srv/chariot/pki');
    expect(inventoryJson(config).certificates[0].files[0].path).toBe('ca/ca.crt');
  });

  test('writeInventory writes both files, and leaves unchanged files untouched', () => {
    const config = appConfig(SITE);
    const stack = new ChariotTlsStack(Testing.app(), 'chariot-tls', config);
    const md = path.join(config.inventoryDirectory, INVENTORY_MARKDOWN_FILE);
    const json = path.join(config.inventoryDirectory, INVENTORY_JSON_FILE);
    expect(writeInventory(stack.pki, config.inventoryDirectory)).toEqual([md, json]);
    expect(fs.readFileSync(md, 'utf8')).toMatch(/^# PKI inventory\n/);
    expect(JSON.parse(fs.readFileSync(json, 'utf8')).certificates).toHaveLength(9);
    expect(writeInventory(stack.pki, config.inventoryDirectory)).toEqual([]);
  });

  test('writeInventory replaces a symbolic link in the inventory\'s place; its target is left untouched', () => {
    const config = appConfig(SITE);
    const stack = new ChariotTlsStack(Testing.app(), 'chariot-tls', config);
    const target = path.join(tempDir(), 'precious.txt');
    fs.writeFileSync(target, 'do not overwrite\n');
    const md = path.join(config.inventoryDirectory, INVENTORY_MARKDOWN_FILE);
    fs.symlinkSync(target, md);
    writeInventory(stack.pki, config.inventoryDirectory);
    expect(fs.readFileSync(target, 'utf8')).toBe('do not overwrite\n');
    expect(fs.lstatSync(md).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(md, 'utf8')).toMatch(/^# PKI inventory\n/);
  });

  test('writeInventory into a path that is a file: our message, not EEXIST', () => {
    const config = appConfig(SITE);
    const stack = new ChariotTlsStack(Testing.app(), 'chariot-tls', config);
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, '');
    for (const dir of [file, path.join(file, 'below')]) {
      expect(() => writeInventory(stack.pki, dir)).toThrow(new ConfigError(`inventoryDirectory ${dir}: is a file, or lies under one, not a folder; remove the file, or set "inventoryDirectory" to a folder`));
    }
  });

  test('loadConfig refuses an inventoryDirectory that leaves the configuration\'s folder', () => {
    const dir = tempDir();
    const file = path.join(dir, 'chariot-tls.json');
    fs.writeFileSync(file, JSON.stringify({ inventoryDirectory: '../../..' }));
    expect(() => loadConfig({ CHARIOT_TLS_CONFIG: file })).toThrow(`${file}: invalid configuration:\n  - inventoryDirectory "../../..": leaves the configuration's folder (${dir})`);
  });
});

describe('PkiInventory on constructs of the library', () => {
  test('covers a hand-built tree: ECDSA keys, a path length on the root, a CA that writes no file', () => {
    let inventory!: PkiInventory;
    synth((scope) => {
      const root = new RootCa(scope, 'root', { subject: { commonName: 'Root', country: 'DE' }, maxPathLength: 1, key: { algorithm: KeyAlgorithm.ECDSA, ecdsaCurve: EcdsaCurve.P384 } });
      const ca = new IntermediateCa(scope, 'issuing', { issuer: root, subject: { commonName: 'Issuing' }, earlyRenewalHours: 100 });
      new ClientCert(scope, 'device', { issuer: ca, key: { algorithm: KeyAlgorithm.ECDSA }, outputDirectory: '/out/device' });
      inventory = PkiInventory.of(scope, { outputDirectory: '/out' });
    });
    expect(inventory.outputDirectory).toBeUndefined();
    expect(inventory.certificates.map((c) => [c.role, c.constructPath])).toEqual([
      [InventoryRole.ROOT_CA, 'test/root'],
      [InventoryRole.INTERMEDIATE_CA, 'test/issuing'],
      [InventoryRole.CLIENT, 'test/device'],
    ]);
    const [root, ca, device] = inventory.certificates;
    expect(root).toMatchObject({ keyAlgorithm: KeyAlgorithm.ECDSA, ecdsaCurve: EcdsaCurve.P384, rsaBits: undefined, maxPathLength: 1, files: [] });
    expect(ca).toMatchObject({ earlyRenewalHours: 100, maxPathLength: 0, issuerPath: 'test/root' });
    expect(device).toMatchObject({ keyUsages: ['digitalSignature'], extendedKeyUsages: ['clientAuth'], ecdsaCurve: EcdsaCurve.P256 });
    expect(device.files.map((f) => f.path)).toEqual(['device/ca.pem', 'device/cert.pem', 'device/private.key']);
    const md = inventory.toMarkdown();
    expect(md).toContain('| Subject | CN=Root, C=DE |');
    expect(md).toContain('| Key | ECDSA P384 |');
    expect(md).toContain('| Basic constraints | CA, path length 1 |');
    expect(md).toContain('| Renewal | re-signed (same key) by a deploy in its last 100 hours (4.17 days), i.e. from 43700 hours (1820.83 days) after issue |');
    expect(md).toContain('File paths are relative to the output directory.\n');
  });

  test('escapes subject values and markdown table separators', () => {
    let inventory!: PkiInventory;
    synth((scope) => {
      inventory = PkiInventory.of(new ChariotPki(scope, 'pki', { organization: 'Acme, Inc. | Plants', engineClients: ['e'], outputDirectory: '/out' }));
    });
    expect(inventory.toJson().certificates[0].subjectText).toBe('CN=Acme\\, Inc. | Plants Root CA, OU=CA, O=Acme\\, Inc. | Plants');
    expect(inventory.toMarkdown()).toContain('| Subject | CN=Acme\\, Inc. \\| Plants Root CA, OU=CA, O=Acme\\, Inc. \\| Plants |');
  });

  test('a certificate whose issuer is outside the scope is listed as a root, at the top of the outline', () => {
    let inventory!: PkiInventory;
    synth((scope) => {
      const root = new RootCa(scope, 'root', { subject: { commonName: 'Root' } });
      const branch = new Construct(scope, 'branch');
      const ca = new IntermediateCa(branch, 'issuing', { issuer: root, subject: { commonName: 'Issuing' } });
      new ClientCert(branch, 'device', { issuer: ca });
      inventory = PkiInventory.of(branch);
    });
    expect(inventory.certificates.map((c) => [c.constructPath, c.issuerPath])).toEqual([['test/branch/issuing', 'test/root'], ['test/branch/device', 'test/branch/issuing']]);
    expect(inventory.toMarkdown()).toContain('\n- **Issuing**: intermediate CA (`test/branch/issuing`)\n  - **device**: client, MQTT Transmission (`test/branch/device`)\n');
  });

  test('a tree with no certificate gives an empty inventory', () => {
    let inventory!: PkiInventory;
    synth((scope) => {
      inventory = PkiInventory.of(scope);
    });
    expect(inventory.certificates).toEqual([]);
    expect(inventory.toJson().certificates).toEqual([]);
  });
});

describe('construct attributes the inventory reads', () => {
  test('RootCa: subject, resolved RSA 4096 key, CA usages, earlyRenewalHours 0 by default', () => {
    synth((scope) => {
      const root = new RootCa(scope, 'root', { subject: { commonName: 'R', organization: 'O' } });
      expect(root.subject).toEqual({ commonName: 'R', organization: 'O' });
      expect([root.rsaBits, root.ecdsaCurve]).toEqual([4096, undefined]);
      expect(root.allowedUses).toEqual(['cert_signing', 'crl_signing', 'digital_signature']);
      expect(root.earlyRenewalHours).toBe(0);
    });
  });

  test('IntermediateCa: earlyRenewalHours 8760 by default; an ECDSA key has a curve and no RSA size', () => {
    synth((scope) => {
      const { serverCa } = twoIssuers(scope);
      expect(serverCa.earlyRenewalHours).toBe(8760);
      expect(serverCa.subject).toEqual({ commonName: 'Test Server CA' });
      const root = new RootCa(scope, 'ec-root', { subject: { commonName: 'EC' }, key: { algorithm: KeyAlgorithm.ECDSA } });
      expect([root.rsaBits, root.ecdsaCurve]).toEqual([undefined, EcdsaCurve.P256]);
    });
  });

  test('leaf certificates: the default subject, RSA 2048, and the uses by role and key', () => {
    synth((scope) => {
      const { serverCa, clientCa } = twoIssuers(scope);
      const server = new ServerCert(scope, 'server', { issuer: serverCa, dnsNames: ['chariot.local'] });
      const client = new ClientCert(scope, 'edge', { issuer: clientCa, key: { algorithm: KeyAlgorithm.ECDSA, ecdsaCurve: EcdsaCurve.P521 } });
      expect(server.subject).toEqual({ commonName: 'chariot.local' });
      expect([server.rsaBits, server.ecdsaCurve]).toEqual([2048, undefined]);
      expect(server.allowedUses).toEqual(['digital_signature', 'key_encipherment', 'server_auth']);
      expect(client.subject).toEqual({ commonName: 'edge' });
      expect([client.rsaBits, client.ecdsaCurve]).toEqual([undefined, EcdsaCurve.P521]);
      expect(client.allowedUses).toEqual(['digital_signature', 'client_auth']);
    });
  });
});
