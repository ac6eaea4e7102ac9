import * as fs from 'node:fs';
import * as path from 'node:path';
import { allowedCaChanges, formatProtectedKeyRefusal, formatRefusal, preventDestroyAddresses, refusedCaChanges } from '../app/ca-refusals';
import { ReducedPlan, keyChange, reducePlan, subjectText } from '../app/plan-facts';
import { CertificateReview, reviewPlan } from '../app/plan-review';
import { formatSummary } from '../app/plan-summary';
import { CertificateChange } from '../app/certificate-change';
import { certificatePem, rsaKey } from './helpers/certificates';

/** Plans the real engine made in __tests__/integration/lifecycle.test.ts, reduced (CHARIOT_TLS_UPDATE_FIXTURES=1). */
const FIXTURES = path.join(__dirname, 'fixtures', 'plans');
const fixture = (name: string): ReducedPlan => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
const review = (name: string) => reviewPlan(fixture(name));
const find = (changes: CertificateReview[], construct: string) => changes.find((c) => c.construct === construct)!;
const changed = (changes: CertificateReview[]) => changes.filter((c) => c.action !== CertificateChange.UNCHANGED).map((c) => `${c.construct} ${c.action}`);

describe('reducePlan', () => {
  test('keeps no secret: private keys and certificates in the engine plan are dropped', () => {
    const plan = {
      resource_changes: [{
        address: 'tls_private_key.pki_root-ca_key_DF61D2FB', mode: 'managed', type: 'tls_private_key', name: 'pki_root-ca_key_DF61D2FB',
        change: {
          actions: ['delete', 'create'], replace_paths: [['rsa_bits']],
          before: { algorithm: 'RSA', rsa_bits: 2048, private_key_pem: '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n', private_key_openssh: 'x' },
          after: { algorithm: 'RSA', rsa_bits: 4096 },
        },
      }],
      prior_state: { values: { root_module: { resources: [{ values: { private_key_pem: '-----BEGIN RSA PRIVATE KEY-----' } }] } } },
    };
    const reduced = reducePlan(plan);
    expect(JSON.stringify(reduced)).not.toMatch(/PRIVATE KEY|private_key_|MIIE/);
    expect(reduced.changes[0]).toEqual({
      address: 'tls_private_key.pki_root-ca_key_DF61D2FB', type: 'tls_private_key', path: 'pki/root-ca/key',
      actions: ['delete', 'create'], replacePaths: ['rsa_bits'], before: { algorithm: 'RSA', rsa_bits: 2048 }, after: { algorithm: 'RSA', rsa_bits: 4096 },
    });
  });

  test('keeps the issuer only as the SHA-256 of its public key, so a move to another CA shows without its PEM', () => {
    const [g1, g2] = [rsaKey(), rsaKey()];
    const ca = (commonName: string, key: typeof g1) => certificatePem({ commonName, key, isCa: true });
    const leaf = (before: string, after: string) => ({
      resource_changes: [{
        address: 'tls_locally_signed_cert.pki_transmission_edge-1_cert_4494AB97', mode: 'managed', type: 'tls_locally_signed_cert', name: 'pki_transmission_edge-1_cert_4494AB97',
        change: { actions: ['delete', 'create'], replace_paths: [['ca_cert_pem']], before: { ca_cert_pem: before, is_ca_certificate: false }, after: { ca_cert_pem: after, is_ca_certificate: false } },
      }],
    });
    const reasons = (plan: ReturnType<typeof leaf>) => reviewPlan(reducePlan(plan))[0].reasons;
    const moved = reducePlan(leaf(ca('CA', g1), ca('CA G2', g2)));
    expect(JSON.stringify(moved)).not.toMatch(/BEGIN CERTIFICATE/);
    expect(moved.changes[0].before!.issuer_key).toMatch(/^[0-9a-f]{64}$/);
    expect(reasons(leaf(ca('CA', g1), ca('CA G2', g2)))).toEqual(['signed by another CA']);
    expect(reasons(leaf(ca('CA', g1), ca('CA', g1)))).toEqual(["its issuer's certificate changes"]);
  });

  test('writes file names relative to the output directory', () => {
    const file = (filename: string) => ({ address: 'local_file.pki_server_cert-file_355EB732', mode: 'managed', type: 'local_file', name: 'pki_server_cert-file_355EB732', change: { actions: ['create'], before: null, after: { filename, content: 'x' } } });
    const plan = { resource_changes: [file('/srv/pki/certs/server/server.crt'), file('/elsewhere/server.crt')] };
    expect(reducePlan(plan, undefined, '/srv/pki').changes.map((c) => c.after)).toEqual([{ filename: 'certs/server/server.crt' }, { filename: '/elsewhere/server.crt' }]);
  });

  test('takes construct paths from the synthesized stack, without the stack name', () => {
    const plan = { resource_changes: [{ address: 'tls_private_key.pki_x_key_00000000', mode: 'managed', type: 'tls_private_key', name: 'pki_x_key_00000000', change: { actions: ['create'], before: null, after: {} } }] };
    const synthesized = { resource: { tls_private_key: { pki_x_key_00000000: { '//': { metadata: { path: 'chariot-tls/pki/transmission/edge_1/key' } } } } } };
    expect(reducePlan(plan, synthesized).changes[0].path).toBe('pki/transmission/edge_1/key');
  });

  test.each(fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES) : [])('the real plan %s holds no key', (file) => {
    expect(fs.readFileSync(path.join(FIXTURES, file), 'utf8')).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE|"private_key_pem":/);
  });
});

