import * as path from 'node:path';
import { ChariotPki, ChariotPkiProps, KeyAlgorithm } from '../lib';
import { THIRD_PARTY_BROKER } from '../lib/products/third-party-broker';
import { synth } from './helpers/synth';

const OUT = '/srv/pki';
const minimal: ChariotPkiProps = { outputDirectory: OUT, server: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }, engineClients: ['engine'], transmissionClients: ['edge-1', 'edge-2'] };

function filenames(props: ChariotPkiProps = minimal): string[] {
  const stack = synth((scope) => new ChariotPki(scope, 'pki', props));
  return [...stack.resources('local_file'), ...stack.resources('local_sensitive_file')].map((r) => r.props.filename).sort();
}

describe('ChariotPki hierarchy', () => {
  const stack = synth((scope) => new ChariotPki(scope, 'pki', minimal));

  test('one root CA signs the Server, Engine and Transmission CAs', () => {
    expect(stack.resources('tls_self_signed_cert').map((r) => r.path)).toEqual(['test/pki/root-ca/cert']);
    const rootPem = stack.ref('tls_self_signed_cert', 'root-ca/cert', 'cert_pem');
    for (const ca of ['server-ca', 'engine-ca', 'transmission-ca']) {
      expect(stack.resource('tls_locally_signed_cert', `${ca}/cert`).props).toMatchObject({ ca_cert_pem: rootPem, is_ca_certificate: true, max_path_length: 0 });
    }
  });

  test.each([
    ['server/cert', 'server-ca'],
    ['engine/engine/cert', 'engine-ca'],
    ['transmission/edge-1/cert', 'transmission-ca'],
    ['transmission/edge-2/cert', 'transmission-ca'],
  ])('%s is signed by the %s', (leaf, ca) => {
    expect(stack.resource('tls_locally_signed_cert', leaf).props.ca_cert_pem).toBe(stack.ref('tls_locally_signed_cert', `${ca}/cert`, 'cert_pem'));
  });

  test('CA names carry the organization, with OU "CA" as in the seed procedure', () => {
    expect(stack.resource('tls_self_signed_cert', 'root-ca/cert').props.subject).toEqual([{ common_name: 'Chariot TLS Root CA', organization: 'Chariot TLS', organizational_unit: 'CA' }]);
    expect(stack.resource('tls_cert_request', 'engine-ca/csr').props.subject[0].common_name).toBe('Chariot TLS Engine CA');
  });

  test('a client certificate names its client and its kind', () => {
    expect(stack.resource('tls_cert_request', 'transmission/edge-1/csr').props.subject).toEqual([{ common_name: 'edge-1', organization: 'Chariot TLS', organizational_unit: 'transmission' }]);
  });

  test('the server trusts the Engine and Transmission CAs and the root, in that order', () => {
    const pem = (p: string) => stack.ref('tls_locally_signed_cert', p, 'cert_pem');
    expect(stack.resource('local_file', 'server/client-ca-file').props.content).toBe(
      `${pem('engine-ca/cert')}${pem('transmission-ca/cert')}${stack.ref('tls_self_signed_cert', 'root-ca/cert', 'cert_pem')}`,
    );
  });

  test('every client trusts the Server CA and the root', () => {
    const expected = `${stack.ref('tls_locally_signed_cert', 'server-ca/cert', 'cert_pem')}${stack.ref('tls_self_signed_cert', 'root-ca/cert', 'cert_pem')}`;
    for (const client of ['engine/engine', 'transmission/edge-1', 'transmission/edge-2']) {
      expect(stack.resource('local_file', `${client}/ca-file`).props.content).toBe(expected);
    }
  });
});

describe('ChariotPki file layout', () => {
  test('writes the documented layout and no CA key', () => {
    const leafFiles = (dir: string) => ['README.txt', 'ca.pem', 'cert.pem', 'private.key'].map((f) => `${OUT}/certs/${dir}/${f}`);
    expect(filenames()).toEqual([
      `${OUT}/ca/ca.crt`,
      `${OUT}/ca/engine/engine-ca.crt`,
      `${OUT}/ca/server/server-ca.crt`,
      `${OUT}/ca/transmission/transmission-ca.crt`,
      ...leafFiles('engine/engine'),
      ...['README.txt', 'ca-chain.pem', 'client-ca.pem', 'fullchain.pem', 'server.crt', 'server.key', 'server.pkcs8.key'].map((f) => `${OUT}/certs/server/${f}`),
      ...leafFiles('transmission/edge-1'),
      ...leafFiles('transmission/edge-2'),
    ].sort());
  });

  test('writeCaPrivateKeys puts each CA key beside its certificate', () => {
    const keys = filenames({ ...minimal, writeCaPrivateKeys: true }).filter((f) => f.includes('/ca/') && f.endsWith('.key'));
    expect(keys).toEqual([`${OUT}/ca/ca.key`, `${OUT}/ca/engine/engine-ca.key`, `${OUT}/ca/server/server-ca.key`, `${OUT}/ca/transmission/transmission-ca.key`]);
  });

  test('the output directory defaults to pki/ under the working directory', () => {
    synth((scope) => expect(new ChariotPki(scope, 'pki', { engineClients: ['e'] }).outputDirectory).toBe(path.resolve('pki')));
  });

  test('without a server, no server certificate is issued but the Server CA is', () => {
    const stack = synth((scope) => new ChariotPki(scope, 'pki', { transmissionClients: ['edge-1'] }));
    expect(stack.resources('tls_locally_signed_cert').map((r) => r.path).sort()).toEqual(
      ['test/pki/engine-ca/cert', 'test/pki/server-ca/cert', 'test/pki/transmission-ca/cert', 'test/pki/transmission/edge-1/cert'],
    );
  });
});

