import { TlsProvider } from '@cdktf/provider-tls/lib/provider';
import { EcdsaCurve, KeyAlgorithm, RootCa } from '../lib';
import { synth } from './helpers/synth';

const subject = { commonName: 'Example Root CA', organization: 'Example', organizationalUnit: 'CA', country: 'US' };

describe('RootCa defaults', () => {
  const stack = synth((scope) => new RootCa(scope, 'root', { subject }));

  test('generates an RSA 4096 key', () => {
    expect(stack.resource('tls_private_key', 'root/key').props).toMatchObject({ algorithm: 'RSA', rsa_bits: 4096 });
  });

  test('self-signs a CA certificate for signing certificates and CRLs only', () => {
    expect(stack.resource('tls_self_signed_cert', 'root/cert').props).toMatchObject({
      is_ca_certificate: true,
      allowed_uses: ['cert_signing', 'crl_signing', 'digital_signature'],
    });
  });

  test('hands its key to the certificate write-only, so the certificate keeps no copy of it', () => {
    const cert = stack.resource('tls_self_signed_cert', 'root/cert').props;
    expect(cert).not.toHaveProperty('private_key_pem');
    expect(cert).toMatchObject({ private_key_pem_wo: stack.ref('tls_private_key', 'root/key', 'private_key_pem'), private_key_pem_wo_version: 1 });
  });

  test('sets subject and authority key identifiers, as OpenSSL 3 strict mode wants', () => {
    expect(stack.resource('tls_self_signed_cert', 'root/cert').props).toMatchObject({ set_subject_key_id: true, set_authority_key_id: true });
  });

  test('is valid for 10 years and never renewed automatically', () => {
    expect(stack.resource('tls_self_signed_cert', 'root/cert').props).toMatchObject({ validity_period_hours: 87600, early_renewal_hours: 0 });
  });

  test('puts every subject field in the certificate', () => {
    expect(stack.resource('tls_self_signed_cert', 'root/cert').props.subject).toEqual([
      { common_name: 'Example Root CA', organization: 'Example', organizational_unit: 'CA', country: 'US' },
    ]);
  });

  test('sets no path length limit', () => {
    expect(stack.resource('tls_self_signed_cert', 'root/cert').props).not.toHaveProperty('max_path_length');
  });

  test('writes no file', () => {
    expect(stack.resources('local_file')).toHaveLength(0);
    expect(stack.resources('local_sensitive_file')).toHaveLength(0);
  });

  test('requires a tls provider with max_path_length (4.2.0 or later)', () => {
    expect(stack.json.terraform.required_providers.tls).toEqual({ source: 'hashicorp/tls', version: '>= 4.2.0, < 5.0.0' });
    expect(stack.json.terraform.required_providers.local.version).toBe('>= 2.5.0, < 3.0.0');
  });
});

describe('RootCa options', () => {
  test('maxPathLength is written as max_path_length', () => {
    const stack = synth((scope) => new RootCa(scope, 'root', { subject, maxPathLength: 1 }));
    expect(stack.resource('tls_self_signed_cert', 'root/cert').props.max_path_length).toBe(1);
  });

  test('an ECDSA key uses the curve asked for and no RSA size', () => {
    const stack = synth((scope) => new RootCa(scope, 'root', { subject, key: { algorithm: KeyAlgorithm.ECDSA, ecdsaCurve: EcdsaCurve.P384 } }));
    const key = stack.resource('tls_private_key', 'root/key').props;
    expect(key).toMatchObject({ algorithm: 'ECDSA', ecdsa_curve: 'P384' });
    expect(key).not.toHaveProperty('rsa_bits');
  });

  test('certFile writes the certificate readable by all', () => {
    const stack = synth((scope) => new RootCa(scope, 'root', { subject, certFile: '/tmp/pki/ca.crt' }));
    expect(stack.resource('local_file', 'root/cert-file').props).toMatchObject({
      filename: '/tmp/pki/ca.crt',
      file_permission: '0644',
      content: stack.ref('tls_self_signed_cert', 'root/cert', 'cert_pem'),
    });
  });

  test('privateKeyFile writes the key as a sensitive file readable by its owner only', () => {
    const stack = synth((scope) => new RootCa(scope, 'root', { subject, privateKeyFile: '/tmp/pki/ca.key' }));
    expect(stack.resource('local_sensitive_file', 'root/key-file').props).toMatchObject({
      filename: '/tmp/pki/ca.key',
      file_permission: '0600',
      content: stack.ref('tls_private_key', 'root/key', 'private_key_pem'),
    });
  });

  test('exposes its chain as itself only', () => {
    synth((scope) => {
      const root = new RootCa(scope, 'root', { subject });
      expect(root.chain).toEqual([root]);
      expect(root.chainPem).toBe(root.certPem);
    });
  });

  test('reuses a tls provider the stack already declares', () => {
    const stack = synth((scope) => {
      new TlsProvider(scope, 'my-tls', { alias: undefined });
      new RootCa(scope, 'root', { subject });
    });
    expect(stack.json.provider.tls).toHaveLength(1);
  });
});

describe('RootCa validation', () => {
  const build = (props: Partial<ConstructorParameters<typeof RootCa>[2]>) => () =>
    synth((scope) => new RootCa(scope, 'root', { subject, ...props }));

  test('refuses an RSA key under 2048 bits, naming the field and the fix', () => {
    expect(build({ key: { rsaBits: 1024 } })).toThrow(/root: invalid configuration:\n  - key\.rsaBits 1024 is too small.*use 2048, 3072 or 4096/);
  });

  test('refuses a country that is not a two-letter code', () => {
    expect(build({ subject: { ...subject, country: 'USA' } })).toThrow(/subject\.country "USA" is not a two-letter ISO 3166 code/);
  });

  test('refuses an empty or over-long common name', () => {
    expect(build({ subject: { commonName: '' } })).toThrow(/subject\.commonName "" must have 1 to 64 characters/);
    expect(build({ subject: { commonName: 'x'.repeat(65) } })).toThrow(/subject\.commonName "x{65}" must have 1 to 64/);
  });

  test('refuses a validity that is not a positive whole number of hours', () => {
    expect(build({ validityPeriodHours: 0 })).toThrow(/validityPeriodHours 0 is not a positive whole number/);
  });

  test('refuses a negative path length', () => {
    expect(build({ maxPathLength: -1 })).toThrow(/maxPathLength -1 is not a whole number, 0 or more/);
  });

  test('reports every problem at once', () => {
    expect(build({ key: { rsaBits: 512 }, validityPeriodHours: -5 })).toThrow(/key\.rsaBits 512[^]*validityPeriodHours -5/);
  });
});
