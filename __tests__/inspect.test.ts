import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT_CODES_HELP } from '../app/inspect-directory';
import { main as packageMain } from '../cli/chariot-tls';
import { ExitCode, Inspection, distinctCertificates, expiringWithin, inspect } from '../app/inspect';
import { readDirectory } from '../app/inspect-files';
import { formatTable, toJson } from '../app/inspect-report';
import { formatSites, siteSummaries } from '../app/inspect-sites';

/** The certificate files under `dir`. */
const readCertificateFiles = (dir: string) => readDirectory(dir).files;
import { inspectAt } from './helpers/inspect-cli';
import { run } from './integration/helpers/run';

const PROJECT = path.resolve(__dirname, '..');
/** An hour ahead of the certificates' issue, so whole days left do not hinge on seconds: 365 days is 364 left. */
const NOW = new Date(Date.now() + 60 * 60 * 1000);

/**
 * A hand-made deployment under DIR, signed with openssl:
 *   ca/ca.crt               Test Root CA (EC P-256, 10 years)
 *   ca/issuing/issuing.crt  Test Issuing CA, signed by the root
 *   certs/ok/cert.pem       RSA 2048 leaf, 365 days        + ca.pem (issuing, root) + private.key
 *   certs/soon/cert.pem     leaf, expires in 3 days
 *   certs/expired/cert.pem  leaf, valid in January 2020 only (openssl ca -startdate/-enddate)
 *   certs/rogue/cert.pem    leaf of a CA that is not in the directory
 *   certs/forged/cert.pem   leaf naming the Test Issuing CA as issuer, signed by another key
 *   certs/ok/fullchain.pem  ok leaf, issuing, root;  keys/only-a-key.pem: a key, no certificate
 */
function makeDeployment(): string {
  const { dir, at, w, openssl, ca, csr, sign } = certificateMaker(['ca/issuing', 'certs/ok', 'certs/soon', 'certs/expired', 'certs/rogue', 'certs/forged', 'keys']);
  ca('root', '/O=Test/CN=Test Root CA', at('ca/ca.crt'));
  csr('issuing', '/O=Test/CN=Test Issuing CA');
  sign('issuing', 'root', '1825', at('ca/issuing/issuing.crt'), 'ca_ext');

  csr('ok', '/O=Test/OU=edge/CN=ok', ['-newkey', 'rsa:2048', '-nodes']);
  sign('ok', 'issuing', '365', at('certs/ok/cert.pem'));
  fs.copyFileSync(w('ok.key'), at('certs/ok/private.key'));
  csr('soon', '/CN=soon');
  sign('soon', 'issuing', '3', at('certs/soon/cert.pem'));
  csr('expired', '/CN=expired');
  openssl('ca', '-batch', '-config', w('ext.cnf'), '-cert', w('issuing.crt'), '-keyfile', w('issuing.key'), '-in', w('expired.csr'), '-out', at('certs/expired/cert.pem'),
    '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-extfile', w('ext.cnf'), '-extensions', 'leaf_ext', '-notext');

  ca('rogue-ca', '/CN=Rogue CA', w('rogue-ca.crt'));
  csr('rogue', '/CN=rogue');
  sign('rogue', 'rogue-ca', '365', at('certs/rogue/cert.pem'));
  ca('forger', '/O=Test/CN=Test Issuing CA', w('forger.crt'));
  csr('forged', '/CN=forged');
  sign('forged', 'forger', '365', at('certs/forged/cert.pem'));

  const read = (file: string) => fs.readFileSync(at(file), 'utf8');
  fs.writeFileSync(at('certs/ok/ca.pem'), read('ca/issuing/issuing.crt') + read('ca/ca.crt'));
  fs.writeFileSync(at('certs/ok/fullchain.pem'), read('certs/ok/cert.pem') + read('ca/issuing/issuing.crt') + read('ca/ca.crt'));
  fs.copyFileSync(w('soon.key'), at('keys/only-a-key.pem'));
  return dir;
}

/**
 * A directory mid root rotation (docs/operate.md, "Rotating a CA"), signed with openssl:
 *   ca/ca.crt                   Test Root CA (generation 1)   ca/issuing/issuing.crt     Test Issuing CA, by it
 *   ca/ca-g2.crt                Test Root CA G2               ca/issuing/issuing-g2.crt  Test Issuing CA G2, by it
 *   certs/g1/cert.pem           leaf of Test Issuing CA       certs/g2/cert.pem          leaf of Test Issuing CA G2
 *   certs/foreign/ca.crt        Foreign Root CA, self-signed but not a root file of ours
 *   certs/foreign/cert.pem      leaf of Foreign Root CA
 */
function makeRotation(): string {
  const { dir, at, ca, csr, sign } = certificateMaker(['ca/issuing', 'certs/g1', 'certs/g2', 'certs/foreign']);
  for (const [suffix, file, name] of [['', 'ca/ca.crt', 'g1'], [' G2', 'ca/ca-g2.crt', 'g2']]) {
    ca(`root-${name}`, `/O=Test/CN=Test Root CA${suffix}`, at(file));
    csr(`issuing-${name}`, `/O=Test/CN=Test Issuing CA${suffix}`);
    sign(`issuing-${name}`, `root-${name}`, '1825', at(`ca/issuing/issuing${name === 'g1' ? '' : '-g2'}.crt`), 'ca_ext');
    csr(`leaf-${name}`, `/CN=leaf ${name}`);
    sign(`leaf-${name}`, `issuing-${name}`, '365', at(`certs/${name}/cert.pem`));
  }
  ca('foreign-root', '/CN=Foreign Root CA', at('certs/foreign/ca.crt'));
  csr('foreign', '/CN=foreign');
  sign('foreign', 'foreign-root', '365', at('certs/foreign/cert.pem'));
  return dir;
}

