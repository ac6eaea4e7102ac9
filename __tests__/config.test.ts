import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChariotTlsStack } from '../app/stack';
import { ConfigError, DEFAULT_CONFIG, loadConfig, parseConfig } from '../app/config';
import { Testing } from 'cdktf';

const PROJECT = path.resolve(__dirname, '..');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-config-'));
}

function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

describe('loadConfig sources', () => {
  test('with no file, builds a server at localhost and 127.0.0.1, one Engine and one Transmission, under pki/', () => {
    const dir = tempDir();
    expect(loadConfig({}, dir).pki).toEqual({
      server: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
      engineClients: ['engine'],
      transmissionClients: ['transmission'],
      outputDirectory: path.join(dir, 'pki'),
      caKey: undefined,
      leafKey: undefined,
    });
    expect(DEFAULT_CONFIG.server).toEqual({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  });

  test('reads chariot-tls.json from the project directory when it exists', () => {
    const dir = tempDir();
    writeJson(dir, 'chariot-tls.json', { organization: 'Acme', transmissionClients: ['edge-9'] });
    expect(loadConfig({}, dir).pki).toMatchObject({ organization: 'Acme', transmissionClients: ['edge-9'] });
  });

  test('CHARIOT_TLS_CONFIG names the file, and relative paths in it are taken from its folder', () => {
    const dir = tempDir();
    const file = writeJson(dir, 'site.json', { engineClients: ['e'], outputDirectory: 'out', caRsaBits: 3072, leafRsaBits: 4096 });
    expect(loadConfig({ CHARIOT_TLS_CONFIG: file }, '/nowhere').pki).toMatchObject({
      engineClients: ['e'], outputDirectory: path.join(dir, 'out'), caKey: { rsaBits: 3072 }, leafKey: { rsaBits: 4096 },
    });
  });

  test('state is a local file in the project by default, or where backend.path says, from the config folder', () => {
    const dir = tempDir();
    expect(loadConfig({}, dir).backend).toEqual({ type: 'local', path: path.join(dir, 'terraform.chariot-tls.tfstate') });
    const file = writeJson(dir, 'site.json', { engineClients: ['e'], backend: { type: 'local', path: 'state/pki.tfstate' } });
    expect(loadConfig({ CHARIOT_TLS_CONFIG: file }).backend).toEqual({ type: 'local', path: path.join(dir, 'state/pki.tfstate') });
  });

  test('a missing file named by CHARIOT_TLS_CONFIG is an error, not the defaults', () => {
    expect(() => loadConfig({ CHARIOT_TLS_CONFIG: '/nowhere/x.json' })).toThrow(new ConfigError('/nowhere/x.json: cannot read the configuration file; check CHARIOT_TLS_CONFIG or create chariot-tls.json'));
  });

  test('a file that is not JSON is an error naming the file', () => {
    const file = writeJson(tempDir(), 'bad.json', '{ "organization": ');
    expect(() => loadConfig({ CHARIOT_TLS_CONFIG: file })).toThrow(/bad\.json: not valid JSON .*; fix the syntax/);
  });
});

describe('pkcs12', () => {
  const load = (config: unknown) => loadConfig({ CHARIOT_TLS_CONFIG: writeJson(tempDir(), 'site.json', config) });

  test('is off by default', () => {
    expect(load({ engineClients: ['e'] }).pkcs12).toBeUndefined();
  });

  test('"pkcs12": {} turns it on, with the password in CHARIOT_TLS_PKCS12_PASSWORD', () => {
    expect(load({ engineClients: ['e'], pkcs12: {} }).pkcs12).toEqual({ passwordEnv: 'CHARIOT_TLS_PKCS12_PASSWORD' });
  });

  test('passwordEnv names another variable; the password itself is never in the file', () => {
    expect(load({ engineClients: ['e'], pkcs12: { passwordEnv: 'SITE_P12_PASS' } }).pkcs12).toEqual({ passwordEnv: 'SITE_P12_PASS' });
    expect(() => parseConfig({ pkcs12: { password: 'x' } }, 'chariot-tls.json')).toThrow(/pkcs12: unknown field\(s\) "password"/);
  });

  test('refuses a passwordEnv that is not a variable name', () => {
    expect(() => parseConfig({ pkcs12: { passwordEnv: '$P12' } }, 'chariot-tls.json')).toThrow(/pkcs12\.passwordEnv "\$P12": must be an environment variable name such as "CHARIOT_TLS_PKCS12_PASSWORD"/);
  });
});

describe('parseConfig validation', () => {
  const parse = (json: unknown) => () => parseConfig(json, 'chariot-tls.json');

  test('refuses an unknown field and lists the known ones', () => {
    expect(parse({ transmisionClients: [] })).toThrow(/chariot-tls\.json: invalid configuration:\n  - \(top level\): unknown field\(s\) "transmisionClients"; remove or rename them \(known fields: organization, .*transmissionClients/);
  });

  test('refuses a wrong type, naming the field and the value', () => {
    expect(parse({ engineClients: 'engine' })).toThrow(/engineClients "engine": Expected array, received string/);
  });

  test('refuses a wrong type deep in a list, naming its position', () => {
    expect(parse({ server: { dnsNames: ['a', 7] } })).toThrow(/server\.dnsNames\[1\] 7: Expected string, received number/);
  });

  test('refuses a server product that is not known, naming the products there are', () => {
    expect(parse({ servers: [{ name: 'b', dnsNames: ['b.example.com'], product: 'hivemq' }] })).toThrow(/servers\[0\]\.product "hivemq": is not a server product; use one of chariot, .*third-party-broker/);
  });

  test('refuses a client product as a server', () => {
    expect(parse({ servers: [{ name: 'b', product: 'mqtt-engine' }] })).toThrow(/servers\[0\]\.product "mqtt-engine": is not a server product/);
  });

  test('servers take a name, names and a product, which becomes the product of lib/products/', () => {
    const dir = tempDir();
    const file = writeJson(dir, 'c.json', { servers: [{ name: 'backup', dnsNames: ['b.example.com'], product: 'third-party-broker' }] });
    const config = loadConfig({ CHARIOT_TLS_CONFIG: file }, dir);
    expect(config.pki.servers?.map((s) => [s.name, s.dnsNames, s.product?.name])).toEqual([['backup', ['b.example.com'], 'MQTT broker (third-party)']]);
  });

  test('refuses RSA sizes under 2048', () => {
    expect(parse({ leafRsaBits: 1024 })).toThrow(/leafRsaBits 1024: must be at least 2048 \(use 2048, 3072 or 4096\)/);
  });

  test('refuses a country that is not a two-letter code', () => {
    expect(parse({ country: 'Germany' })).toThrow(/country "Germany": must be a two-letter ISO 3166 code/);
  });

  test('refuses validity hours that are not positive whole numbers', () => {
    expect(parse({ leafValidityPeriodHours: 1.5, rootValidityPeriodHours: 0 })).toThrow(/rootValidityPeriodHours 0: must be more than 0[^]*leafValidityPeriodHours 1\.5: must be a whole number/);
  });
});

describe('renewal windows and CA generations', () => {
  const parse = (json: unknown) => () => parseConfig(json, 'chariot-tls.json');

  test('reach the hierarchy as given', () => {
    const dir = tempDir();
    const fields = {
      rootEarlyRenewalHours: 8760, intermediateEarlyRenewalHours: 4380, leafEarlyRenewalHours: 720,
      server: { dnsNames: ['chariot'], validityPeriodHours: 2160, earlyRenewalHours: 360 },
      caGenerations: { rootCa: { generation: 2, previous: 'issuing' }, serverCa: { generation: 3, previous: 'retired' } },
    };
    const file = writeJson(dir, 'site.json', fields);
    expect(loadConfig({ CHARIOT_TLS_CONFIG: file }).pki).toMatchObject(fields);
  });

  test('refuses a negative renewal window', () => {
    expect(parse({ intermediateEarlyRenewalHours: -1 })).toThrow(/intermediateEarlyRenewalHours -1: must be 0 or more/);
  });

  test('refuses a generation under 1, naming the CA', () => {
    expect(parse({ caGenerations: { serverCa: { generation: 0 } } })).toThrow(/caGenerations\.serverCa\.generation 0: must be 1 or more \(1 is the CA as first deployed\)/);
  });

  test('refuses an unknown previous, listing the steps', () => {
    expect(parse({ caGenerations: { rootCa: { generation: 2, previous: 'old' } } })).toThrow(/caGenerations\.rootCa\.previous "old": Invalid enum value\. Expected 'issuing' \| 'trusted' \| 'retired'/);
  });

  test('refuses an unknown CA under caGenerations', () => {
    expect(parse({ caGenerations: { clientCa: { generation: 2 } } })).toThrow(/caGenerations: unknown field\(s\) "clientCa"; remove or rename them \(known fields: rootCa, serverCa, engineCa, transmissionCa\)/);
  });
});

describe('the example configurations', () => {
  const examples = fs.readdirSync(path.join(PROJECT, 'examples')).filter((f) => f.endsWith('.json'));

  test.each(examples)('%s synthesizes a certificate for every CA, server and client it names', (name) => {
    const config = loadConfig({ CHARIOT_TLS_CONFIG: path.join(PROJECT, 'examples', name) });
    const props = config.pki;
    const stack = new ChariotTlsStack(Testing.app(), 'example', config);
    const signed = JSON.parse(Testing.synth(stack)).resource.tls_locally_signed_cert;
    const clients = (props.engineClients?.length ?? 0) + (props.transmissionClients?.length ?? 0);
    expect(Object.keys(signed)).toHaveLength(3 + (props.server ? 1 : 0) + clients);
  });

  test('the fleet example has a redundant Engine pair and 50 edge nodes', () => {
    const props = loadConfig({ CHARIOT_TLS_CONFIG: path.join(PROJECT, 'examples', 'chariot-tls.fleet.json') }).pki;
    expect(props.engineClients).toHaveLength(2);
    expect(props.transmissionClients).toHaveLength(50);
  });
});

describe('sites', () => {
  const parse = (json: unknown) => () => parseConfig(json, 'chariot-tls.json');

  test('reach the hierarchy as given, beside the flat list', () => {
    const sites = { 'north-sea': { transmissionClients: ['ns-1'], issuingCa: true } };
    expect(parseConfig({ transmissionClients: ['edge-1'], sites }, 'chariot-tls.json')).toEqual({ transmissionClients: ['edge-1'], sites });
  });

  test('refuses an unknown field in a site, naming the site and the known fields', () => {
    expect(parse({ sites: { 'north-sea': { clients: ['ns-1'] } } })).toThrow(
      'sites.north-sea: unknown field(s) "clients"; remove or rename them (known fields: transmissionClients, issuingCa, caGeneration)',
    );
  });

  test('refuses an issuingCa that is not true or false', () => {
    expect(parse({ sites: { baltic: { issuingCa: 'yes' } } })).toThrow('sites.baltic.issuingCa "yes": Expected boolean, received string');
  });
});
