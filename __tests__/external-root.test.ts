import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig } from '../app/config';
import { formatExternalRoot } from '../app/external-root-summary';
import { refuseKeysNotInState } from '../app/external-root-state';
import { ChariotPki, ExternalCa, ExternallySignedCa, IntermediateCa, PkiInventory, PreviousGeneration } from '../lib';
import { EnterpriseCa, SignOptions, enterpriseCa } from './helpers/enterprise-ca';
import { synth } from './helpers/synth';

jest.setTimeout(120_000);

const CA_IDS = ['server-ca', 'engine-ca', 'transmission-ca'];
const kindOf = (id: string) => id.split('-')[0];
let enterprise: EnterpriseCa;
let work: string;

beforeAll(() => {
  enterprise = enterpriseCa();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-external-'));
});
afterAll(() => {
  enterprise.remove();
  fs.rmSync(work, { recursive: true, force: true });
});

/**
 * A project as a first deploy leaves it: the enterprise files beside the configuration, a request (of a key made
 * here by openssl) at `pki/ca/KIND/ID.csr` for each CA. Returns its folder.
 */
function project(): string {
  const dir = fs.mkdtempSync(path.join(work, 'project-'));
  fs.mkdirSync(path.join(dir, 'enterprise'));
  fs.copyFileSync(enterprise.rootFile, path.join(dir, 'enterprise', 'root.pem'));
  fs.copyFileSync(enterprise.issuingFile, path.join(dir, 'enterprise', 'issuing.pem'));
  for (const id of CA_IDS) {
    const csrDir = path.join(dir, 'pki', 'ca', kindOf(id));
    fs.mkdirSync(csrDir, { recursive: true });
    execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(work, `${path.basename(dir)}-${id}.key`), '-out', path.join(csrDir, `${id}.csr`), '-subj', `/O=Acme/CN=${id}`], { stdio: 'pipe' });
  }
  return dir;
}

/** Has the enterprise CA sign the request of `id` in `dir`, and puts the certificate where the deploy reads it. */
function sign(dir: string, id: string, options?: SignOptions): string {
  const pem = enterprise.sign(path.join(dir, 'pki', 'ca', kindOf(id), `${id}.csr`), options);
  fs.writeFileSync(path.join(dir, 'enterprise', `${id}.crt`), pem);
  return pem;
}

function configure(dir: string, extra: Record<string, unknown> = {}): void {
  fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify({
    server: { dnsNames: ['localhost'] },
    engineClients: ['engine'],
    transmissionClients: ['edge-1'],
    externalRoot: { certFile: 'enterprise/root.pem', intermediateFiles: ['enterprise/issuing.pem'] },
    ...extra,
  }));
}

