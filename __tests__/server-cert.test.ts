import { FileKind, KeyAlgorithm, ServerCert, ServerCertProps } from '../lib';
import { MQTT_ENGINE } from '../lib/products/mqtt-engine';
import { twoIssuers } from './helpers/hierarchy';
import { synth } from './helpers/synth';

describe('ServerCert defaults', () => {
  const stack = synth((scope) => {
    const { serverCa } = twoIssuers(scope);
    new ServerCert(scope, 'server', { issuer: serverCa, dnsNames: ['chariot.example.com'], ipAddresses: ['192.168.1.100'] });
  });
  const cert = () => stack.resource('tls_locally_signed_cert', 'server/cert').props;

  test('generates an RSA 2048 key', () => {
    expect(stack.resource('tls_private_key', 'server/key').props).toMatchObject({ algorithm: 'RSA', rsa_bits: 2048 });
  });

  test('is a TLS server certificate, not a CA', () => {
    expect(cert()).toMatchObject({ is_ca_certificate: false, allowed_uses: ['digital_signature', 'key_encipherment', 'server_auth'] });
  });

  test('is signed by its issuer', () => {
    expect(cert()).toMatchObject({
      ca_cert_pem: stack.ref('tls_locally_signed_cert', 'server-ca/cert', 'cert_pem'),
      ca_private_key_pem_wo: stack.ref('tls_private_key', 'server-ca/key', 'private_key_pem'),
    });
  });

  test('is valid for 2 years and renewed 60 days before it expires', () => {
    expect(cert()).toMatchObject({ validity_period_hours: 17520, early_renewal_hours: 1440 });
  });

  test('takes its common name from the first DNS name and lists every name in the SAN', () => {
    expect(stack.resource('tls_cert_request', 'server/csr').props).toMatchObject({
      subject: [{ common_name: 'chariot.example.com' }],
      dns_names: ['chariot.example.com'],
      ip_addresses: ['192.168.1.100'],
    });
  });

  test('writes no file without an output directory', () => {
    expect(stack.resources('local_file')).toHaveLength(0);
  });
});

describe('ServerCert subjectAltName', () => {
  test('a common name that is a host name is added to the DNS names', () => {
    const stack = synth((scope) => {
      const { serverCa } = twoIssuers(scope);
      new ServerCert(scope, 'server', { issuer: serverCa, subject: { commonName: 'chariot.example.com' }, dnsNames: ['mqtt.example.com'] });
    });
    expect(stack.resource('tls_cert_request', 'server/csr').props.dns_names).toEqual(['chariot.example.com', 'mqtt.example.com']);
  });

  test('a common name that is an IP address is added to the IP addresses', () => {
    const stack = synth((scope) => {
      const { serverCa } = twoIssuers(scope);
      new ServerCert(scope, 'server', { issuer: serverCa, subject: { commonName: '10.0.0.5' } });
    });
    const csr = stack.resource('tls_cert_request', 'server/csr').props;
    expect(csr.ip_addresses).toEqual(['10.0.0.5']);
    expect(csr.dns_names).toEqual([]);
  });

  test('an IP-only server takes its common name from the first address', () => {
    const stack = synth((scope) => {
      const { serverCa } = twoIssuers(scope);
      new ServerCert(scope, 'server', { issuer: serverCa, ipAddresses: ['127.0.0.1'] });
    });
    expect(stack.resource('tls_cert_request', 'server/csr').props.subject).toEqual([{ common_name: '127.0.0.1' }]);
  });
});