/**
 * A new directory (with `subdirs`) and openssl helpers working in a scratch directory: `ca` makes a
 * self-signed CA, `csr` a key and request, `sign` signs request NAME with the CA named `issuer`. Each
 * certificate is also kept in the scratch directory as NAME.crt, its key as NAME.key.
 */
function certificateMaker(subdirs: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-work-'));
  const at = (...parts: string[]) => path.join(dir, ...parts);
  const w = (name: string) => path.join(work, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: work });
  for (const d of subdirs) fs.mkdirSync(at(d), { recursive: true });
  fs.writeFileSync(w('ext.cnf'), [
    '[ca_ext]', 'basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid',
    '[leaf_ext]', 'basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature', 'extendedKeyUsage = clientAuth', 'authorityKeyIdentifier = keyid',
    '[ca]', 'default_ca = issuing', '[issuing]', 'database = index.txt', 'new_certs_dir = .', 'serial = serial', 'default_md = sha256', 'policy = any', 'unique_subject = no',
    '[any]', 'commonName = supplied', '',
  ].join('\n'));
  fs.writeFileSync(w('index.txt'), '');
  fs.writeFileSync(w('serial'), '1000\n');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const keep = (name: string, out: string) => {
    if (out !== w(`${name}.crt`)) fs.copyFileSync(out, w(`${name}.crt`));
  };
  const ca = (name: string, subject: string, out: string) => {
    openssl('req', '-x509', ...ec, '-keyout', w(`${name}.key`), '-out', out, '-days', '3650', '-subj', subject);
    keep(name, out);
  };
  const csr = (name: string, subject: string, key = ec) => openssl('req', ...key, '-keyout', w(`${name}.key`), '-out', w(`${name}.csr`), '-subj', subject);
  const sign = (name: string, issuer: string, days: string, out: string, ext = 'leaf_ext') => {
    openssl('x509', '-req', '-in', w(`${name}.csr`), '-CA', w(`${issuer}.crt`), '-CAkey', w(`${issuer}.key`),
      '-set_serial', String(Math.floor(Math.random() * 1e9)), '-days', days, '-extfile', w('ext.cnf'), '-extensions', ext, '-out', out);
    keep(name, out);
  };
  return { dir, at, w, openssl, ca, csr, sign };
}

/**
 * A directory with sites (docs/operate.md, "Sites"), signed with openssl:
 *   ca/ca.crt, ca/transmission/transmission-ca.crt     Test Root CA, Test Transmission CA
 *   ca/transmission/north-sea/site-ca.crt               north-sea Transmission CA, its own CA
 *   certs/transmission/north-sea/ns-{1,2}/cert.pem      its clients (365 and 30 days) + ca.pem (root)
 *   certs/transmission/baltic/bt-1/cert.pem             a site signed by the Transmission CA (200 days)
 *   certs/transmission/edge-1/cert.pem                  a flat-list client (100 days)
 *   certs/server/client-ca.pem                          the site CA, the Transmission CA, the root
 */
function makeSites(): string {
  const folders = ['ca/transmission/north-sea', 'certs/transmission/north-sea/ns-1', 'certs/transmission/north-sea/ns-2', 'certs/transmission/baltic/bt-1', 'certs/transmission/edge-1', 'certs/server'];
  const { dir, at, ca, csr, sign } = certificateMaker(folders);
  ca('root', '/O=Test/CN=Test Root CA', at('ca/ca.crt'));
  csr('transmission', '/O=Test/CN=Test Transmission CA');
  sign('transmission', 'root', '1825', at('ca/transmission/transmission-ca.crt'), 'ca_ext');
  csr('north-sea', '/O=Test/CN=north-sea Transmission CA');
  sign('north-sea', 'transmission', '1000', at('ca/transmission/north-sea/site-ca.crt'), 'ca_ext');
  for (const [name, issuer, days, folder] of [['ns-1', 'north-sea', '365', 'north-sea/ns-1'], ['ns-2', 'north-sea', '30', 'north-sea/ns-2'], ['bt-1', 'transmission', '200', 'baltic/bt-1'], ['edge-1', 'transmission', '100', 'edge-1']]) {
    csr(name, `/O=Test/OU=transmission/CN=${name}`);
    sign(name, issuer, days, at(`certs/transmission/${folder}/cert.pem`));
  }
  const read = (file: string) => fs.readFileSync(at(file), 'utf8');
  fs.writeFileSync(at('certs/transmission/north-sea/ns-1/ca.pem'), read('ca/ca.crt'));
  fs.writeFileSync(at('certs/server/client-ca.pem'), read('ca/transmission/north-sea/site-ca.crt') + read('ca/transmission/transmission-ca.crt') + read('ca/ca.crt'));
  return dir;
}

function fingerprint(file: string): string {
  return run('openssl', ['x509', '-in', file, '-noout', '-fingerprint', '-sha256']).stdout.trim().replace(/^.*Fingerprint=/, '');
}

/** Runs the CLI's main with captured output, at NOW. */
const cli = inspectAt(NOW);

let dir: string;
let inspection: Inspection;
const find = (label: string) => inspection.certificates.find((c) => c.label === label)!;

beforeAll(() => {
  dir = makeDeployment();
  inspection = inspect(dir, readCertificateFiles(dir), NOW);
});

describe('reading the deployed files', () => {
  test('reads every .crt and .pem that holds a certificate, sorted; never a .key, nor a .pem that holds only a key', () => {
    expect(readCertificateFiles(dir).map((f) => [f.file, f.certificates.length])).toEqual([
      ['ca/ca.crt', 1],
      ['ca/issuing/issuing.crt', 1],
      ['certs/expired/cert.pem', 1],
      ['certs/forged/cert.pem', 1],
      ['certs/ok/ca.pem', 2],
      ['certs/ok/cert.pem', 1],
      ['certs/ok/fullchain.pem', 3],
      ['certs/rogue/cert.pem', 1],
      ['certs/soon/cert.pem', 1],
    ]);
  });

  test('names each certificate of a bundle by its position', () => {
    expect(inspection.certificates.filter((c) => c.file === 'certs/ok/fullchain.pem').map((c) => [c.label, c.subjectCommonName])).toEqual([
      ['certs/ok/fullchain.pem#1', 'ok'],
      ['certs/ok/fullchain.pem#2', 'Test Issuing CA'],
      ['certs/ok/fullchain.pem#3', 'Test Root CA'],
    ]);
  });
});

