import { ClientCert, EcdsaCurve, KeyAlgorithm } from '../lib';
import { twoIssuers } from './helpers/hierarchy';
import { synth } from './helpers/synth';

describe('ClientCert defaults', () => {
  const stack = synth((scope) => new ClientCert(scope, 'edge-001', { issuer: twoIssuers(scope).clientCa }));
  const cert = () => stack.resource('tls_locally_signed_cert', 'edge-001/cert').props;

  test('is a TLS client certificate, not a CA', () => {
    expect(cert()).toMatchObject({ is_ca_certificate: false, allowed_uses: ['digital_signature', 'client_auth'] });
  });

  test('takes its common name from its id, with no SAN', () => {
    expect(stack.resource('tls_cert_request', 'edge-001/csr').props).toMatchObject({ subject: [{ common_name: 'edge-001' }], dns_names: [], ip_addresses: [] });
  });

  test('its request is replaced with its key: the key reaches the request write-only, so the plan would not show a new one', () => {
    const key = stack.ref('tls_private_key', 'edge-001/key', 'id').replace(/^\$\{(.*)\.id\}$/, '$1');
    expect(stack.resource('tls_cert_request', 'edge-001/csr').props).toMatchObject({ lifecycle: { replace_triggered_by: [key] } });
  });

  test('generates an RSA 2048 key, valid 2 years, renewed 60 days early', () => {
    expect(stack.resource('tls_private_key', 'edge-001/key').props).toMatchObject({ algorithm: 'RSA', rsa_bits: 2048 });
    expect(cert()).toMatchObject({ validity_period_hours: 17520, early_renewal_hours: 1440 });
  });
});

describe('ClientCert files', () => {
  const stack = synth((scope) => {
    const { serverCa, clientCa } = twoIssuers(scope);
    new ClientCert(scope, 'engine-a', { issuer: clientCa, trustedCas: [serverCa], outputDirectory: '/srv/pki/certs/engine/engine-a' });
  });

  test('ca.pem is what the client trusts to verify the server: the Server CA and its root', () => {
    expect(stack.resource('local_file', 'engine-a/ca-file').props).toMatchObject({
      filename: '/srv/pki/certs/engine/engine-a/ca.pem',
      content: `${stack.ref('tls_locally_signed_cert', 'server-ca/cert', 'cert_pem')}${stack.ref('tls_self_signed_cert', 'root/cert', 'cert_pem')}`,
      file_permission: '0644',
    });
  });

  test('cert.pem is the certificate', () => {
    expect(stack.resource('local_file', 'engine-a/cert-file').props).toMatchObject({
      filename: '/srv/pki/certs/engine/engine-a/cert.pem',
      content: stack.ref('tls_locally_signed_cert', 'engine-a/cert', 'cert_pem'),
    });
  });

  test('private.key is the PKCS#1 key, readable by its owner only', () => {
    expect(stack.resource('local_sensitive_file', 'engine-a/key-file').props).toMatchObject({
      filename: '/srv/pki/certs/engine/engine-a/private.key',
      content: stack.ref('tls_private_key', 'engine-a/key', 'private_key_pem'),
      file_permission: '0600',
    });
  });

  test('trusts the root of its issuer by default', () => {
    synth((scope) => {
      const { root, clientCa } = twoIssuers(scope);
      expect(new ClientCert(scope, 'c', { issuer: clientCa }).trustBundlePem).toBe(root.certPem);
    });
  });
});

describe('ClientCert keys', () => {
  test('an ECDSA client key leaves out keyEncipherment', () => {
    const stack = synth((scope) => new ClientCert(scope, 'c', { issuer: twoIssuers(scope).clientCa, key: { algorithm: KeyAlgorithm.ECDSA, ecdsaCurve: EcdsaCurve.P256 } }));
    expect(stack.resource('tls_locally_signed_cert', 'c/cert').props.allowed_uses).toEqual(['digital_signature', 'client_auth']);
  });

  test('refuses an RSA key under 2048 bits', () => {
    expect(() => synth((scope) => new ClientCert(scope, 'c', { issuer: twoIssuers(scope).clientCa, key: { rsaBits: 1536 } }))).toThrow(/test\/c: invalid configuration:\n  - key\.rsaBits 1536/);
  });
});