describe('ServerCert files', () => {
  const stack = synth((scope) => {
    const { serverCa, clientCa } = twoIssuers(scope);
    new ServerCert(scope, 'server', { issuer: serverCa, dnsNames: ['localhost'], trustedCas: [clientCa], outputDirectory: '/srv/pki/certs/server' });
  });
  const serverCaPem = stack.ref('tls_locally_signed_cert', 'server-ca/cert', 'cert_pem');
  const rootPem = stack.ref('tls_self_signed_cert', 'root/cert', 'cert_pem');
  const certPem = stack.ref('tls_locally_signed_cert', 'server/cert', 'cert_pem');

  test.each([
    ['key-file', 'server.key', 'private_key_pem'],
    ['pkcs8-key-file', 'server.pkcs8.key', 'private_key_pem_pkcs8'],
  ])('%s writes %s (%s) readable by its owner only', (id, name, attribute) => {
    expect(stack.resource('local_sensitive_file', `server/${id}`).props).toMatchObject({
      filename: `/srv/pki/certs/server/${name}`,
      content: stack.ref('tls_private_key', 'server/key', attribute),
      file_permission: '0600',
    });
  });

  test('server.crt is the certificate', () => {
    expect(stack.resource('local_file', 'server/cert-file').props).toMatchObject({ filename: '/srv/pki/certs/server/server.crt', content: certPem, file_permission: '0644' });
  });

  test('ca-chain.pem is the Server CA then the root (Chariot\'s "Root CA Chain")', () => {
    expect(stack.resource('local_file', 'server/ca-chain-file').props.content).toBe(`${serverCaPem}${rootPem}`);
  });

  test('fullchain.pem is the certificate then the chain', () => {
    expect(stack.resource('local_file', 'server/fullchain-file').props.content).toBe(`${certPem}${serverCaPem}${rootPem}`);
  });

  test('client-ca.pem holds the trusted client CA and its root', () => {
    expect(stack.resource('local_file', 'server/client-ca-file').props.content).toBe(`${stack.ref('tls_locally_signed_cert', 'client-ca/cert', 'cert_pem')}${rootPem}`);
  });

  test('exposes the paths it wrote', () => {
    synth((scope) => {
      const { serverCa } = twoIssuers(scope);
      const server = new ServerCert(scope, 'server', { issuer: serverCa, dnsNames: ['localhost'], outputDirectory: '/x' });
      expect(server.files).toEqual([
        { kind: FileKind.PRIVATE_KEY, path: '/x/server.key', secret: true },
        { kind: FileKind.PRIVATE_KEY_PKCS8, path: '/x/server.pkcs8.key', secret: true },
        { kind: FileKind.CERT, path: '/x/server.crt', secret: false },
        { kind: FileKind.CA_CHAIN, path: '/x/ca-chain.pem', secret: false },
        { kind: FileKind.FULL_CHAIN, path: '/x/fullchain.pem', secret: false },
        { kind: FileKind.CLIENT_CA, path: '/x/client-ca.pem', secret: false },
      ]);
      expect(server.filePath(FileKind.CA_CHAIN)).toBe('/x/ca-chain.pem');
    });
  });

  test('trusts the root of its issuer by default', () => {
    synth((scope) => {
      const { root, serverCa } = twoIssuers(scope);
      expect(new ServerCert(scope, 'server', { issuer: serverCa, dnsNames: ['localhost'] }).trustBundlePem).toBe(root.certPem);
    });
  });
});

describe('ServerCert validation', () => {
  const build = (props: Partial<ServerCertProps>) => () =>
    synth((scope) => new ServerCert(scope, 'server', { issuer: twoIssuers(scope).serverCa, dnsNames: ['localhost'], ...props }));

  test('refuses an invalid DNS name, naming its position', () => {
    expect(build({ dnsNames: ['ok.example.com', 'bad name'] })).toThrow(/test\/server: invalid configuration:\n  - dnsNames\[1\] "bad name" is not a valid DNS name; use letters/);
  });

  test.each(['-leading.example.com', 'a..b', 'x'.repeat(64) + '.com', '192.168.1.1'])('refuses the DNS name %s', (name) => {
    expect(build({ dnsNames: [name] })).toThrow(/is not a valid DNS name/);
  });

  test('accepts a wildcard DNS name', () => {
    expect(build({ dnsNames: ['*.example.com'] })).not.toThrow();
  });

  test('refuses an invalid IP address', () => {
    expect(build({ ipAddresses: ['300.1.1.1'] })).toThrow(/ipAddresses\[0\] "300.1.1.1" is not a valid IP address; use an IPv4 or IPv6 address/);
  });

  test('refuses a non-RSA key: Chariot accepts only RSA', () => {
    expect(build({ key: { algorithm: KeyAlgorithm.ECDSA } })).toThrow(/key\.algorithm "ECDSA" is not accepted by Chariot for its server key; use KeyAlgorithm\.RSA/);
  });

  test('refuses a product that takes a client certificate', () => {
    expect(build({ product: MQTT_ENGINE })).toThrow(/product "mqtt-engine" takes a client certificate, not a server certificate; choose a server product: chariot/);
  });

  test('refuses an RSA key under 2048 bits', () => {
    expect(build({ key: { rsaBits: 1024 } })).toThrow(/key\.rsaBits 1024 is too small/);
  });

  test('refuses a server with no name', () => {
    expect(build({ dnsNames: [] })).toThrow(/dnsNames \[\] is empty, and so are ipAddresses and the common name/);
  });

  test('refuses to outlive its issuer', () => {
    expect(build({ validityPeriodHours: 50000 })).toThrow(/validityPeriodHours 50000 is longer than its issuer test\/server-ca \(43800 hours\)/);
  });

  test('warns when the renewal window is as long as the validity', () => {
    synth((scope) => {
      const server = new ServerCert(scope, 'server', { issuer: twoIssuers(scope).serverCa, dnsNames: ['localhost'], validityPeriodHours: 24, earlyRenewalHours: 48 });
      const warnings = server.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => m.data);
      expect(warnings).toEqual([expect.stringMatching(/earlyRenewalHours \(48\) is not less than validityPeriodHours \(24\).*re-issued on every deploy/)]);
    });
  });
});