describe('what inspect reports for each certificate', () => {
  test('subject and issuer most specific first, key, SHA-256 fingerprint as openssl prints it', () => {
    expect(find('certs/ok/cert.pem')).toMatchObject({
      subject: 'CN=ok, OU=edge, O=Test',
      subjectCommonName: 'ok',
      issuer: 'CN=Test Issuing CA, O=Test',
      issuerCommonName: 'Test Issuing CA',
      key: 'RSA 2048',
      isCa: false,
      fingerprint256: fingerprint(path.join(dir, 'certs/ok/cert.pem')),
    });
    expect(find('ca/ca.crt')).toMatchObject({ key: 'ECDSA P-256', isCa: true, subject: 'CN=Test Root CA, O=Test' });
  });

  test('days left are whole days, rounded down', () => {
    expect(find('certs/ok/cert.pem')).toMatchObject({ daysLeft: 364, expired: false });
    expect(find('certs/soon/cert.pem')).toMatchObject({ daysLeft: 2, expired: false });
  });

  test('an expired certificate has negative days left, and its dates as signed', () => {
    expect(find('certs/expired/cert.pem')).toMatchObject({
      expired: true,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2020-02-01T00:00:00Z'),
    });
    expect(find('certs/expired/cert.pem').daysLeft).toBeLessThan(-1000);
  });

  test('the root, the issuing CA and their leaves chain to ca/ca.crt, expired or not', () => {
    expect(find('ca/ca.crt').chain).toEqual({ verified: true, path: ['Test Root CA'] });
    expect(find('certs/ok/cert.pem').chain).toEqual({ verified: true, path: ['ok', 'Test Issuing CA', 'Test Root CA'] });
    for (const label of ['ca/issuing/issuing.crt', 'certs/soon/cert.pem', 'certs/expired/cert.pem', 'certs/ok/fullchain.pem#1', 'certs/ok/ca.pem#2']) {
      expect([label, find(label).chain.verified]).toEqual([label, true]);
    }
  });

  test('a leaf of a CA that is not in the directory does not chain', () => {
    expect(find('certs/rogue/cert.pem').chain).toEqual({ verified: false, path: [], problem: 'no signature path to the root in ca/ca.crt' });
  });

  test('a leaf that names a CA of ours as issuer but was signed by another key does not chain', () => {
    expect(find('certs/forged/cert.pem').issuerCommonName).toBe('Test Issuing CA');
    expect(find('certs/forged/cert.pem').chain.verified).toBe(false);
  });

  test('without ca/ca.crt nothing chains, and the reason says so', () => {
    const files = readCertificateFiles(dir).filter((f) => f.file !== 'ca/ca.crt');
    const result = inspect(dir, files, NOW);
    expect(result).toMatchObject({ root: undefined, roots: [] });
    expect(new Set(result.certificates.map((c) => c.chain.problem))).toEqual(new Set(['no root: neither ca/ca.crt nor a ca/ca-gN.crt holds a self-signed certificate']));
  });

  test('a root file that is not self-signed is no trust anchor', () => {
    const files = readCertificateFiles(dir);
    const issuing = files.find((f) => f.file === 'ca/issuing/issuing.crt')!.certificates;
    const result = inspect(dir, files.map((f) => (f.file === 'ca/ca.crt' ? { ...f, certificates: issuing } : f)), NOW);
    expect(result.roots).toEqual([]);
    expect(result.certificates.every((c) => !c.chain.verified)).toBe(true);
  });
});