describe('ChariotPki options', () => {
  test('key and validity options reach every CA and leaf', () => {
    const stack = synth((scope) => new ChariotPki(scope, 'pki', {
      ...minimal, caKey: { rsaBits: 3072 }, leafKey: { rsaBits: 3072 },
      rootValidityPeriodHours: 1000, intermediateValidityPeriodHours: 500, leafValidityPeriodHours: 100, leafEarlyRenewalHours: 10,
    }));
    expect(new Set(stack.resources('tls_private_key').map((r) => r.props.rsa_bits))).toEqual(new Set([3072]));
    expect(stack.resource('tls_self_signed_cert', 'root-ca/cert').props.validity_period_hours).toBe(1000);
    expect(stack.resource('tls_locally_signed_cert', 'server-ca/cert').props.validity_period_hours).toBe(500);
    expect(stack.resource('tls_locally_signed_cert', 'transmission/edge-2/cert').props).toMatchObject({ validity_period_hours: 100, early_renewal_hours: 10 });
  });

  test('a fleet of 500 edge gateways synthesizes one key and one certificate each', () => {
    const names = Array.from({ length: 500 }, (_, i) => `edge-${String(i).padStart(3, '0')}`);
    const stack = synth((scope) => new ChariotPki(scope, 'pki', { ...minimal, transmissionClients: names }));
    expect(stack.resources('tls_private_key')).toHaveLength(4 + 1 + 1 + 500);
    expect(stack.resources('tls_locally_signed_cert').filter((r) => r.path.includes('/transmission/'))).toHaveLength(500);
  });
});

