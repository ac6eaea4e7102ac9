import { ChariotPki, ChariotPkiProps, PreviousGeneration } from '../lib';
import { synth } from './helpers/synth';

const OUT = '/srv/pki';
const base: ChariotPkiProps = { outputDirectory: OUT, server: { dnsNames: ['localhost'] }, engineClients: ['engine'], transmissionClients: ['edge-1'] };

function build(caGenerations: ChariotPkiProps['caGenerations']) {
  return synth((scope) => new ChariotPki(scope, 'pki', { ...base, caGenerations }));
}

const certPaths = (stack: ReturnType<typeof build>) =>
  [...stack.resources('tls_self_signed_cert'), ...stack.resources('tls_locally_signed_cert')].map((r) => r.path).filter((p) => p.includes('-ca')).sort();

describe('CA generations: ids, names and files', () => {
  test('by default every CA is generation 1, with the ids, names and files of the first release', () => {
    const stack = build(undefined);
    expect(certPaths(stack)).toEqual(['test/pki/engine-ca/cert', 'test/pki/root-ca/cert', 'test/pki/server-ca/cert', 'test/pki/transmission-ca/cert']);
  });

  test('a later generation adds -gN to the construct id and file, and GN to the common name', () => {
    const stack = build({ serverCa: { generation: 2, previous: PreviousGeneration.RETIRED }, rootCa: { generation: 3, previous: PreviousGeneration.RETIRED } });
    expect(certPaths(stack)).toEqual(['test/pki/engine-ca/cert', 'test/pki/root-ca-g3/cert', 'test/pki/server-ca-g2/cert', 'test/pki/transmission-ca/cert']);
    expect(stack.resource('tls_cert_request', 'server-ca-g2/csr').props.subject[0].common_name).toBe('Chariot TLS Server CA G2');
    expect(stack.resource('tls_self_signed_cert', 'root-ca-g3/cert').props.subject[0].common_name).toBe('Chariot TLS Root CA G3');
    expect(stack.resource('local_file', 'server-ca-g2/cert-file').props.filename).toBe(`${OUT}/ca/server/server-ca-g2.crt`);
    expect(stack.resource('local_file', 'root-ca-g3/cert-file').props.filename).toBe(`${OUT}/ca/ca-g3.crt`);
  });
});

describe('CA generations: the three steps of a rotation', () => {
  const pem = (stack: ReturnType<typeof build>, ca: string) =>
    ca.startsWith('root') ? stack.ref('tls_self_signed_cert', `${ca}/cert`, 'cert_pem') : stack.ref('tls_locally_signed_cert', `${ca}/cert`, 'cert_pem');
  const issuerOf = (stack: ReturnType<typeof build>, leaf: string) => stack.resource('tls_locally_signed_cert', `${leaf}/cert`).props.ca_cert_pem;

  test('"issuing": both generations exist, the old one signs, every bundle trusts both', () => {
    const stack = build({ serverCa: { generation: 2, previous: PreviousGeneration.ISSUING } });
    expect(certPaths(stack)).toContain('test/pki/server-ca/cert');
    expect(certPaths(stack)).toContain('test/pki/server-ca-g2/cert');
    expect(issuerOf(stack, 'server')).toBe(pem(stack, 'server-ca'));
    expect(stack.resource('local_file', 'engine/engine/ca-file').props.content).toBe(`${pem(stack, 'server-ca')}${pem(stack, 'server-ca-g2')}${pem(stack, 'root-ca')}`);
  });

  test('"trusted": both generations exist, the new one signs, every bundle trusts both', () => {
    const stack = build({ transmissionCa: { generation: 2, previous: PreviousGeneration.TRUSTED } });
    expect(issuerOf(stack, 'transmission/edge-1')).toBe(pem(stack, 'transmission-ca-g2'));
    expect(stack.resource('local_file', 'server/client-ca-file').props.content).toBe(
      `${pem(stack, 'engine-ca')}${pem(stack, 'transmission-ca')}${pem(stack, 'transmission-ca-g2')}${pem(stack, 'root-ca')}`,
    );
  });

  test('"retired": only the new generation exists, and only it is trusted', () => {
    const stack = build({ serverCa: { generation: 2, previous: PreviousGeneration.RETIRED } });
    expect(certPaths(stack)).not.toContain('test/pki/server-ca/cert');
    expect(issuerOf(stack, 'server')).toBe(pem(stack, 'server-ca-g2'));
    expect(stack.resource('local_file', 'engine/engine/ca-file').props.content).toBe(`${pem(stack, 'server-ca-g2')}${pem(stack, 'root-ca')}`);
  });

  test('a new root: the issuing root signs every intermediate, and both roots are in every bundle (the issuing one first)', () => {
    const issuing = build({ rootCa: { generation: 2, previous: PreviousGeneration.ISSUING } });
    expect(issuerOf(issuing, 'server-ca')).toBe(pem(issuing, 'root-ca'));
    expect(issuing.resource('local_file', 'transmission/edge-1/ca-file').props.content).toBe(`${pem(issuing, 'server-ca')}${pem(issuing, 'root-ca')}${pem(issuing, 'root-ca-g2')}`);
    const trusted = build({ rootCa: { generation: 2, previous: PreviousGeneration.TRUSTED } });
    for (const ca of ['server-ca', 'engine-ca', 'transmission-ca']) expect(issuerOf(trusted, ca)).toBe(pem(trusted, 'root-ca-g2'));
    expect(trusted.resource('local_file', 'server/client-ca-file').props.content).toBe(
      `${pem(trusted, 'engine-ca')}${pem(trusted, 'transmission-ca')}${pem(trusted, 'root-ca-g2')}${pem(trusted, 'root-ca')}`,
    );
  });

  test('the composite exposes the signing generation and every live one', () => {
    synth((scope) => {
      const pki = new ChariotPki(scope, 'pki', { ...base, caGenerations: { serverCa: { generation: 2, previous: PreviousGeneration.ISSUING } } });
      expect(pki.serverCa.node.id).toBe('server-ca');
      expect(pki.certificateAuthorities.map((c) => c.node.id)).toEqual(['root-ca', 'server-ca', 'server-ca-g2', 'engine-ca', 'transmission-ca']);
    });
  });
});