describe('reviewPlan on real plans', () => {
  test('renewal: exactly the due leaf is renewed, with its files; nothing else changes', () => {
    const changes = review('renewal');
    expect(changed(changes)).toEqual(['pki/server renewed']);
    expect(find(changes, 'pki/server')).toMatchObject({ reasons: ['renewal due'], files: ['fullchain.pem', 'server.crt'], isCa: false, commonName: 'localhost' });
  });

  test('a new organization gives every CA a new subject: each is a refused identity change', () => {
    const changes = review('ca-subject-change');
    const root = find(changes, 'pki/root-ca');
    expect(root).toMatchObject({ action: CertificateChange.REPLACED, isCa: true, id: 'root-ca' });
    expect(root.identityChanges).toEqual(['subject changes: CN=Lifecycle Root CA, OU=CA, O=Lifecycle → CN=Renamed Root CA, OU=CA, O=Renamed']);
    expect(refusedCaChanges(changes, []).map((c) => c.id)).toEqual(['engine-ca', 'root-ca', 'server-ca', 'transmission-ca']);
    // Leaves get new subjects too, but only a CA's identity is guarded.
    expect(find(changes, 'pki/engine/engine')).toMatchObject({ action: CertificateChange.REPLACED, identityChanges: [] });
  });

  test('allowing CAs by id or construct path lifts their refusal only', () => {
    const changes = review('ca-subject-change');
    expect(refusedCaChanges(changes, ['root-ca', 'pki/server-ca']).map((c) => c.id)).toEqual(['engine-ca', 'transmission-ca']);
  });

  test('rotation step 1: the new CAs are created; the clients\' bundles are rewritten; nothing is refused', () => {
    const changes = review('rotation-issuing');
    expect(find(changes, 'pki/server-ca-g2')).toMatchObject({ action: CertificateChange.CREATED, isCa: true, reasons: ['new CA'], commonName: 'Lifecycle Server CA G2' });
    expect(find(changes, 'pki/engine/engine')).toMatchObject({ action: CertificateChange.FILES_REWRITTEN, files: ['ca.pem'], reasons: ['content changes (a bundle or chain gains or loses a CA certificate)'] });
    expect(refusedCaChanges(changes, [])).toEqual([]);
  });

  test('rotation step 2: leaves are re-issued by the new CA, same key', () => {
    const changes = review('rotation-trusted');
    expect(find(changes, 'pki/transmission/edge-1')).toMatchObject({ action: CertificateChange.REISSUED, reasons: ['signed by another CA'], files: ['cert.pem'] });
    expect(find(changes, 'pki/server')).toMatchObject({ action: CertificateChange.REISSUED, reasons: ['signed by another CA', 'renewal due'] });
    expect(refusedCaChanges(changes, [])).toEqual([]);
  });

  test('rotation step 3: the old CAs are destroyed as retired, which is not refused', () => {
    const changes = review('rotation-retired');
    expect(find(changes, 'pki/server-ca')).toMatchObject({ action: CertificateChange.DESTROYED, isCa: true, reasons: ['CA retired: no longer in the configuration'] });
    expect(refusedCaChanges(changes, [])).toEqual([]);
  });

  test('a new root re-signs the intermediates: same key and subject, so re-issued, not refused', () => {
    const changes = review('root-trusted');
    for (const ca of ['pki/server-ca-g2', 'pki/engine-ca', 'pki/transmission-ca-g2']) {
      expect(find(changes, ca)).toMatchObject({ action: CertificateChange.REISSUED, reasons: ['signed by another CA'], identityChanges: [] });
    }
    expect(refusedCaChanges(changes, [])).toEqual([]);
  });
});