describe('a root rotation: every root file is a trust anchor', () => {
  let rotation: string;
  let both: Inspection;
  const chain = (result: Inspection, label: string) => result.certificates.find((c) => c.label === label)!.chain;
  /** The rotation's directory as after step 3 ("retired"): ca/ca.crt is gone. */
  const retired = () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-retired-'));
    fs.cpSync(rotation, copy, { recursive: true });
    fs.rmSync(path.join(copy, 'ca/ca.crt'));
    return copy;
  };

  beforeAll(() => {
    rotation = makeRotation();
    both = inspect(rotation, readCertificateFiles(rotation), NOW);
  });

  test('with both roots, the leaves of each generation chain to their own root; root is the newest', () => {
    expect(both.roots.map((r) => [r.file, r.generation, r.certificate.subject])).toEqual([
      ['ca/ca-g2.crt', 2, 'O=Test\nCN=Test Root CA G2'],
      ['ca/ca.crt', 1, 'O=Test\nCN=Test Root CA'],
    ]);
    expect(both.root).toBe(both.roots[0].certificate);
    expect(chain(both, 'certs/g1/cert.pem')).toEqual({ verified: true, path: ['leaf g1', 'Test Issuing CA', 'Test Root CA'] });
    expect(chain(both, 'certs/g2/cert.pem')).toEqual({ verified: true, path: ['leaf g2', 'Test Issuing CA G2', 'Test Root CA G2'] });
    for (const label of ['ca/ca.crt', 'ca/ca-g2.crt', 'ca/issuing/issuing.crt', 'ca/issuing/issuing-g2.crt']) expect([label, chain(both, label).verified]).toEqual([label, true]);
  });

  test('a leaf of a foreign root still fails, even with that root in the directory', () => {
    expect(chain(both, 'certs/foreign/cert.pem')).toEqual({ verified: false, path: [], problem: 'no signature path to a root in ca/ca-g2.crt, ca/ca.crt' });
    expect(chain(both, 'certs/foreign/ca.crt').verified).toBe(false);
  });

  test('with only ca/ca-g2.crt (after step 3), its certificates chain and the old generation no longer does', () => {
    const result = inspect(rotation, readCertificateFiles(retired()), NOW);
    expect(result.roots.map((r) => r.file)).toEqual(['ca/ca-g2.crt']);
    expect(chain(result, 'certs/g2/cert.pem')).toEqual({ verified: true, path: ['leaf g2', 'Test Issuing CA G2', 'Test Root CA G2'] });
    for (const label of ['certs/g1/cert.pem', 'certs/foreign/cert.pem']) {
      expect(chain(result, label)).toEqual({ verified: false, path: [], problem: 'no signature path to the root in ca/ca-g2.crt' });
    }
  });

  test('after step 3 the CLI gives no missing-root warning; --json names the newest root and every root', async () => {
    const after = await cli(['--dir', retired(), '--json']);
    // The generation 1 leaf and the foreign one no longer chain: exit 4, no word of a missing root.
    expect(after.code).toBe(ExitCode.CHAIN);
    expect(after.stderr).not.toContain('no root');
    const g2 = { file: 'ca/ca-g2.crt', generation: 2, subject: 'CN=Test Root CA G2, O=Test', fingerprint256: both.roots[0].certificate.fingerprint256 };
    expect(JSON.parse(after.stdout)).toMatchObject({ root: g2, roots: [g2] });
    const during = JSON.parse((await cli(['--dir', rotation, '--json'])).stdout);
    expect(during).toMatchObject({ root: g2, roots: [g2, { file: 'ca/ca.crt', generation: 1, subject: 'CN=Test Root CA, O=Test' }] });
  });
});

describe('expiry warnings', () => {
  test('expiringWithin lists what expires within N days or has expired, soonest first', () => {
    expect(expiringWithin(inspection, 30).map((c) => c.label)).toEqual(['certs/expired/cert.pem', 'certs/soon/cert.pem']);
    expect(expiringWithin(inspection, 0).map((c) => c.label)).toEqual(['certs/expired/cert.pem']);
    expect(expiringWithin(inspection, 365).map((c) => c.label)).toContain('certs/ok/fullchain.pem#1');
  });

  test('--warn-days names each certificate due, with every file that holds it; a chain failure outranks it (exit 4)', async () => {
    const result = await cli(['--dir', dir, '--warn-days', '30']);
    expect(result.code).toBe(ExitCode.CHAIN);
    expect(result.stderr.split('\n').filter((line) => line.includes('within 30 days'))).toEqual([
      'inspect: CN=expired expired 2020-02-01T00:00:00.000Z, within 30 days: certs/expired/cert.pem',
      expect.stringMatching(/^inspect: CN=soon expires \S+ \(2 days left\), within 30 days: certs\/soon\/cert\.pem$/),
    ]);
  });

  test('--warn-days exits 0 when nothing is due', async () => {
    const fine = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-fine-'));
    fs.mkdirSync(path.join(fine, 'ca'));
    fs.copyFileSync(path.join(dir, 'ca/ca.crt'), path.join(fine, 'ca/ca.crt'));
    fs.copyFileSync(path.join(dir, 'certs/ok/fullchain.pem'), path.join(fine, 'fullchain.pem'));
    expect(await cli(['--dir', fine, '--warn-days', '300'])).toMatchObject({ code: ExitCode.OK, stderr: '' });
    expect((await cli(['--dir', fine, '--warn-days', '365'])).code).toBe(ExitCode.EXPIRING);
  });
});

describe('the table', () => {
  test('shows each certificate once, by its own file, counting the bundles that also hold it', () => {
    const lines = formatTable(inspection).trimEnd().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['FILE', 'SUBJECT', 'ISSUER', 'NOT AFTER', 'DAYS LEFT', 'KEY', 'CHAIN']);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[0])).toEqual([
      'ca/ca.crt (+2)',
      'ca/issuing/issuing.crt (+2)',
      'certs/expired/cert.pem',
      'certs/forged/cert.pem',
      'certs/ok/cert.pem (+1)',
      'certs/rogue/cert.pem',
      'certs/soon/cert.pem',
    ]);
    expect(distinctCertificates(inspection.certificates)).toHaveLength(7);
  });

  test('with --wide a row has the names, the expiry date, days left, key, fingerprint and chain; problems stand out', () => {
    const row = (file: string) => formatTable(inspection, { wide: true }).split('\n').find((l) => l.startsWith(file))!.split(/\s{2,}/);
    const ok = find('certs/ok/cert.pem');
    expect(row('certs/ok/cert.pem')).toEqual(['certs/ok/cert.pem (+1)', 'ok', 'Test Issuing CA', ok.notAfter.toISOString().slice(0, 10), '364', 'RSA 2048', ok.fingerprint256, 'ok']);
    expect(row('certs/expired/cert.pem').slice(3, 5)).toEqual(['2020-02-01', `${find('certs/expired/cert.pem').daysLeft} EXPIRED`]);
    expect(row('certs/rogue/cert.pem')[7]).toBe('FAIL: no signature path to the root in ca/ca.crt');
  });

  test('by default it fits in 120 columns, however long the names; a failed chain is FAIL, the reason on stderr', async () => {
    const long = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-long-'));
    fs.cpSync(dir, long, { recursive: true });
    const deep = path.join(long, 'certs/transmission/a-gateway-name-of-sixty-four-characters-which-is-the-most-allowed');
    fs.mkdirSync(deep, { recursive: true });
    fs.copyFileSync(path.join(dir, 'certs/rogue/cert.pem'), path.join(deep, 'cert.pem'));
    // The copy of rogue's certificate is listed by its own long path with --all.
    const result = await cli(['--dir', long, '--all']);
    for (const line of result.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
    expect(result.stdout).toMatch(/^…\S*most-allowed\/cert\.pem +rogue .* FAIL$/m);
    expect(result.stderr).toContain('inspect: certs/rogue/cert.pem does not chain: no signature path to the root in ca/ca.crt\n');
    expect((await cli(['--dir', long, '--all', '--wide'])).stdout).toContain('certs/transmission/a-gateway-name-of-sixty-four-characters-which-is-the-most-allowed/cert.pem');
  });

  test('--all lists every certificate of every file', async () => {
    const result = await cli(['--dir', dir, '--all', '--quiet']);
    expect(result.code).toBe(ExitCode.CHAIN);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1 + 12);
    expect(result.stdout).toContain('certs/ok/fullchain.pem#3 ');
  });
});