describe('CA generations: validation', () => {
  const fails = (caGenerations: ChariotPkiProps['caGenerations']) => () => build(caGenerations);

  test.each([0, -1, 1.5, 100])('refuses generation %p', (generation) => {
    expect(fails({ serverCa: { generation, previous: PreviousGeneration.RETIRED } })).toThrow(
      /caGenerations\.serverCa\.generation -?[\d.]+ is not a whole number from 1 to 99; use 1 for the CA as first deployed, 2 for its first rotation/);
  });

  test('generation 99 is the last, and its names fit X.509 with the longest organization', () => {
    const organization = 'O'.repeat(ChariotPki.MAX_ORGANIZATION_LENGTH);
    const stack = synth((scope) => new ChariotPki(scope, 'pki', { ...base, organization, caGenerations: { transmissionCa: { generation: 99, previous: PreviousGeneration.RETIRED } } }));
    const name = stack.resource('tls_cert_request', 'transmission-ca-g99/csr').props.subject[0].common_name;
    expect(name).toBe(`${organization} Transmission CA G99`);
    expect(name).toHaveLength(64);
  });

  test('refuses a later generation that does not say what the previous one does', () => {
    expect(fails({ rootCa: { generation: 2 } })).toThrow(/caGenerations\.rootCa\.previous is missing at generation 2: say what generation 1 still does; set "issuing" \(step 1.*"trusted" \(step 2\).*"retired" \(step 3\)/);
  });

  test('refuses previous at generation 1', () => {
    expect(fails({ engineCa: { previous: PreviousGeneration.TRUSTED } })).toThrow(/caGenerations\.engineCa\.previous "trusted" has no generation to refer to at generation 1; remove it, or set generation to 2 to start a rotation/);
  });

  test('refuses an unknown previous', () => {
    expect(fails({ transmissionCa: { generation: 2, previous: 'old' as never } })).toThrow(/caGenerations\.transmissionCa\.previous "old" is not one of issuing, trusted, retired/);
  });
});

describe('renewal windows and CA key protection', () => {
  test('defaults: root never renewed early, intermediates a year ahead, leaves 60 days ahead', () => {
    const stack = build(undefined);
    expect(stack.resource('tls_self_signed_cert', 'root-ca/cert').props.early_renewal_hours).toBe(0);
    expect(stack.resource('tls_locally_signed_cert', 'server-ca/cert').props.early_renewal_hours).toBe(8760);
    expect(stack.resource('tls_locally_signed_cert', 'server/cert').props.early_renewal_hours).toBe(1440);
  });

  test('root, intermediate and server windows (and the server validity) are set from the props', () => {
    const stack = synth((scope) => new ChariotPki(scope, 'pki', {
      ...base, rootEarlyRenewalHours: 8760, intermediateEarlyRenewalHours: 4380, leafEarlyRenewalHours: 720,
      server: { dnsNames: ['localhost'], validityPeriodHours: 2160, earlyRenewalHours: 360 },
    }));
    expect(stack.resource('tls_self_signed_cert', 'root-ca/cert').props.early_renewal_hours).toBe(8760);
    expect(stack.resource('tls_locally_signed_cert', 'engine-ca/cert').props.early_renewal_hours).toBe(4380);
    expect(stack.resource('tls_locally_signed_cert', 'server/cert').props).toMatchObject({ validity_period_hours: 2160, early_renewal_hours: 360 });
    expect(stack.resource('tls_locally_signed_cert', 'engine/engine/cert').props.early_renewal_hours).toBe(720);
  });

  test('CA keys carry prevent_destroy; leaf keys and certificates do not (renewal replaces them)', () => {
    const stack = build({ serverCa: { generation: 2, previous: PreviousGeneration.ISSUING } });
    const protectedPaths = stack.resources().filter((r) => r.props.lifecycle?.prevent_destroy).map((r) => r.path).sort();
    expect(protectedPaths).toEqual(['engine-ca', 'root-ca', 'server-ca', 'server-ca-g2', 'transmission-ca'].map((ca) => `test/pki/${ca}/key`).sort());
  });
});
