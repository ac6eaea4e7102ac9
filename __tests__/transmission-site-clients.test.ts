import { TerraformStack, Testing } from 'cdktf';
import { ExternalCa, TransmissionSiteClients, TransmissionSiteClientsProps } from '../lib';
import { certificatePem, rsaKey } from './helpers/certificates';
import { synth } from './helpers/synth';

const OUT = '/srv/pki';
const rootKey = rsaKey();
const caKey = rsaKey();
const FIVE_YEARS = new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000);
const rootPem = certificatePem({ commonName: 'Root', key: rootKey, isCa: true, notAfter: FIVE_YEARS });
const caPem = certificatePem({ commonName: 'north-sea Transmission CA', key: caKey, issuer: { commonName: 'Root', key: rootKey }, isCa: true, notAfter: FIVE_YEARS });

/** The site CA imported as its certificate, its key from `keyVariable`, under the imported root. */
function build(props: Partial<TransmissionSiteClientsProps> = {}, { keyVariable }: { keyVariable?: string } = { keyVariable: 'site_ca_key' }) {
  return synth((scope) => {
    const root = new ExternalCa(scope, 'root', { certPem: rootPem });
    const issuer = new ExternalCa(scope, 'site-ca', { certPem: caPem, issuer: root, keyVariable });
    new TransmissionSiteClients(scope, 'clients', { site: 'north-sea', transmissionClients: ['ns-1'], issuer, outputDirectory: OUT, ...props });
  });
}
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
};

describe('TransmissionSiteClients', () => {
  test('signs each client with an imported CA whose key reaches only write-only attributes', () => {
    const stack = build();
    const cert = stack.resource('tls_locally_signed_cert', 'clients/ns-1/cert').props;
    expect(cert.ca_private_key_pem_wo).toBe('${var.site_ca_key}');
    expect(cert.ca_private_key_pem).toBeUndefined();
    expect(stack.json.variable.site_ca_key).toMatchObject({ ephemeral: true, sensitive: true, nullable: false });
  });

  test('writes certs/transmission/SITE/NAME/ with a README naming the site and its CA', () => {
    const stack = build();
    expect(stack.resource('local_file', 'clients/ns-1/cert-file').props.filename).toBe(`${OUT}/certs/transmission/north-sea/ns-1/cert.pem`);
    expect(stack.resource('local_file', 'clients/ns-1/readme/file').props.content).toContain('Site: north-sea; signed by north-sea Transmission CA.');
  });

  test('trusts the root of the issuer\'s chain by default (ca.pem), and the subject is "Chariot TLS", OU transmission', () => {
    const stack = build();
    expect(stack.resource('local_file', 'clients/ns-1/ca-file').props.content).toBe(new ExternalCa(new TerraformStack(Testing.app(), 'x'), 'r', { certPem: rootPem }).certPem);
    expect(stack.resource('tls_cert_request', 'clients/ns-1/csr').props.subject).toEqual([{ common_name: 'ns-1', organization: 'Chariot TLS', organizational_unit: 'transmission' }]);
  });

  test('has no clients by default', () => {
    expect(build({ transmissionClients: undefined }).resources('tls_private_key')).toEqual([]);
  });

  test('refuses an imported CA without keyVariable as issuer: it holds no key to sign with', () => {
    expect(errorOf(() => build({}, {}))).toMatch(/issuer .*is a CA whose key is not held here/);
  });

  test('refuses a site or client name that would leave its folder, and a client named twice, naming each and the fix', () => {
    const message = errorOf(() => build({ site: '../x', transmissionClients: ['a/b', 'ns-1', 'NS-1'] }));
    expect(message).toMatch(/site "\.\.\/x" is not a safe site name.*use 1 to 32 letters/);
    expect(message).toMatch(/transmissionClients\[0\] "a\/b" is not a safe directory name/);
    expect(message).toMatch(/transmissionClients\[2\] "NS-1" is the same client name as transmissionClients\[1\]/);
  });

  test('ExternalCa refuses a keyVariable that is no variable name', () => {
    expect(errorOf(() => build({}, { keyVariable: 'Bad-Name' }))).toMatch(/keyVariable "Bad-Name" is not a variable name/);
  });
});