describe('--json', () => {
  test('prints every certificate of every file, the root, and what is due', async () => {
    const result = await cli(['--dir', dir, '--json', '--warn-days', '30']);
    expect(result.code).toBe(ExitCode.CHAIN);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({
      directory: dir,
      checkedAt: NOW.toISOString(),
      root: { file: 'ca/ca.crt', generation: 1, subject: 'CN=Test Root CA, O=Test', fingerprint256: find('ca/ca.crt').fingerprint256 },
      roots: [{ file: 'ca/ca.crt', generation: 1, subject: 'CN=Test Root CA, O=Test', fingerprint256: find('ca/ca.crt').fingerprint256 }],
      warnDays: 30,
      expiring: ['certs/expired/cert.pem', 'certs/soon/cert.pem'],
    });
    expect(json.certificates).toHaveLength(12);
    expect(json.certificates.find((c: any) => c.label === 'certs/rogue/cert.pem')).toMatchObject({
      file: 'certs/rogue/cert.pem', index: 1, count: 1, key: 'ECDSA P-256', expired: false,
      chain: { verified: false, path: [], problem: 'no signature path to the root in ca/ca.crt' },
    });
    expect(json.certificates.find((c: any) => c.label === 'certs/expired/cert.pem')).toMatchObject({ notAfter: '2020-02-01T00:00:00.000Z', expired: true });
  });

  test('without --warn-days, warnDays is null and nothing is listed as due', () => {
    expect(toJson(inspection, { exitCode: 0 })).toMatchObject({ warnDays: null, expiring: [] });
  });

  test('names the certificates that do not chain, and the exit code', async () => {
    const json = JSON.parse((await cli(['--dir', dir, '--json'])).stdout);
    expect(json).toMatchObject({ exitCode: ExitCode.CHAIN, chainFailures: ['certs/forged/cert.pem', 'certs/rogue/cert.pem'], problems: [], deployIncomplete: null });
  });

  test('with DEPLOY-INCOMPLETE it still prints the document, the marker in it, and exits 3', async () => {
    const unfinished = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-unfinished-'));
    fs.cpSync(dir, unfinished, { recursive: true });
    fs.writeFileSync(path.join(unfinished, 'DEPLOY-INCOMPLETE'), 'A chariot-tls deploy has not finished.\n');
    const result = await cli(['--dir', unfinished, '--json']);
    expect(result.code).toBe(ExitCode.INCOMPLETE);
    expect(JSON.parse(result.stdout)).toMatchObject({ exitCode: ExitCode.INCOMPLETE, deployIncomplete: 'A chariot-tls deploy has not finished.\n' });
    expect(JSON.parse(result.stdout).certificates).toHaveLength(12);
  });

  test('when there is nothing to inspect it prints a document with the error, and exits 1', async () => {
    const result = await cli(['--dir', '/nowhere/pki', '--json']);
    expect(result.code).toBe(ExitCode.ERROR);
    expect(JSON.parse(result.stdout)).toEqual({ directory: '/nowhere/pki', checkedAt: NOW.toISOString(), exitCode: 1, error: expect.stringContaining('/nowhere/pki is not a directory') });
  });
});

