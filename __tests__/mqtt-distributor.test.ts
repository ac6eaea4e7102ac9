import { parseConfig } from '../app/config';
import { ChariotPki, KeyAlgorithm, Product } from '../lib';
import { synth } from './helpers/synth';

const OUT = '/srv/pki';
const distributor = () => Product.find('mqtt-distributor')!;
const build = (key?: { algorithm: KeyAlgorithm }) => synth((scope) => new ChariotPki(scope, 'pki', {
  outputDirectory: OUT,
  servers: [{ name: 'gateway', dnsNames: ['gateway.example.com'], product: distributor() }],
  transmissionClients: ['edge-1'],
  leafKey: key,
}));

describe('MQTT Distributor', () => {
  test('is a server product, found in lib/products/', () => {
    expect(distributor()).toMatchObject({ name: 'MQTT Distributor', role: 'server' });
  });

  test('the configuration takes it as a server\'s product', () => {
    expect(parseConfig({ servers: [{ name: 'gateway', dnsNames: ['gateway.example.com'], product: 'mqtt-distributor' }] }, 'c.json').servers?.[0].product).toBe('mqtt-distributor');
  });

  test('its server gets the PEM files and a README that says what is not known', () => {
    const stack = build();
    const files = stack.resources().filter((r) => r.path.startsWith('test/pki/servers/gateway/') && r.props.filename).map((r) => r.props.filename).sort();
    expect(files).toEqual(['README.txt', 'ca-chain.pem', 'client-ca.pem', 'fullchain.pem', 'server.crt', 'server.key'].map((f) => `${OUT}/certs/servers/gateway/${f}`));
    const readme = stack.resource('local_file', 'servers/gateway/readme/file').props.content as string;
    expect(readme).toContain('MQTT Distributor: TLS files for gateway.example.com');
    expect(readme).toContain('Not known here: whether MQTT Distributor takes PEM files or only a key store');
  });

  test('clients list it by its label', () => {
    expect(build().resource('local_file', 'transmission/edge-1/readme/file').props.content).toContain("Server URL, one of (the names in MQTT Distributor's certificate, which clients check):\n  ssl://gateway.example.com:8883");
  });

  test('takes only an RSA key', () => {
    expect(() => build({ algorithm: KeyAlgorithm.ECDSA })).toThrow(/key\.algorithm "ECDSA" is not accepted by MQTT Distributor for its server key; use KeyAlgorithm\.RSA/);
  });
});
