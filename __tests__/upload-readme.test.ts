import { Construct } from 'constructs';
import { ChariotPki, ClientCert, KeyAlgorithm, ServerCert, UploadReadme, UploadReadmeProps } from '../lib';
import { MQTT_ENGINE } from '../lib/products/mqtt-engine';
import { twoIssuers } from './helpers/hierarchy';
import { synth } from './helpers/synth';

const OUT = '/srv/pki';
const SERVER = { dnsNames: ['chariot.example.com'], ipAddresses: ['10.0.0.5', 'fd00::5'] };

/** The README resources of a synthesized stack, by file name. */
function readmes(fn: (scope: Construct) => void): Record<string, { content: string; file_permission: string; path: string }> {
  const stack = synth(fn);
  return Object.fromEntries(
    stack.resources('local_file')
      .filter((r) => r.props.filename.endsWith('/README.txt'))
      .map((r) => [r.props.filename, { ...r.props, path: r.path }]),
  );
}

describe('UploadReadme in ChariotPki', () => {
  const found = readmes((scope) => new ChariotPki(scope, 'pki', { outputDirectory: OUT, server: SERVER, engineClients: ['engine-a'], transmissionClients: ['edge-1'] }));
  const chariot = () => found[`${OUT}/certs/server/README.txt`].content;
  const engine = () => found[`${OUT}/certs/engine/engine-a/README.txt`].content;
  const transmission = () => found[`${OUT}/certs/transmission/edge-1/README.txt`].content;

  test('one README.txt in the folder of each certificate, mode 0644, and nowhere else', () => {
    expect(Object.keys(found).sort()).toEqual([
      `${OUT}/certs/engine/engine-a/README.txt`,
      `${OUT}/certs/server/README.txt`,
      `${OUT}/certs/transmission/edge-1/README.txt`,
    ]);
    expect(Object.values(found).map((r) => r.file_permission)).toEqual(['0644', '0644', '0644']);
  });

  test('the construct ids are readme under each certificate (Terraform addresses)', () => {
    expect(Object.values(found).map((r) => r.path).sort()).toEqual([
      'test/pki/engine/engine-a/readme/file',
      'test/pki/server/readme/file',
      'test/pki/transmission/edge-1/readme/file',
    ]);
  });

  test('Chariot: each of its three upload fields names its file', () => {
    expect(chariot()).toMatch(/^  Private Key +server\.key +the server's RSA 2048 key, PKCS#1 PEM \(server\.pkcs8\.key is the same key as PKCS#8/m);
    expect(chariot()).toMatch(/^  Server Certificate +server\.crt +/m);
    expect(chariot()).toMatch(/^  Root CA Chain +ca-chain\.pem +/m);
  });

  test("Chariot: the client trust store as a PKCS#12 file, how to load it, and the single-CA files under ca/", () => {
    const text = chariot();
    expect(text).toContain('  client-truststore.p12  only when PKCS#12 output is on: the same CAs as a Java trust store (PKCS12),\n');
    expect(text).toContain('keytool -importkeystore -srcstoretype PKCS12 -srckeystore');
    expect(text).toContain('ca/engine/engine-ca.crt, ca/transmission/transmission-ca.crt');
    expect(text).toContain('the root ca/ca.crt');
  });

  test('Chariot: client-ca.pem is the client trust store; fullchain.pem is not uploaded', () => {
    expect(chariot()).toMatch(/Client trust store[^\n]*\n  client-ca\.pem  the CAs whose client certificates Chariot accepts/);
    expect(chariot()).toMatch(/not uploaded to Chariot:\n  fullchain\.pem /);
  });

  test.each([['MQTT Engine', 'engine-a', engine], ['MQTT Transmission', 'edge-1', transmission]])('%s: each field names its file, the password stays empty', (product, name, text) => {
    expect(text()).toMatch(new RegExp(`^${product}: TLS client files for "${name}"\n=+\n`));
    expect(text()).toContain(`Config > ${product} > Settings > Servers`);
    expect(text()).toMatch(/^  CA Certificate File +ca\.pem +/m);
    expect(text()).toMatch(new RegExp(`^  Client Certificate File +cert\\.pem +this client's certificate \\(CN=${name}\\)`, 'm'));
    expect(text()).toMatch(/^  Client Private Key File +private\.key +its RSA 2048 key, PKCS#1 PEM/m);
    expect(text()).toMatch(/^  Password +\(leave empty\) +the key is not encrypted/m);
  });

  test('every README says the key password is empty and the key files are secret', () => {
    expect(chariot()).toContain('Key password: none. The key is not encrypted: leave every password field empty.');
    expect(chariot()).toContain('server.key and server.pkcs8.key: secret (mode 0600)');
    expect(engine()).toContain('private.key: secret (mode 0600)');
  });

  test('the server URLs are ssl://HOST:8883 for each of the server\'s names, IPv6 in brackets', () => {
    const urls = '  ssl://chariot.example.com:8883\n  ssl://10.0.0.5:8883\n  ssl://[fd00::5]:8883\n';
    for (const text of [chariot(), engine(), transmission()]) expect(text).toContain(urls);
  });

  test('the expiry date is the certificate\'s, filled in at deploy time, with the renewal window', () => {
    expect(engine()).toContain('Certificate expires: ${formatdate("YYYY-MM-DD hh:mm:ss ZZZ", tls_locally_signed_cert.pki_engine_engine-a_cert_33C12CB6.validity_end_time)}; a deploy re-issues it from 60 days before.');
  });
});

describe('UploadReadme defaults', () => {
  function clientReadme(props: Partial<UploadReadmeProps> = {}): UploadReadme {
    let readme: UploadReadme | undefined;
    synth((scope) => {
      const { clientCa } = twoIssuers(scope);
      const cert = new ClientCert(scope, 'edge', { issuer: clientCa, outputDirectory: `${OUT}/edge` });
      readme = new UploadReadme(scope, 'readme', { certificate: cert, ...props });
    });
    return readme!;
  }

  test('without a server, clients are told to use a name from Chariot\'s certificate', () => {
    const readme = clientReadme();
    expect(readme.serverUrls).toEqual([]);
    expect(readme.content).toContain('Server URL, one of: ssl://HOST:8883, where HOST is a DNS name or IP address in Chariot\'s certificate.');
  });

  test('the port defaults to 8883 and can be changed', () => {
    expect(clientReadme().content).toContain('ssl://HOST:8883');
    expect(clientReadme({ port: 18883 }).content).toContain('ssl://HOST:18883');
  });

  test('is written beside the certificate\'s files', () => {
    expect(clientReadme().file).toBe(`${OUT}/edge/README.txt`);
  });

  test('an ECDSA client key is described as SEC 1', () => {
    let content = '';
    synth((scope) => {
      const { clientCa } = twoIssuers(scope);
      const cert = new ClientCert(scope, 'edge', { issuer: clientCa, product: MQTT_ENGINE, key: { algorithm: KeyAlgorithm.ECDSA }, outputDirectory: OUT });
      content = new UploadReadme(scope, 'readme', { certificate: cert }).content;
    });
    expect(content).toMatch(/Client Private Key File +private\.key +its ECDSA P256 key, SEC 1 PEM/);
  });

  test('a certificate whose renewal is off says it is not re-issued early', () => {
    expect(clientReadme({}).content).toContain('a deploy re-issues it from 60 days before');
    let content = '';
    synth((scope) => {
      const { clientCa } = twoIssuers(scope);
      const cert = new ClientCert(scope, 'edge', { issuer: clientCa, earlyRenewalHours: 0, outputDirectory: OUT });
      content = new UploadReadme(scope, 'readme', { certificate: cert }).content;
    });
    expect(content).toContain('; it is not re-issued before then.');
  });
});

describe('UploadReadme validation', () => {
  function build(fn: (scope: Construct, certs: { server: ServerCert; client: ClientCert; bare: ClientCert }) => void): () => void {
    return () => synth((scope) => {
      const { serverCa, clientCa } = twoIssuers(scope);
      fn(scope, {
        server: new ServerCert(scope, 'server', { issuer: serverCa, dnsNames: ['chariot.example.com'], outputDirectory: OUT }),
        client: new ClientCert(scope, 'client', { issuer: clientCa, outputDirectory: `${OUT}/client` }),
        bare: new ClientCert(scope, 'bare', { issuer: clientCa }),
      });
    });
  }

  test('the certificate must write its files', () => {
    expect(build((scope, { bare }) => new UploadReadme(scope, 'readme', { certificate: bare })))
      .toThrow('certificate "test/bare" writes no files, so there is no folder for the README; set the certificate\'s outputDirectory');
  });

  test.each([0, 65536, 88.5])('port %p is refused', (port) => {
    expect(build((scope, { client }) => new UploadReadme(scope, 'readme', { certificate: client, port })))
      .toThrow(`port ${port} is not a TCP port; use a whole number from 1 to 65535, usually 8883`);
  });
});