function refusal(dir: string): string {
  try {
    loadConfig({}, dir);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('the configuration was accepted');
}

const read = (file: string) => fs.readFileSync(file, 'utf8');

describe('a hierarchy under an enterprise root, before the enterprise CA has signed', () => {
  let pki: ChariotPki;
  const synthesized = () => synth((scope) => {
    const dir = project();
    configure(dir);
    pki = new ChariotPki(scope, 'pki', loadConfig({}, dir).pki);
  });

  test('has a key and a request for the Server, Engine and Transmission CAs, written to ca/KIND/ID.csr, and no Root CA of ours', () => {
    const stack = synthesized();
    expect(stack.resources('tls_cert_request').map((r) => r.path).sort()).toEqual(['test/pki/engine-ca/csr', 'test/pki/server-ca/csr', 'test/pki/transmission-ca/csr']);
    expect(stack.resources('tls_private_key').map((r) => r.path).sort()).toEqual(['test/pki/engine-ca/key', 'test/pki/server-ca/key', 'test/pki/transmission-ca/key']);
    expect(stack.resources('tls_self_signed_cert')).toEqual([]);
    expect(stack.resource('local_file', 'server-ca/csr-file').props.filename).toBe(path.join(pki.outputDirectory, 'ca/server/server-ca.csr'));
    expect(stack.resource('local_file', 'server-ca/csr-file').props.content).toBe(stack.ref('tls_cert_request', 'server-ca/csr', 'cert_request_pem'));
    expect(pki.rootCa).toBeUndefined();
    expect(pki.trustAnchor).toBeInstanceOf(ExternalCa);
  });

  test('issues nothing below the CAs, and says which CAs wait', () => {
    const stack = synthesized();
    expect(stack.resources('tls_locally_signed_cert')).toEqual([]);
    expect(pki.servers).toEqual([]);
    expect(pki.awaitingSignature.map((ca) => ca.node.id)).toEqual(CA_IDS);
    expect(pki.certificateAuthorities).toEqual([]);
  });

  test('writes the enterprise root to ca/ca.crt and its intermediate to ca/enterprise/intermediate-1.crt', () => {
    const stack = synthesized();
    expect(stack.resource('local_file', 'enterprise/root/cert-file').props.filename).toBe(path.join(pki.outputDirectory, 'ca/ca.crt'));
    expect(stack.resource('local_file', 'enterprise/root/cert-file').props.content).toBe(read(enterprise.rootFile));
    expect(stack.resource('local_file', 'enterprise/intermediate-1/cert-file').props.filename).toBe(path.join(pki.outputDirectory, 'ca/enterprise/intermediate-1.crt'));
  });

  test('the deploy says which requests go to the enterprise CA, the extensions to ask for and where the certificates go', () => {
    const dir = project();
    configure(dir);
    const config = loadConfig({}, dir);
    synth((scope) => { pki = new ChariotPki(scope, 'pki', config.pki); });
    const text = formatExternalRoot(pki, config.externalRoot!, dir);
    expect(text).toContain('chariot-tls: waiting for the enterprise CA: 3 certificate signing requests to sign.');
    expect(text).toContain('Take each request to the enterprise CA that is to sign it (O=Acme Corp, CN=Acme Corp Issuing CA 1)');
    expect(text).toContain('  pki/ca/server/server-ca.csr  ->  enterprise/server-ca.crt');
    expect(text).toContain('  pki/ca/transmission/transmission-ca.csr  ->  enterprise/transmission-ca.crt');
    expect(text).toContain('  basicConstraints = critical, CA:TRUE, pathlen:0');
    expect(text).toContain('  keyUsage         = critical, keyCertSign, cRLSign');
    expect(text).toMatch(/and a validity that ends by \d{4}-\d\d-\d\d, when the enterprise CA itself expires/);
  });

  test('a Transmission CA above site CAs asks for pathlen:1, the others for pathlen:0', () => {
    const dir = project();
    // Site CAs put two CAs of ours below the enterprise issuing CA: it needs path length 2.
    const wide = enterpriseCa('Wide Corp', 2);
    fs.copyFileSync(wide.rootFile, path.join(dir, 'enterprise', 'root.pem'));
    fs.copyFileSync(wide.issuingFile, path.join(dir, 'enterprise', 'issuing.pem'));
    wide.remove();
    configure(dir, { sites: { north: { transmissionClients: ['n-1'], issuingCa: true } } });
    const config = loadConfig({}, dir);
    synth((scope) => { pki = new ChariotPki(scope, 'pki', config.pki); });
    const text = formatExternalRoot(pki, config.externalRoot!, dir);
    expect(text).toContain('  basicConstraints = critical, CA:TRUE, pathlen:0   (server-ca, engine-ca)');
    expect(text).toContain('  basicConstraints = critical, CA:TRUE, pathlen:1   (transmission-ca)');
  });
});

describe('a hierarchy under an enterprise root, with the certificates back', () => {
  let dir: string;
  let pki: ChariotPki;
  let signed: Record<string, string>;
  beforeAll(() => {
    dir = project();
    configure(dir);
    signed = Object.fromEntries(CA_IDS.map((id) => [id, sign(dir, id)]));
  });
  const synthesized = () => synth((scope) => { pki = new ChariotPki(scope, 'pki', loadConfig({}, dir).pki); });

  test('the certificates are read and checked, and given to the hierarchy by CA id', () => {
    const config = loadConfig({}, dir);
    expect(Object.keys(config.pki.externalRoot!.signedCertPems!).sort()).toEqual([...CA_IDS].sort());
    expect(config.pki.externalRoot!.signedCertPems!['server-ca'].trim()).toBe(signed['server-ca'].trim());
  });

  test('every CA signs: servers and clients are issued, nothing waits', () => {
    const stack = synthesized();
    expect(pki.awaitingSignature).toEqual([]);
    expect(stack.resources('tls_locally_signed_cert').map((r) => r.path).sort()).toEqual(['test/pki/engine/engine/cert', 'test/pki/server/cert', 'test/pki/transmission/edge-1/cert']);
    expect(stack.resource('tls_locally_signed_cert', 'server/cert').props.ca_cert_pem.trim()).toBe(signed['server-ca'].trim());
    expect(stack.resource('local_file', 'server-ca/cert-file').props.filename).toBe(path.join(pki.outputDirectory, 'ca/server/server-ca.crt'));
  });

  test('the Root CA Chain, every ca.pem and client-ca.pem hold the enterprise intermediate and root', () => {
    const stack = synthesized();
    const content = (suffix: string) => stack.resource('local_file', suffix).props.content as string;
    const [root, issuing] = [read(enterprise.rootFile).trim(), read(enterprise.issuingFile).trim()];
    const chain = content('server/ca-chain-file');
    expect(chain.indexOf(signed['server-ca'].trim())).toBe(0);
    expect(chain.indexOf(issuing)).toBeGreaterThan(0);
    expect(chain.indexOf(root)).toBeGreaterThan(chain.indexOf(issuing));
    for (const file of ['transmission/edge-1/ca-file', 'engine/engine/ca-file', 'server/client-ca-file']) {
      expect(content(file)).toContain(issuing);
      expect(content(file)).toContain(root);
    }
  });

  test('the inventory lists the enterprise root, its intermediate and our CAs with their requests', () => {
    synthesized();
    const certificates = PkiInventory.of(pki).certificates;
    expect(certificates.slice(0, 3).map((c) => [c.role, c.subject.commonName])).toEqual([
      ['root-ca', 'Acme Corp Root CA'], ['intermediate-ca', 'Acme Corp Issuing CA 1'], ['intermediate-ca', 'Chariot TLS Engine CA'],
    ]);
    expect(certificates.find((c) => c.constructPath.endsWith('server-ca'))!.files.map((f) => f.path)).toEqual(['ca/server/server-ca.crt', 'ca/server/server-ca.csr']);
  });

  test('a certificate inside its renewal window: the deploy says to take the same request to the enterprise CA again', () => {
    const renewal = project();
    configure(renewal, { intermediateEarlyRenewalHours: 8760 });
    for (const id of CA_IDS) sign(renewal, id, { days: id === 'engine-ca' ? 200 : 1825 });
    const config = loadConfig({}, renewal);
    synth((scope) => { pki = new ChariotPki(scope, 'pki', { ...config.pki, leafValidityPeriodHours: 2400 }); });
    const text = formatExternalRoot(pki, config.externalRoot!, renewal);
    expect(text).toMatch(/^chariot-tls: renewal: the certificate of engine-ca \(enterprise\/engine-ca.crt\) expires on \d{4}-\d\d-\d\d, inside its renewal window\.$/m);
    expect(text).toContain('  Take pki/ca/engine/engine-ca.csr (the same key; every deploy keeps it) to the enterprise CA, and put the new certificate at enterprise/engine-ca.crt.');
    expect(text).not.toContain('server-ca');
  });
});

describe('a returned certificate is refused, naming the problem, before anything is written', () => {
  test.each<[string, SignOptions | 'foreign', RegExp]>([
    ['whose key does not match the request', 'foreign', /is not for the key of server-ca \(its public key is not the one in .*server-ca\.csr\)/],
    ['that is not a CA', { ca: false }, /is not a CA certificate \(basicConstraints CA:TRUE is missing\).*ask for basicConstraints = critical, CA:TRUE, pathlen:0/],
    ['whose validity outlives the enterprise issuer', { days: 5000 }, /is valid until .*, after its issuer externalRoot\.intermediateFiles\[0\] "enterprise\/issuing\.pem" expires/],
    ['with no path length', { pathLength: null }, /has no path length limit, but server-ca asked for pathlen:0/],
    ['without cRLSign', { keyUsage: 'critical,keyCertSign' }, /its key usage lacks cRLSign \(it signs certificates and CRLs\); ask for keyUsage = critical, keyCertSign, cRLSign/],
  ])('one %s', (_, how, message) => {
    const dir = project();
    configure(dir);
    if (how === 'foreign') {
      fs.writeFileSync(path.join(dir, 'enterprise', 'server-ca.crt'), enterprise.sign(enterprise.foreignRequest('server-ca')));
    } else {
      sign(dir, 'server-ca', how);
    }
    const text = refusal(dir);
    expect(text).toMatch(/chariot-tls\.json: invalid configuration:/);
    expect(text).toContain('enterprise/server-ca.crt (the certificate returned for server-ca): ');
    expect(text).toMatch(message);
  });

  test('one signed by another CA than the enterprise issuing CA', () => {
    const dir = project();
    configure(dir);
    const other = enterpriseCa('Other Corp');
    try {
      fs.writeFileSync(path.join(dir, 'enterprise', 'server-ca.crt'), other.sign(path.join(dir, 'pki/ca/server/server-ca.csr')));
      expect(refusal(dir)).toMatch(/is not signed by the enterprise issuing CA externalRoot\.intermediateFiles\[0\] "enterprise\/issuing\.pem" \(its issuer is O=Other Corp, CN=Other Corp Issuing CA 1\)/);
    } finally {
      other.remove();
    }
  });

});

describe('a returned certificate without its request file (a fresh checkout: the output folder is rewritten from the state)', () => {
  /** A project whose requests are gone from pki/, the certificate for server-ca back; returns it and its request. */
  function freshCheckout(how?: SignOptions | 'foreign') {
    const dir = project();
    configure(dir);
    const csrFile = path.join(dir, 'pki/ca/server/server-ca.csr');
    const csrPem = read(csrFile);
    fs.writeFileSync(path.join(dir, 'enterprise', 'server-ca.crt'), how === 'foreign' ? enterprise.sign(enterprise.foreignRequest('server-ca')) : enterprise.sign(csrFile, how));
    fs.rmSync(path.join(dir, 'pki'), { recursive: true });
    return { dir, csrPem };
  }

  /** The state as the engine's `show -json` prints it, holding the request of server-ca (or none). */
  function stateHolding(pki: ChariotPki, csrPem?: string) {
    const request = (pki.node.findChild('server-ca') as ExternallySignedCa).request;
    const resources = csrPem === undefined ? [] : [{ address: `tls_cert_request.${request.friendlyUniqueId}`, type: 'tls_cert_request', values: { cert_request_pem: csrPem } }];
    return async () => ({ values: { root_module: { resources } } });
  }

  function loaded(dir: string) {
    const config = loadConfig({}, dir);
    let pki!: ChariotPki;
    synth((scope) => { pki = new ChariotPki(scope, 'pki', config.pki); });
    return { config, pki };
  }

  test('every check but the key is made as the configuration is read, and a bad certificate is still refused there', () => {
    const { dir } = freshCheckout({ ca: false });
    expect(refusal(dir)).toMatch(/enterprise\/server-ca\.crt \(the certificate returned for server-ca\): is not a CA certificate/);
  });

  test('the key is left to check against the state: the certificate is kept for it, and the hierarchy uses it', () => {
    const { dir } = freshCheckout();
    const { config, pki } = loaded(dir);
    expect(config.externalRoot!.cas.find((ca) => ca.id === 'server-ca')!.keyUnchecked?.label).toBe('enterprise/server-ca.crt (the certificate returned for server-ca)');
    expect(pki.awaitingSignature.map((ca) => ca.node.id)).not.toContain('server-ca');
  });

  test('the key of the request in the state: accepted; the state is read once', async () => {
    const { dir, csrPem } = freshCheckout();
    const { config, pki } = loaded(dir);
    const readState = jest.fn(stateHolding(pki, csrPem));
    await expect(refuseKeysNotInState(config, pki, readState)).resolves.toBeUndefined();
    expect(readState).toHaveBeenCalledTimes(1);
  });

  test('another key than the request in the state: refused, naming the certificate, the state and the request to have signed', async () => {
    const { dir, csrPem } = freshCheckout('foreign');
    const { config, pki } = loaded(dir);
    await expect(refuseKeysNotInState(config, pki, stateHolding(pki, csrPem))).rejects.toThrow(new RegExp(
      'chariot-tls\\.json: invalid configuration:\n  - enterprise/server-ca\\.crt \\(the certificate returned for server-ca\\): is not for the key of server-ca '
      + '\\(its public key is not the one in the request of server-ca in the state\\); have .*/pki/ca/server/server-ca\\.csr itself signed'));
  });

  test('no request in the output folder or the state: refused, saying which is missing and what to do', async () => {
    const { dir } = freshCheckout();
    const { config, pki } = loaded(dir);
    await expect(refuseKeysNotInState(config, pki, stateHolding(pki))).rejects.toThrow(
      /there is no request to check its key against: .*server-ca\.csr is absent, and the state holds no request of server-ca .*deploy once without the certificate \(move it away\) to write a new request/);
  });

  test('with every request file there, the state is not read', async () => {
    const dir = project();
    configure(dir);
    sign(dir, 'server-ca');
    const { config, pki } = loaded(dir);
    const readState = jest.fn(stateHolding(pki));
    await refuseKeysNotInState(config, pki, readState);
    expect(readState).not.toHaveBeenCalled();
  });
});

describe('the enterprise chain is checked', () => {
  test('a root file that cannot be read is refused, naming the field and the file', () => {
    const dir = project();
    configure(dir, { externalRoot: { certFile: 'enterprise/missing.pem' } });
    expect(refusal(dir)).toContain('externalRoot.certFile "enterprise/missing.pem": cannot be read (ENOENT); give the path of the PEM file');
  });

  test('intermediates in the wrong place: the issuing CA given as the root', () => {
    const dir = project();
    configure(dir, { externalRoot: { certFile: 'enterprise/issuing.pem', intermediateFiles: ['enterprise/root.pem'] } });
    const text = refusal(dir);
    expect(text).toContain('externalRoot.certFile "enterprise/issuing.pem": is not self-signed, so it is no root');
    expect(text).toContain('externalRoot.intermediateFiles[0] "enterprise/root.pem": is not signed by externalRoot.certFile');
  });

  test('an issuing CA whose path length leaves no room for site CAs below ours', () => {
    const narrow = enterpriseCa('Narrow Corp', 1);
    try {
      const dir = project();
      fs.copyFileSync(narrow.rootFile, path.join(dir, 'enterprise', 'root.pem'));
      fs.copyFileSync(narrow.issuingFile, path.join(dir, 'enterprise', 'issuing.pem'));
      configure(dir, { sites: { north: { transmissionClients: ['n-1'], issuingCa: true } } });
      expect(refusal(dir)).toContain('externalRoot.intermediateFiles[0] "enterprise/issuing.pem": has path length 1, but 2 CAs would stand below it');
    } finally {
      narrow.remove();
    }
  });
});

describe('the library', () => {
  test('an ExternalCa signs nothing: an IntermediateCa under it is refused with the fix', () => {
    expect(() => synth((scope) => {
      const root = new ExternalCa(scope, 'corp', { certPem: read(enterprise.rootFile) });
      new IntermediateCa(scope, 'ca', { issuer: root, subject: { commonName: 'x' } });
    })).toThrow(/issuer "test\/corp" is a CA whose key is not held here \(an ExternalCa\); sign through an ExternallySignedCa/);
  });

  test('an ExternallySignedCa without its certificate signs nothing', () => {
    expect(() => synth((scope) => {
      const root = new ExternalCa(scope, 'corp', { certPem: read(enterprise.rootFile) });
      const ca = new ExternallySignedCa(scope, 'ca', { issuer: root, subject: { commonName: 'ours' } });
      new IntermediateCa(scope, 'below', { issuer: ca, subject: { commonName: 'y' } });
    })).toThrow(/issuer "test\/ca" has no signed certificate yet; take its certificate signing request to the enterprise CA/);
  });

  test('an ExternalCa refuses text that is no certificate, and a certificate that is no CA', () => {
    expect(() => synth((scope) => new ExternalCa(scope, 'x', { certPem: '${file("/etc/passwd")}' }))).toThrow(/certPem .* is not a PEM certificate/);
  });

  test('ExternallySignedCa defaults: path length 0, five years asked for (or the issuer\'s when shorter), renewal a year ahead', () => {
    synth((scope) => {
      const root = new ExternalCa(scope, 'corp', { certPem: read(enterprise.rootFile) });
      const ca = new ExternallySignedCa(scope, 'ca', { issuer: root, subject: { commonName: 'ours' } });
      expect([ca.maxPathLength, ca.validityPeriodHours, ca.earlyRenewalHours, ca.signed, ca.certPem]).toEqual([0, 43800, 8760, false, '']);
      expect(ca.csrFile).toBeUndefined();
    });
  });

  test('an ExternallySignedCa with keyVariable has no tls_private_key: its request takes the key write-only', () => {
    const stack = synth((scope) => {
      const root = new ExternalCa(scope, 'corp', { certPem: read(enterprise.rootFile) });
      new ExternallySignedCa(scope, 'ca', { issuer: root, subject: { commonName: 'ours' }, keyVariable: 'ours_key' });
    });
    expect(stack.resources('tls_private_key')).toEqual([]);
    const request = stack.resource('tls_cert_request', 'ca/csr').props;
    expect([request.private_key_pem, request.private_key_pem_wo]).toEqual([undefined, '${var.ours_key}']);
  });

  test('caKeyFiles may not name a root-ca under an enterprise root', () => {
    const dir = project();
    configure(dir, { caKeyFiles: { directory: 'keys', cas: ['root-ca', 'server-ca'] } });
    expect(refusal(dir)).toContain('caKeyFiles.cas "root-ca": there is no Root CA of ours under externalRoot (the enterprise holds its root\'s key); remove it');
  });

  test('externalRoot refuses the settings of a Root CA of ours', () => {
    expect(() => synth((scope) => new ChariotPki(scope, 'pki', {
      server: { dnsNames: ['localhost'] },
      externalRoot: { rootCertPem: read(enterprise.rootFile) },
      caGenerations: { rootCa: { generation: 2, previous: PreviousGeneration.ISSUING } },
      rootValidityPeriodHours: 1000,
    }))).toThrow(/caGenerations\.rootCa .* is about a Root CA of ours, and externalRoot puts the enterprise root there instead[\s\S]*rootValidityPeriodHours 1000 is about a Root CA of ours/);
  });

  test('a Server CA rotation under an enterprise root: the new generation waits untrusted while the old one signs', () => {
    const dir = project();
    configure(dir, { caGenerations: { serverCa: { generation: 2, previous: 'issuing' } } });
    for (const id of CA_IDS) sign(dir, id);
    let pki!: ChariotPki;
    const stack = synth((scope) => { pki = new ChariotPki(scope, 'pki', loadConfig({}, dir).pki); });
    expect(pki.awaitingSignature.map((ca) => ca.node.id)).toEqual(['server-ca-g2']);
    expect(pki.serverCa.node.id).toBe('server-ca');
    expect(stack.resource('local_file', 'server-ca-g2/csr-file').props.filename).toBe(path.join(pki.outputDirectory, 'ca/server/server-ca-g2.csr'));
    expect(stack.resources('tls_locally_signed_cert').length).toBe(3);
  });
});