describe('sites', () => {
  let sites: Inspection;
  let siteDir: string;
  const siteOf = (label: string) => sites.certificates.find((c) => c.label === label)!.site;
  beforeAll(() => {
    siteDir = makeSites();
    sites = inspect(siteDir, readCertificateFiles(siteDir), NOW);
  });

  test("each client's site is the folder it is in; a site CA's is its CA folder, in every copy of it", () => {
    expect(siteOf('certs/transmission/north-sea/ns-1/cert.pem')).toBe('north-sea');
    expect(siteOf('certs/transmission/baltic/bt-1/cert.pem')).toBe('baltic');
    expect(siteOf('ca/transmission/north-sea/site-ca.crt')).toBe('north-sea');
    expect(siteOf('certs/server/client-ca.pem#1')).toBe('north-sea');
  });

  test('the flat list, the Transmission CA and the root in a site client\'s ca.pem belong to no site', () => {
    expect([siteOf('certs/transmission/edge-1/cert.pem'), siteOf('ca/transmission/transmission-ca.crt'), siteOf('certs/transmission/north-sea/ns-1/ca.pem')]).toEqual([undefined, undefined, undefined]);
  });

  test('one summary per site, by name, then the flat list: client count and the certificate that expires first', () => {
    expect(siteSummaries(sites.certificates).map((s) => [s.site, s.clients, s.earliest.label, s.earliest.daysLeft])).toEqual([
      ['baltic', 1, 'certs/transmission/baltic/bt-1/cert.pem', 199],
      ['north-sea', 2, 'certs/transmission/north-sea/ns-2/cert.pem', 29],
      [undefined, 1, 'certs/transmission/edge-1/cert.pem', 99],
    ]);
  });

  test('the table has a SITE column, and a line per site under it', () => {
    const table = formatTable(sites).split('\n');
    expect(table[0]).toMatch(/^FILE +SITE +SUBJECT +ISSUER/);
    expect(table.every((l) => l.length <= 120)).toBe(true);
    expect(table.find((l) => l.includes('/ns-1/cert.pem'))).toMatch(/cert\.pem +north-sea +ns-1 +north-sea Transmissi/);
    expect(table.find((l) => l.includes('/edge-1/cert.pem'))).toMatch(/cert\.pem {3,}edge-1 /);
    const wide = formatTable(sites, { wide: true }).split('\n');
    expect(wide.find((l) => l.startsWith('certs/transmission/north-sea/ns-1/cert.pem'))).toMatch(/^\S+ +north-sea +ns-1 +north-sea Transmission CA /);
    expect(formatSites(siteSummaries(sites.certificates)).split('\n')).toEqual([
      '',
      expect.stringMatching(/^SITE +CLIENTS +EARLIEST EXPIRY +DAYS LEFT +EXPIRES FIRST$/),
      expect.stringMatching(/^baltic +1 +\d{4}-\d\d-\d\d +199 +certs\/transmission\/baltic\/bt-1\/cert\.pem$/),
      expect.stringMatching(/^north-sea +2 +\d{4}-\d\d-\d\d +29 +certs\/transmission\/north-sea\/ns-2\/cert\.pem$/),
      expect.stringMatching(/^\(no site\) +1 +\d{4}-\d\d-\d\d +99 +certs\/transmission\/edge-1\/cert\.pem$/),
      '',
    ]);
  });

  test('npm run inspect prints the site lines under the table', async () => {
    const { code, stdout } = await cli(['--dir', siteDir]);
    expect(code).toBe(ExitCode.OK);
    expect(stdout).toMatch(/ns-2\/cert\.pem +north-sea +ns-2 [^\n]*\n\nSITE +CLIENTS +EARLIEST EXPIRY +DAYS LEFT +EXPIRES FIRST\nbaltic +1 /);
  });

  test('without sites: no SITE column and no site lines, as before', () => {
    expect(formatTable(inspection).split('\n')[0]).not.toContain('SITE');
    expect(siteSummaries(inspection.certificates)).toEqual([]);
    expect(formatSites([])).toBe('');
  });

  test('--json gives each certificate its site (null outside one) and sums up each site', () => {
    const json = toJson(sites, { exitCode: 0 }) as any;
    expect(json.certificates.find((c: any) => c.label === 'certs/transmission/north-sea/ns-2/cert.pem').site).toBe('north-sea');
    expect(json.certificates.find((c: any) => c.label === 'certs/transmission/edge-1/cert.pem').site).toBeNull();
    expect(json.sites).toEqual([
      { site: 'baltic', clients: 1, earliestExpiry: expect.any(String), daysLeft: 199, expiresFirst: 'certs/transmission/baltic/bt-1/cert.pem' },
      { site: 'north-sea', clients: 2, earliestExpiry: find2(sites, 'certs/transmission/north-sea/ns-2/cert.pem').notAfter.toISOString(), daysLeft: 29, expiresFirst: 'certs/transmission/north-sea/ns-2/cert.pem' },
      { site: null, clients: 1, earliestExpiry: expect.any(String), daysLeft: 99, expiresFirst: 'certs/transmission/edge-1/cert.pem' },
    ]);
    expect((toJson(inspection, { exitCode: 0 }) as any).sites).toEqual([]);
  });
});

const find2 = (result: Inspection, label: string) => result.certificates.find((c) => c.label === label)!;