describe('ChariotPki with several servers', () => {
  const props: ChariotPkiProps = {
    ...minimal,
    organization: 'Acme',
    country: 'DE',
    servers: [
      { name: 'backup', dnsNames: ['backup.example.com'] },
      { name: 'broker', ipAddresses: ['10.0.0.9'], product: THIRD_PARTY_BROKER },
    ],
  };
  const stack = synth((scope) => new ChariotPki(scope, 'pki', props));
  const readme = (client: string) => stack.resource('local_file', `${client}/readme/file`).props.content as string;

  test('the first server keeps its address and folder; the others are servers/NAME in certs/servers/NAME/', () => {
    expect(stack.resources('tls_locally_signed_cert').map((r) => r.path).filter((p) => /server\//.test(p) || /servers\//.test(p))).toEqual(['test/pki/server/cert', 'test/pki/servers/backup/cert', 'test/pki/servers/broker/cert']);
    expect(stack.resource('local_file', 'servers/backup/cert-file').props.filename).toBe(`${OUT}/certs/servers/backup/server.crt`);
  });

  test('each server gets the files of its product', () => {
    expect(filenames(props).filter((f) => f.includes('/servers/broker/'))).toEqual(
      ['README.txt', 'ca-chain.pem', 'client-ca.pem', 'fullchain.pem', 'server.crt', 'server.key'].map((f) => `${OUT}/certs/servers/broker/${f}`),
    );
  });

  test('every server is signed by the Server CA, which every client trusts', () => {
    const serverCa = stack.ref('tls_locally_signed_cert', 'server-ca/cert', 'cert_pem');
    for (const server of ['server', 'servers/backup', 'servers/broker']) {
      expect(stack.resource('tls_locally_signed_cert', `${server}/cert`).props.ca_cert_pem).toBe(serverCa);
    }
    expect(stack.resource('local_file', 'transmission/edge-1/ca-file').props.content).toContain(serverCa);
  });

  test('a new server\'s subject carries the organization and country; the first server keeps its subject', () => {
    expect(stack.resource('tls_cert_request', 'servers/backup/csr').props.subject).toEqual([{ common_name: 'backup.example.com', organization: 'Acme', country: 'DE' }]);
    expect(stack.resource('tls_cert_request', 'server/csr').props.subject).toEqual([{ common_name: 'localhost' }]);
  });

  test('each client\'s README lists every server\'s URLs in the order given, the first server first', () => {
    expect(readme('transmission/edge-1')).toContain([
      "Servers, in the order to try them (one connection each; the names in each server's certificate, which clients check):",
      '  1. server (Chariot MQTT Server): ssl://localhost:8883, ssl://127.0.0.1:8883',
      '  2. backup (Chariot MQTT Server): ssl://backup.example.com:8883',
      '  3. broker (MQTT broker (third-party)): ssl://10.0.0.9:8883',
    ].join('\n'));
  });

  test('a third-party broker\'s README says which file goes into which option', () => {
    expect(stack.resource('local_file', 'servers/broker/readme/file').props.content).toMatch(/certfile +fullchain\.pem[^]*keyfile +server\.key[^]*cafile +client-ca\.pem/);
  });
});

describe('ChariotPki validation', () => {
  const build = (props: ChariotPkiProps) => () => synth((scope) => new ChariotPki(scope, 'pki', props));

  test('refuses a duplicate client name', () => {
    expect(build({ ...minimal, transmissionClients: ['edge-1', 'edge-2', 'edge-1'] })).toThrow(/test\/pki: invalid configuration:\n  - transmissionClients "edge-1" appears more than once; give each client a unique name/);
  });

  test.each(['../x', '/etc', 'a/b', '', '.hidden'])('refuses the client name %j, which would escape its folder', (name) => {
    expect(build({ ...minimal, engineClients: [name] })).toThrow(/engineClients\[0\] ".*" is not a safe directory name.*use 1 to 64 letters, digits, - and _/);
  });

  test('refuses an empty hierarchy', () => {
    expect(build({})).toThrow(/server is missing and there are no clients: the hierarchy is empty; set server, servers, engineClients, transmissionClients or sites/);
  });

  test('passes the server\'s bad names up with the construct path', () => {
    expect(build({ ...minimal, server: { dnsNames: ['bad_host!'] } })).toThrow(/test\/pki\/server: invalid configuration:\n  - dnsNames\[0\] "bad_host!" is not a valid DNS name/);
  });

  test('refuses leaves that outlive their issuing CA', () => {
    expect(build({ ...minimal, intermediateValidityPeriodHours: 1000, leafValidityPeriodHours: 2000 })).toThrow(/validityPeriodHours 2000 is longer than its issuer test\/pki\/server-ca \(1000 hours\)/);
  });

  test('refuses a server named like a client', () => {
    expect(build({ ...minimal, servers: [{ name: 'edge-1', dnsNames: ['e.example.com'] }] })).toThrow(/servers\[0\]\.name "edge-1" is also the name of a client; give servers and clients different names/);
  });

  test('refuses two servers whose names differ only in case: they would share a folder', () => {
    expect(build({ ...minimal, servers: [{ name: 'Backup', dnsNames: ['a.example.com'] }, { name: 'backup', dnsNames: ['b.example.com'] }] }))
      .toThrow(/servers\[1\]\.name "backup" is already the name of a server \("Backup"; names are compared ignoring case, as folders are on macOS and Windows\); give each server a name, and so a folder, of its own/);
  });

  test('refuses a server named like the first server', () => {
    expect(build({ ...minimal, servers: [{ name: 'SERVER', dnsNames: ['a.example.com'] }] })).toThrow(/servers\[0\]\.name "SERVER" is already the name of a server \("server"/);
  });

  test.each(['../x', 'a/b', ''])('refuses the server name %j, which would escape its folder', (name) => {
    expect(build({ ...minimal, servers: [{ name, dnsNames: ['a.example.com'] }] })).toThrow(/servers\[0\]\.name ".*" is not a safe directory name/);
  });

  test('refuses a non-RSA key for Chariot, and takes one for a third-party broker', () => {
    const ecdsa = { algorithm: KeyAlgorithm.ECDSA };
    expect(build({ ...minimal, server: undefined, servers: [{ name: 'b', dnsNames: ['b.example.com'], product: THIRD_PARTY_BROKER }], leafKey: ecdsa })).not.toThrow();
    expect(build({ ...minimal, server: undefined, servers: [{ name: 'c', dnsNames: ['c.example.com'] }], leafKey: ecdsa })).toThrow(/test\/pki\/servers\/c: invalid configuration:\n  - key\.algorithm "ECDSA" is not accepted by Chariot/);
  });

  test('refuses a non-RSA server key', () => {
    expect(build({ ...minimal, leafKey: { algorithm: 'ECDSA' as never } })).toThrow(/key\.algorithm "ECDSA" is not accepted by Chariot/);
  });
});
