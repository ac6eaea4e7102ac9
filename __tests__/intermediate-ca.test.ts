import { Construct } from 'constructs';
import { IntermediateCa, IntermediateCaProps, RootCa } from '../lib';
import { synth } from './helpers/synth';

const rootSubject = { commonName: 'Example Root CA' };
const subject = { commonName: 'Example Server CA', organizationalUnit: 'CA' };

function rootOf(scope: Construct, maxPathLength?: number): RootCa {
  return new RootCa(scope, 'root', { subject: rootSubject, maxPathLength });
}

describe('IntermediateCa defaults', () => {
  const stack = synth((scope) => new IntermediateCa(scope, 'server-ca', { issuer: rootOf(scope), subject }));

  test('generates an RSA 4096 key and a CSR signed with it, handed over write-only', () => {
    expect(stack.resource('tls_private_key', 'server-ca/key').props).toMatchObject({ algorithm: 'RSA', rsa_bits: 4096 });
    const csr = stack.resource('tls_cert_request', 'server-ca/csr').props;
    expect(csr).not.toHaveProperty('private_key_pem');
    expect(csr).toMatchObject({
      private_key_pem_wo: stack.ref('tls_private_key', 'server-ca/key', 'private_key_pem'),
      private_key_pem_wo_version: 1,
      subject: [{ common_name: 'Example Server CA', organizational_unit: 'CA' }],
    });
  });

  test('is signed by its issuer with the issuer key, handed over write-only so the certificate keeps no copy of it', () => {
    const cert = stack.resource('tls_locally_signed_cert', 'server-ca/cert').props;
    expect(cert).not.toHaveProperty('ca_private_key_pem');
    expect(cert).toMatchObject({
      ca_cert_pem: stack.ref('tls_self_signed_cert', 'root/cert', 'cert_pem'),
      ca_private_key_pem_wo: stack.ref('tls_private_key', 'root/key', 'private_key_pem'),
      ca_private_key_pem_wo_version: 1,
      cert_request_pem: stack.ref('tls_cert_request', 'server-ca/csr', 'cert_request_pem'),
    });
  });

  test('is a CA that signs only leaf certificates (path length 0)', () => {
    expect(stack.resource('tls_locally_signed_cert', 'server-ca/cert').props).toMatchObject({
      is_ca_certificate: true,
      max_path_length: 0,
      allowed_uses: ['cert_signing', 'crl_signing', 'digital_signature'],
      set_subject_key_id: true,
    });
  });

  test('is valid for 5 years and re-signed a year before it expires', () => {
    expect(stack.resource('tls_locally_signed_cert', 'server-ca/cert').props).toMatchObject({ validity_period_hours: 43800, early_renewal_hours: 8760 });
  });

  test('writes no file', () => {
    expect(stack.resources('local_file')).toHaveLength(0);
  });
});

describe('IntermediateCa chains', () => {
  test('chain is the CA then its root; certFile writes its own certificate', () => {
    const stack = synth((scope) => {
      const ca = new IntermediateCa(scope, 'server-ca', { issuer: rootOf(scope), subject, certFile: '/tmp/chain.pem' });
      expect(ca.chain.map((c) => c.node.id)).toEqual(['server-ca', 'root']);
    });
    expect(stack.resource('local_file', 'server-ca/cert-file').props.content).toBe(stack.ref('tls_locally_signed_cert', 'server-ca/cert', 'cert_pem'));
  });

  test('a CA with maxPathLength 1 may sign another CA', () => {
    const stack = synth((scope) => {
      const site = new IntermediateCa(scope, 'site-ca', { issuer: rootOf(scope), subject, maxPathLength: 1 });
      const sub = new IntermediateCa(scope, 'sub-ca', { issuer: site, subject });
      expect(sub.chain.map((c) => c.node.id)).toEqual(['sub-ca', 'site-ca', 'root']);
      expect(sub.chainPem).toBe(`${sub.certPem}${site.certPem}${site.issuer.certPem}`);
    });
    expect(stack.resource('tls_locally_signed_cert', 'site-ca/cert').props.max_path_length).toBe(1);
  });

  test('privateKeyFile writes the CA key 0600', () => {
    const stack = synth((scope) => new IntermediateCa(scope, 'server-ca', { issuer: rootOf(scope), subject, privateKeyFile: '/tmp/server-ca.key' }));
    expect(stack.resource('local_sensitive_file', 'server-ca/key-file').props).toMatchObject({ file_permission: '0600', filename: '/tmp/server-ca.key' });
  });
});

describe('IntermediateCa validation', () => {
  const build = (props: Partial<IntermediateCaProps>, rootPathLength?: number) => () =>
    synth((scope) => new IntermediateCa(scope, 'server-ca', { issuer: rootOf(scope, rootPathLength), subject, ...props }));

  test('refuses to outlive its issuer', () => {
    expect(build({ validityPeriodHours: 90000 })).toThrow(
      /server-ca: invalid configuration:\n  - validityPeriodHours 90000 is longer than its issuer test\/root \(87600 hours\); use at most 87600/,
    );
  });

  test('refuses to be signed by a CA whose path length is too short', () => {
    const underLeafOnlyCa = () =>
      synth((scope) => {
        const serverCa = new IntermediateCa(scope, 'server-ca', { issuer: rootOf(scope), subject });
        new IntermediateCa(scope, 'sub-ca', { issuer: serverCa, subject });
      });
    expect(underLeafOnlyCa).toThrow(/sub-ca: invalid configuration:\n  - issuer "test\/server-ca" has path length 0, too short.*set maxPathLength to at least 1 on the issuer/);
  });

  test('refuses a maxPathLength its root does not allow', () => {
    expect(build({ maxPathLength: 2 }, 2)).toThrow(/issuer "test\/root" has path length 2/);
  });

  test('refuses a key under 2048 bits', () => {
    expect(build({ key: { rsaBits: 1024 } })).toThrow(/key\.rsaBits 1024/);
  });
});