describe('the CLI', () => {
  test('reads the output directory of the configuration by default', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-config-'));
    fs.writeFileSync(path.join(project, 'site.json'), JSON.stringify({ engineClients: ['e'], outputDirectory: dir }));
    const result = await cli(['--json'], { env: { CHARIOT_TLS_CONFIG: 'site.json' }, projectDir: project });
    expect(result.code).toBe(ExitCode.CHAIN);
    expect(JSON.parse(result.stdout).directory).toBe(dir);
  });

  test('takes --dir from the directory the command was typed in', async () => {
    const result = await cli(['--dir', path.basename(dir), '--json'], { cwd: path.dirname(dir) });
    expect(JSON.parse(result.stdout).directory).toBe(dir);
  });

  test('a directory that does not exist is an error that says to deploy first', async () => {
    expect(await cli(['--dir', '/nowhere/pki'])).toEqual({ code: ExitCode.ERROR, stdout: '', stderr: 'inspect: /nowhere/pki is not a directory; deploy first (npm run deploy) or name one with --dir DIR\n' });
  });

  test('a directory without certificates is an error', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-empty-'));
    expect(await cli(['--dir', empty])).toMatchObject({ code: ExitCode.ERROR, stderr: expect.stringContaining(`no certificates under ${empty}`) });
  });

  test('without a root file it still lists the certificates, and warns that no chain can be verified', async () => {
    const noRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-noroot-'));
    fs.copyFileSync(path.join(dir, 'certs/ok/cert.pem'), path.join(noRoot, 'cert.pem'));
    const result = await cli(['--dir', noRoot, '--wide']);
    expect(result.code).toBe(ExitCode.CHAIN);
    expect(result.stdout).toContain('FAIL: no root: neither ca/ca.crt nor a ca/ca-gN.crt holds a self-signed certificate');
    expect(result.stderr).toBe(`inspect: warning: no root under ${noRoot}: neither ca/ca.crt nor a ca/ca-gN.crt holds a self-signed certificate, so no chain can be verified\n`);
  });

  test('files of a deploy that has not finished are refused with exit 3, quoting DEPLOY-INCOMPLETE', async () => {
    const unfinished = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-unfinished-'));
    fs.cpSync(dir, unfinished, { recursive: true });
    fs.writeFileSync(path.join(unfinished, 'DEPLOY-INCOMPLETE'), 'A chariot-tls deploy has not finished.\n');
    expect(await cli(['--dir', unfinished])).toEqual({
      code: ExitCode.INCOMPLETE,
      stdout: '',
      stderr: `inspect: ${unfinished} holds the files of a deploy that has not finished; they may be a mix of old and new. ${path.join(unfinished, 'DEPLOY-INCOMPLETE')} says:\n\nA chariot-tls deploy has not finished.\n`,
    });
  });

  test('a bad configuration is reported as such', async () => {
    const result = await cli([], { env: { CHARIOT_TLS_CONFIG: '/nowhere/x.json' } });
    expect(result).toMatchObject({ code: ExitCode.ERROR, stderr: 'inspect: /nowhere/x.json: cannot read the configuration file; check CHARIOT_TLS_CONFIG or create chariot-tls.json\n' });
  });

  test.each([
    [['--warn-days', 'soon'], '"soon" is not a whole number of days; use e.g. --warn-days 30'],
    [['--warn-days=-3'], '"-3" is not a whole number of days'],
    [['--color'], "unknown option '--color'"],
    [['pki'], 'too many arguments'],
  ])('refuses %j, pointing to --help', async (argv, message) => {
    const result = await cli(argv);
    expect(result.code).toBe(ExitCode.ERROR);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('(add --help for usage)');
  });

  test('docs/operate.md shows the usage line of --help', async () => {
    const doc = fs.readFileSync(path.join(PROJECT, 'docs/operate.md'), 'utf8');
    const usage = (await cli(['--help'])).stdout.split('\n')[0];
    expect(doc).toContain(usage);
  });

  test('--help prints the usage, every option and the exit codes, and exits 0', async () => {
    const help = await cli(['--help']);
    expect(help).toMatchObject({ code: ExitCode.OK, stdout: expect.stringMatching(/^Usage: npm run inspect -- \[options\]/) });
    for (const option of ['--dir <dir>', '--json', '--all', '--warn-days <n>', '--config <file>', '--quiet', '--verbose', '--help', 'Exit codes: 0']) {
      expect(help.stdout).toContain(option);
    }
  });

  test('the table starts with the directory it read; --quiet leaves that line out, --json never prints it', async () => {
    expect((await cli(['--dir', dir])).stdout.split('\n')[0]).toBe(`chariot-tls inspect: directory ${dir}`);
    expect((await cli(['--dir', dir, '--quiet'])).stdout).toMatch(/^FILE +SUBJECT/);
    expect(JSON.parse((await cli(['--dir', dir, '--json'])).stdout).directory).toBe(dir);
  });

  test('names the configuration and the output directory it read', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-config-'));
    fs.writeFileSync(path.join(project, 'site.json'), JSON.stringify({ engineClients: ['e'], outputDirectory: dir }));
    const result = await cli([], { env: { CHARIOT_TLS_CONFIG: 'site.json' }, projectDir: project });
    expect(result.stdout.split('\n')[0]).toBe(`chariot-tls inspect: configuration site.json, output ${dir}`);
  });

  test('--config wins over CHARIOT_TLS_CONFIG, and is taken from the directory the command was typed in', async () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-config-'));
    fs.writeFileSync(path.join(project, 'site.json'), JSON.stringify({ engineClients: ['e'], outputDirectory: dir }));
    const result = await cli(['--config', 'site.json', '--json'], { env: { CHARIOT_TLS_CONFIG: '/nowhere/x.json' }, cwd: project });
    expect(result.code).toBe(ExitCode.CHAIN);
    expect(JSON.parse(result.stdout).directory).toBe(dir);
  });

  test('npm run inspect runs it as a process, exit code included', () => {
    const result = run('npm', ['run', '--silent', 'inspect', '--', '--dir', dir, '--warn-days', '30', '--quiet'], { cwd: PROJECT, allowFailure: true });
    expect(result.status).toBe(ExitCode.CHAIN);
    expect(result.stdout).toMatch(/^FILE +SUBJECT/);
    expect(result.stderr).toContain('inspect: CN=soon expires');
  });
});