describe('formatSummary', () => {
  const change = (c: Partial<CertificateReview>): CertificateReview => ({
    construct: 'pki/server', id: 'server', isCa: false, commonName: 'localhost', action: CertificateChange.RENEWED, reasons: ['renewal due'], files: [], identityChanges: [], ...c,
  });

  test('no change: one line', () => {
    expect(formatSummary([change({ action: CertificateChange.UNCHANGED, reasons: [] })])).toBe('Certificates: no change.\n');
  });

  test('one line per changed certificate, actions aligned, with reasons and files', () => {
    expect(formatSummary([
      change({ files: ['server.crt'] }),
      change({ construct: 'pki/transmission/edge-9', id: 'edge-9', commonName: 'edge-9', action: CertificateChange.CREATED, reasons: ['new certificate'] }),
      change({ construct: 'pki/engine/e', action: CertificateChange.UNCHANGED, reasons: [] }),
    ])).toBe([
      'Certificates: 1 created, 1 renewed; 1 unchanged.',
      '  renewed  pki/server "localhost": renewal due [files: server.crt]',
      '  created  pki/transmission/edge-9 "edge-9": new certificate',
      '',
    ].join('\n'));
  });

  test('a CA change puts a loud line first, naming each CA and what happens to it', () => {
    const text = formatSummary([
      change({ construct: 'pki/root-ca', id: 'root-ca', isCa: true, commonName: 'Acme Root CA', action: CertificateChange.REISSUED, reasons: ["its issuer's certificate changes"] }),
      change({ construct: 'pki/server-ca-g2', id: 'server-ca-g2', isCa: true, commonName: 'Acme Server CA G2', action: CertificateChange.CREATED, reasons: ['new CA'] }),
    ]);
    expect(text.split('\n')[0]).toBe('!!! CA CHANGE: root-ca re-issued, server-ca-g2 created. Check the trust bundles before deploying (docs/operate.md, "Rotating a CA") !!!');
    expect(text).toContain('  created    pki/server-ca-g2 "Acme Server CA G2" (CA): new CA');
  });

  test('each server and client certificate is labelled with its product', () => {
    expect(formatSummary([change({ product: 'Chariot MQTT Server' })])).toContain('  renewed  pki/server "localhost" (Chariot MQTT Server): renewal due');
  });

  test('the review takes each certificate\'s product from the labels, by construct path', () => {
    const labels = new Map([['pki/transmission/edge-1', 'MQTT Transmission']]);
    const changes = reviewPlan(fixture('rotation-trusted'), labels);
    expect(changes.find((c) => c.construct === 'pki/transmission/edge-1')?.product).toBe('MQTT Transmission');
    expect(changes.find((c) => c.construct === 'pki/server-ca-g2')?.product).toBeUndefined();
  });

  test('a first deploy (every certificate created, the root among them: nothing trusted yet) is no CA change', () => {
    const text = formatSummary([
      change({ construct: 'pki/root-ca', id: 'root-ca', isCa: true, isRoot: true, action: CertificateChange.CREATED, reasons: ['new CA'] }),
      change({ action: CertificateChange.CREATED, reasons: ['new certificate'] }),
    ]);
    expect(text).not.toMatch(/CA CHANGE/);
    expect(text.split('\n')[0]).toBe('Certificates: 2 created; 0 unchanged.');
  });

  test('a CA created beside certificates that exist (a rotation step 1) is a CA change', () => {
    const text = formatSummary([
      change({ construct: 'pki/server-ca-g2', id: 'server-ca-g2', isCa: true, action: CertificateChange.CREATED, reasons: ['new CA'] }),
      change({ action: CertificateChange.UNCHANGED, reasons: [] }),
    ]);
    expect(text).toMatch(/^!!! CA CHANGE: server-ca-g2 created\./);
  });

  test('counts read as English for one and for many, in the words the deploy uses', () => {
    const files = (n: number) => Array.from({ length: n }, (_, i) => change({ construct: `pki/c${i}`, action: CertificateChange.FILES_REWRITTEN, reasons: [] }));
    expect(formatSummary(files(1)).split('\n')[0]).toBe('Certificates: 1 with files rewritten; 0 unchanged.');
    expect(formatSummary(files(2)).split('\n')[0]).toBe('Certificates: 2 with files rewritten; 0 unchanged.');
  });

  test('the list beyond the limit is counted in the same words', () => {
    const many = Array.from({ length: 5 }, (_, i) => change({ construct: `pki/c${i}`, action: i < 3 ? CertificateChange.REISSUED : CertificateChange.DESTROYED }));
    expect(formatSummary(many, 2)).toContain('  ... and 3 more: 1 re-issued, 2 destroyed (--verbose lists every one)');
  });

  test('a CA whose files only are rewritten is not a CA change', () => {
    const text = formatSummary([change({ construct: 'pki/root-ca', id: 'root-ca', isCa: true, action: CertificateChange.FILES_REWRITTEN, reasons: ['missing or changed on disk: written again from the state'], files: ['ca.crt'] })]);
    expect(text).not.toMatch(/CA CHANGE/);
  });
});

