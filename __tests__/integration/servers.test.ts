/**
 * Several servers from one PKI, deployed for real: two Chariot servers and one MQTT Distributor, five MQTT Transmission
 * clients and a redundant MQTT Engine pair. Each server's files run a real Mosquitto on its own loopback port; every
 * client connects to every server, and a client that names a host not in a server's certificate is refused.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { Broker, startBroker } from './helpers/mosquitto';
import { ClientFiles, publish } from './helpers/mqtt';

jest.setTimeout(20 * 60_000);

/** Each server, the host its clients name (one in its certificate), and the product it runs. */
const SERVERS = [
  { name: 'chariot-a', dnsNames: ['localhost'], host: 'localhost' },
  { name: 'chariot-b', ipAddresses: ['127.0.0.1'], host: '127.0.0.1' },
  { name: 'distributor', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], host: 'localhost', product: 'mqtt-distributor' },
];
const ENGINES = ['engine-a', 'engine-b'];
const EDGES = ['edge-1', 'edge-2', 'edge-3', 'edge-4', 'edge-5'];
const CLIENTS = [...ENGINES.map((n) => `engine/${n}`), ...EDGES.map((n) => `transmission/${n}`)];

let pki: Deployment;
const brokers = new Map<string, Broker>();

/** The file of `kind` of the certificate at `constructPath`, as the inventory the deploy wrote lists it. */
function inventoryFile(constructPath: string, kind: string): string {
  const inventory = JSON.parse(fs.readFileSync(path.join(pki.dir, 'pki-inventory.json'), 'utf8'));
  const cert = inventory.certificates.find((c: any) => c.constructPath === constructPath);
  return pki.file(cert.files.find((f: any) => f.kind === kind).path);
}

function clientFiles(client: string): ClientFiles {
  return { ca: pki.file(`certs/${client}/ca.pem`), cert: pki.file(`certs/${client}/cert.pem`), privateKey: pki.file(`certs/${client}/private.key`) };
}

beforeAll(async () => {
  pki = Deployment.create({
    organization: 'Servers Test',
    country: 'DE',
    servers: SERVERS.map(({ host, ...server }) => server),
    engineClients: ENGINES,
    transmissionClients: EDGES,
  });
  pki.deploy();
  for (const { name } of SERVERS) {
    const server = `chariot-tls/pki/servers/${name}`;
    brokers.set(name, await startBroker({
      cert: inventoryFile(server, 'fullChain'),
      privateKey: inventoryFile(server, 'privateKey'),
      clientCa: inventoryFile(server, 'clientCa'),
    }));
  }
});

afterAll(async () => {
  for (const broker of brokers.values()) await broker.stop();
});

describe('a PKI with several servers', () => {
  test('each server has its own folder under certs/servers/, with its subject\'s organization and country', () => {
    for (const { name } of SERVERS) {
      expect(fs.existsSync(pki.file(`certs/servers/${name}/README.txt`))).toBe(true);
    }
    expect(new X509Certificate(pki.read('certs/servers/chariot-b/server.crt')).subject.split('\n')).toEqual(expect.arrayContaining(['O=Servers Test', 'C=DE', 'CN=127.0.0.1']));
    expect(pki.read('certs/servers/chariot-a/README.txt')).toContain('Chariot MQTT Server: TLS files for localhost');
    expect(pki.read('certs/servers/distributor/README.txt')).toContain('MQTT Distributor: TLS files for localhost');
  });

  test('every client connects to every server, over TLS with its client certificate', () => {
    const results = CLIENTS.flatMap((client) => SERVERS.map(({ name, host }) => {
      const result = publish(host, brokers.get(name)!.port, clientFiles(client), `spBv1.0/servers/${path.basename(client)}`, name);
      return `${client} -> ${name}: ${result.status === 0 ? 'connected' : result.stderr.trim()}`;
    }));
    expect(results).toEqual(CLIENTS.flatMap((client) => SERVERS.map(({ name }) => `${client} -> ${name}: connected`)));
  });

  test('a client that names a host not in the server\'s certificate refuses the server', () => {
    const files = clientFiles('transmission/edge-1');
    // chariot-a's certificate names only localhost: reached as 127.0.0.1 on the same listener, it is refused.
    const byAddress = publish('127.0.0.1', brokers.get('chariot-a')!.port, files, 'spBv1.0/x', 'wrong name');
    expect(byAddress.status).not.toBe(0);
    expect(byAddress.stderr).toMatch(/certificate verify failed|hostname|TLS|protocol/i);
    for (const { name } of SERVERS) {
      expect(publish('127.0.0.2', brokers.get(name)!.otherAddressPort, files, 'spBv1.0/x', 'wrong name').status).not.toBe(0);
    }
    // Without the name check the same connection goes through: only the name was wrong.
    expect(publish('127.0.0.1', brokers.get('chariot-a')!.port, files, 'spBv1.0/x', 'insecure', ['--insecure']).status).toBe(0);
  });

  test('each client\'s README lists every server\'s URLs, in the order given', () => {
    const readme = pki.read('certs/transmission/edge-3/README.txt');
    expect(readme).toContain([
      '  1. chariot-a (Chariot MQTT Server): ssl://localhost:8883',
      '  2. chariot-b (Chariot MQTT Server): ssl://127.0.0.1:8883',
      '  3. distributor (MQTT Distributor): ssl://localhost:8883, ssl://127.0.0.1:8883',
    ].join('\n'));
  });
});

describe('a server removed from the configuration', () => {
  test('leaves nothing behind: the engine removes its PEM files, the deploy its server.p12 (with the key) and its Java trust store', () => {
    const env = { CHARIOT_TLS_PKCS12_PASSWORD: 'servers-test-p12' };
    const config = (servers: typeof SERVERS) => ({
      organization: 'Servers Test', country: 'DE', servers: servers.map(({ host, ...server }) => server), engineClients: ENGINES, transmissionClients: EDGES, pkcs12: {},
    });
    pki.configure(config(SERVERS));
    pki.deploy({ env });
    expect(fs.readdirSync(pki.file('certs/servers/chariot-b'))).toEqual(expect.arrayContaining(['server.p12', 'client-truststore.p12', 'server.crt']));
    pki.configure(config(SERVERS.filter((s) => s.name !== 'chariot-b')));
    pki.deploy({ env });
    expect(fs.existsSync(pki.file('certs/servers/chariot-b'))).toBe(false);
    expect(fs.readdirSync(pki.file('certs/servers/chariot-a'))).toEqual(expect.arrayContaining(['server.p12', 'client-truststore.p12', 'server.crt']));
  });
});