describe('damaged files and keys, each reported with its exit code', () => {
  /** A copy of the fixture deployment with `damage` applied. */
  const damaged = (damage: (at: (f: string) => string) => void) => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-damaged-'));
    fs.cpSync(dir, copy, { recursive: true });
    // Only sound certificates, so that each damage decides the exit code alone.
    for (const bad of ['certs/rogue', 'certs/forged']) fs.rmSync(path.join(copy, bad), { recursive: true });
    damage((f) => path.join(copy, f));
    return copy;
  };
  const problem = async (copy: string) => {
    const result = await cli(['--dir', copy, '--json']);
    return { code: result.code, problems: JSON.parse(result.stdout).problems, stderr: result.stderr };
  };

  test('the sound copy passes: exit 0, no problem', async () => {
    expect(await problem(damaged(() => {}))).toMatchObject({ code: ExitCode.OK, problems: [] });
  });

  test('an empty certificate file: exit 5', async () => {
    const copy = damaged((at) => fs.writeFileSync(at('certs/ok/cert.pem'), ''));
    expect(await problem(copy)).toMatchObject({
      code: ExitCode.FILES,
      problems: [{ file: 'certs/ok/cert.pem', kind: 'file', problem: 'is empty (a full disk or a copy that stopped?); run `npm run deploy` to write it again' }],
    });
  });

  test('a certificate file cut short: exit 5', async () => {
    const copy = damaged((at) => fs.writeFileSync(at('certs/ok/cert.pem'), fs.readFileSync(at('certs/ok/cert.pem'), 'utf8').slice(0, 300)));
    expect(await problem(copy)).toMatchObject({ code: ExitCode.FILES, problems: [{ file: 'certs/ok/cert.pem', problem: expect.stringMatching(/^is cut short/) }] });
  });

  test('one bad PEM block among good ones: the good ones are read, the bad one reported, no crash: exit 5', async () => {
    const copy = damaged((at) => fs.appendFileSync(at('certs/ok/ca.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n'));
    const result = await cli(['--dir', copy, '--json']);
    expect(result.code).toBe(ExitCode.FILES);
    const json = JSON.parse(result.stdout);
    expect(json.problems).toEqual([{ file: 'certs/ok/ca.pem', kind: 'file', problem: expect.stringMatching(/^certificate 3 of 3 is not a valid certificate/) }]);
    expect(json.certificates.filter((c: any) => c.file === 'certs/ok/ca.pem')).toHaveLength(2);
  });

  test('a dangling symbolic link: reported, no crash: exit 5', async () => {
    const copy = damaged((at) => fs.symlinkSync('/nowhere/server.crt', at('certs/ok/extra.crt')));
    expect(await problem(copy)).toMatchObject({ code: ExitCode.FILES, problems: [{ file: 'certs/ok/extra.crt', problem: 'is a symbolic link to /nowhere/server.crt, which does not exist; run `npm run deploy` to write it again or fix the link' }] });
  });

  test('a loop of symbolic links is not followed: the file loop is reported, a directory loop skipped: exit 5', async () => {
    const copy = damaged((at) => {
      fs.symlinkSync('b.pem', at('certs/ok/a.pem'));
      fs.symlinkSync('a.pem', at('certs/ok/b.pem'));
      fs.symlinkSync('..', at('certs/ok/up'));
    });
    const found = await problem(copy);
    expect(found.code).toBe(ExitCode.FILES);
    expect(found.problems.map((p: any) => [p.file, p.problem])).toEqual([
      ['certs/ok/a.pem', 'is a loop of symbolic links (via b.pem); replace it with the file'],
      ['certs/ok/b.pem', 'is a loop of symbolic links (via a.pem); replace it with the file'],
    ]);
  });

  test('a private key that does not belong to its certificate: exit 6, the key never printed', async () => {
    const copy = damaged((at) => fs.copyFileSync(at('keys/only-a-key.pem'), at('certs/ok/private.key')));
    const found = await problem(copy);
    expect(found).toMatchObject({ code: ExitCode.KEYS, problems: [{ file: 'certs/ok/private.key', kind: 'key', problem: expect.stringMatching(/^does not belong to certs\/ok\/cert\.pem/) }] });
    expect(JSON.stringify(found)).not.toContain('PRIVATE KEY');
  });

  test('a private key file at mode 0644: exit 6, with the chmod to run', async () => {
    const copy = damaged((at) => fs.chmodSync(at('certs/ok/private.key'), 0o644));
    expect(await problem(copy)).toMatchObject({
      code: ExitCode.KEYS,
      problems: [{ file: 'certs/ok/private.key', kind: 'key', problem: `has mode 0644: other users can read this private key; chmod 600 ${path.join(copy, 'certs/ok/private.key')}` }],
    });
  });

  test('the table names each problem on stderr too', async () => {
    const copy = damaged((at) => fs.writeFileSync(at('certs/ok/cert.pem'), ''));
    const result = await cli(['--dir', copy]);
    expect(result.code).toBe(ExitCode.FILES);
    expect(result.stderr).toContain('inspect: certs/ok/cert.pem is empty');
  });
});

describe("the package's chariot-tls inspect DIR does the same", () => {
  /** Runs `chariot-tls inspect ...argv` with captured output. */
  const packageCli = async (argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), stdin: () => '', env: {}, cwd: PROJECT, now: NOW };
    const code = await packageMain(['inspect', ...argv], io);
    return { code, stdout, stderr };
  };

  test('--json with DEPLOY-INCOMPLETE still prints the document and exits 3', async () => {
    const unfinished = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-unfinished-'));
    fs.cpSync(dir, unfinished, { recursive: true });
    fs.writeFileSync(path.join(unfinished, 'DEPLOY-INCOMPLETE'), 'unfinished\n');
    const result = await packageCli([unfinished, '--json']);
    expect(result.code).toBe(ExitCode.INCOMPLETE);
    expect(JSON.parse(result.stdout)).toMatchObject({ exitCode: ExitCode.INCOMPLETE, deployIncomplete: 'unfinished\n', configuration: null });
  });

  test('a damaged file exits 5 and says to write it again with cdktf deploy', async () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-damaged-'));
    fs.cpSync(dir, copy, { recursive: true });
    fs.writeFileSync(path.join(copy, 'certs/ok/cert.pem'), '');
    const result = await packageCli([copy]);
    expect(result.code).toBe(ExitCode.FILES);
    expect(result.stderr).toContain('inspect: certs/ok/cert.pem is empty (a full disk or a copy that stopped?); run `cdktf deploy` to write it again');
  });

  test('--root names the trust anchors of a PKI laid out otherwise; without it, nothing chains (exit 4)', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-other-'));
    fs.cpSync(dir, other, { recursive: true });
    for (const bad of ['certs/rogue', 'certs/forged']) fs.rmSync(path.join(other, bad), { recursive: true });
    fs.renameSync(path.join(other, 'ca/ca.crt'), path.join(other, 'ca/root-ca.crt'));
    expect((await packageCli([other])).code).toBe(ExitCode.CHAIN);
    const rooted = await packageCli([other, '--root', 'ca/root-ca.crt', '--json']);
    expect(rooted.code).toBe(ExitCode.OK);
    expect(JSON.parse(rooted.stdout)).toMatchObject({ root: { file: 'ca/root-ca.crt' }, chainFailures: [] });
  });

  test('--help states the same exit codes as npm run inspect --help, and --wide', async () => {
    const help = await packageCli(['--help']);
    expect(help.stdout).toContain(EXIT_CODES_HELP);
    expect(help.stdout).toContain('--wide');
  });
});