describe('refusal messages', () => {
  test('a refused identity change names the CA, the change, the rotation field and the override', () => {
    const refused: CertificateReview = {
      construct: 'pki/server-ca', id: 'server-ca', isCa: true, commonName: 'A Server CA', action: CertificateChange.REPLACED,
      reasons: [], files: [], identityChanges: ['subject changes: CN=A Server CA → CN=B Server CA'],
    };
    expect(formatRefusal([refused])).toBe([
      'chariot-tls: refused: this plan would give a CA a new identity (a new key or subject), not renew it:',
      '  - CA server-ca (pki/server-ca): subject changes: CN=A Server CA → CN=B Server CA',
      'Every bundle that trusts the old CA would stop verifying what the new one signs: every product would need new files at once.',
      'To change a CA without an outage, rotate it: create a new generation beside it (caGenerations.serverCa in chariot-tls.json); see docs/operate.md, "Rotating a CA".',
      'To replace it in place anyway, run the deploy again with CHARIOT_TLS_ALLOW_CA_CHANGE=server-ca.',
      'Nothing was changed.',
    ].join('\n'));
  });

  test('the engine\'s prevent_destroy errors: every address found once, wrapped lines and colours ignored', () => {
    // As OpenTofu 1.12 prints it (wrapped), then as Terraform does, in colour.
    const stderr = [
      'Error: Resource instance cannot be destroyed',
      '',
      '  on cdk.tf.json line 485, in resource.tls_private_key:',
      ' 485:       "pki_root-ca_key_DF61D2FB": {',
      '',
      'Resource instance tls_private_key.pki_root-ca_key_DF61D2FB has',
      'prevent_destroy set, but the plan calls for it to be destroyed.',
      'Resource instance tls_private_key.pki_root-ca_key_DF61D2FB has',
      'prevent_destroy set, but the plan calls for it to be destroyed.',
      '\x1b[31m│\x1b[0m Resource tls_private_key.pki_engine-ca-g2_key_0A1B2C3D has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.',
    ].join('\n');
    expect(preventDestroyAddresses(stderr)).toEqual(['tls_private_key.pki_root-ca_key_DF61D2FB', 'tls_private_key.pki_engine-ca-g2_key_0A1B2C3D']);
    expect(preventDestroyAddresses('Error: something else')).toEqual([]);
  });

  test("a site CA is named with its site (every site CA's construct id is ca), and its rotation is the site's caGeneration", () => {
    const text = formatProtectedKeyRefusal([{ construct: 'pki/sites/north-sea/ca-g2', change: keyChange({ algorithm: 'RSA', rsa_bits: 2048 }, { algorithm: 'RSA', rsa_bits: 4096 }) }]);
    expect(text).toContain('  - CA sites/north-sea/ca-g2 (pki/sites/north-sea/ca-g2): new key: RSA 2048 → RSA 4096');
    expect(text).toContain('(sites.north-sea.caGeneration in chariot-tls.json)');
  });

  test('the review gives a site CA its site in its id, so CHARIOT_TLS_ALLOW_CA_CHANGE names one site CA', () => {
    // A deployed PKI: the root is in the plan, unchanged (a first deploy, where every certificate is created, cries no CA change).
    const plan: ReducedPlan = { changes: [
      { address: 'tls_self_signed_cert.pki_root-ca_cert_0', type: 'tls_self_signed_cert', path: 'pki/root-ca/cert', actions: ['no-op'], replacePaths: [], before: { is_ca_certificate: true }, after: { is_ca_certificate: true } },
      { address: 'tls_locally_signed_cert.pki_sites_north-sea_ca-g2_cert_1', type: 'tls_locally_signed_cert', path: 'pki/sites/north-sea/ca-g2/cert', actions: ['create'], replacePaths: [], before: null, after: { is_ca_certificate: true } },
      { address: 'tls_locally_signed_cert.pki_sites_north-sea_clients_ns-1_cert_2', type: 'tls_locally_signed_cert', path: 'pki/sites/north-sea/clients/ns-1/cert', actions: ['create'], replacePaths: [], before: null, after: { is_ca_certificate: false } },
    ] } as unknown as ReducedPlan;
    expect(reviewPlan(plan).map((c) => c.id)).toEqual(['root-ca', 'sites/north-sea/ca-g2', 'ns-1']);
    expect(formatSummary(reviewPlan(plan)).split('\n')[0]).toContain('!!! CA CHANGE: sites/north-sea/ca-g2 created.');
  });

  test('a protected key refusal names each CA, its key change and the rotation', () => {
    const text = formatProtectedKeyRefusal([{ construct: 'pki/engine-ca-g2', change: keyChange({ algorithm: 'RSA', rsa_bits: 4096 }, { algorithm: 'ECDSA', ecdsa_curve: 'P384' }) }]);
    expect(text).toContain('  - CA engine-ca-g2 (pki/engine-ca-g2): new key: RSA 4096 → ECDSA P384');
    expect(text).toContain('caGenerations.engineCa in chariot-tls.json');
    expect(text).toMatch(/Nothing was changed\.$/);
  });
});

describe('small helpers', () => {
  test('CHARIOT_TLS_ALLOW_CA_CHANGE takes ids separated by commas or spaces', () => {
    expect(allowedCaChanges({ CHARIOT_TLS_ALLOW_CA_CHANGE: 'root-ca, server-ca pki/engine-ca' })).toEqual(['root-ca', 'server-ca', 'pki/engine-ca']);
    expect(allowedCaChanges({})).toEqual([]);
  });

  test('subjects read most specific first', () => {
    expect(subjectText([{ common_name: 'x', organization: 'O', organizational_unit: 'CA', country: 'DE' }])).toBe('CN=x, OU=CA, O=O, C=DE');
  });
});
