import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { signCrl } from '../app/crl';
import { ExitCode, exitCodeOf, inspect } from '../app/inspect';
import { DEFAULT_CRL_WARN_DAYS, crlsDueWithin, withCrls } from '../app/inspect-crls';
import { EXIT_CODES_HELP } from '../app/inspect-directory';
import { readDirectory } from '../app/inspect-files';
import { TABLE_WIDTH } from '../app/inspect-report';
import { DEFAULT_CRL_POLICY } from '../app/revocation-config';
import { EnterpriseCa, enterpriseCa } from './helpers/enterprise-ca';
import { inspectAt } from './helpers/inspect-cli';
import { run } from './integration/helpers/run';

// openssl makes RSA keys for each CA and leaf: seconds on a busy machine.
jest.setTimeout(120_000);

const DAY = 24 * 3_600_000;
/** When the CRLs were signed: the fixture's clock. */
const SIGNED = new Date();
const REVOKED_AT = new Date('2026-11-30T12:00:00Z');

/**
 * A deployment's CAs and CRLs, signed by openssl (certificates) and signCrl (CRLs, as deploys sign them):
 *   ca/ca.crt                       Acme Corp Root CA               ca/ca.crl.pem                  its CRL, empty
 *   ca/issuing/issuing-ca.crt       Acme Corp Issuing CA 1, by it   ca/issuing/issuing-ca.crl.pem  its CRL: edge-2 (keyCompromise), edge-3 (cessationOfOperation)
 *   certs/edge-1/cert.pem           a leaf of the issuing CA        certs/server/crl.pem           both CRLs, the issuing CA's first
 * Every CRL lives 30 days from SIGNED.
 */
let acme: EnterpriseCa;
let dir: string;
let revokedSerials: string[];
const scratch: string[] = [];

const at = (root: string, file: string) => path.join(root, file);
const pemOf = (file: string) => fs.readFileSync(file, 'utf8');

function leaf(ca: EnterpriseCa, name: string): string {
  return ca.sign(ca.foreignRequest(name), { ca: false, keyUsage: 'critical,digitalSignature', days: 365 });
}

function crlOf(ca: EnterpriseCa, which: 'root' | 'issuing', entries: { serial: string; reasonCode: number }[], nextUpdate = new Date(SIGNED.getTime() + 30 * DAY)): Promise<string> {
  return signCrl(pemOf(path.join(ca.dir, `${which}.crt`)), pemOf(path.join(ca.dir, `${which}.key`)), {
    entries: entries.map((e) => ({ ...e, revokedAt: REVOKED_AT })),
    thisUpdate: new Date(SIGNED.getTime() - 60_000),
    nextUpdate,
    crlNumber: 1700000000,
  });
}

const serialOf = (pem: string) => run('openssl', ['x509', '-noout', '-serial'], { input: pem }).stdout.trim().split('=')[1];

beforeAll(async () => {
  acme = enterpriseCa('Acme Corp');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-crls-'));
  scratch.push(acme.dir, dir);
  for (const folder of ['ca/issuing', 'certs/edge-1', 'certs/server']) fs.mkdirSync(at(dir, folder), { recursive: true });
  fs.copyFileSync(acme.rootFile, at(dir, 'ca/ca.crt'));
  fs.copyFileSync(acme.issuingFile, at(dir, 'ca/issuing/issuing-ca.crt'));
  fs.writeFileSync(at(dir, 'certs/edge-1/cert.pem'), leaf(acme, 'edge-1'));
  revokedSerials = [serialOf(leaf(acme, 'edge-2')), serialOf(leaf(acme, 'edge-3'))];
  const issuingCrl = await crlOf(acme, 'issuing', [{ serial: revokedSerials[0], reasonCode: 1 }, { serial: revokedSerials[1], reasonCode: 5 }]);
  const rootCrl = await crlOf(acme, 'root', []);
  fs.writeFileSync(at(dir, 'ca/issuing/issuing-ca.crl.pem'), issuingCrl);
  fs.writeFileSync(at(dir, 'ca/ca.crl.pem'), rootCrl);
  fs.writeFileSync(at(dir, 'certs/server/crl.pem'), issuingCrl + rootCrl);
});

afterAll(() => scratch.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A copy of the fixture with `change` applied to it. */
function copyWith(change: (file: (name: string) => string) => void | Promise<void>): Promise<string> {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-crls-copy-'));
  scratch.push(copy);
  fs.cpSync(dir, copy, { recursive: true });
  return Promise.resolve(change((name) => at(copy, name))).then(() => copy);
}

const inspected = async (root: string, now = SIGNED) => {
  const reading = readDirectory(root);
  return withCrls(inspect(root, reading.files, now, reading.problems), reading.files, reading.crlFiles);
};

const json = async (root: string, argv: string[] = [], now = SIGNED) => {
  const result = await inspectAt(now)(['--dir', root, '--json', ...argv]);
  return { code: result.code, stderr: result.stderr, report: JSON.parse(result.stdout) };
};

describe('finding and reading CRLs', () => {
  test('every X509 CRL block under the directory is read, each of a bundle by its position', async () => {
    const { crls } = await inspected(dir);
    expect(crls.map((c) => c.label)).toEqual(['ca/ca.crl.pem', 'ca/issuing/issuing-ca.crl.pem', 'certs/server/crl.pem#1', 'certs/server/crl.pem#2']);
    expect(crls.map((c) => c.count)).toEqual([1, 1, 2, 2]);
  });

  test('each CRL: issuer, the CA certificate that signed it, thisUpdate, nextUpdate, days left, the revoked serials with date and reason', async () => {
    const { report, code } = await json(dir);
    expect(code).toBe(ExitCode.OK);
    expect(report.crls.find((c: any) => c.label === 'ca/issuing/issuing-ca.crl.pem')).toEqual({
      label: 'ca/issuing/issuing-ca.crl.pem',
      file: 'ca/issuing/issuing-ca.crl.pem',
      index: 1,
      count: 1,
      issuer: 'CN=Acme Corp Issuing CA 1, O=Acme Corp',
      issuerCommonName: 'Acme Corp Issuing CA 1',
      crlNumber: 1700000000,
      thisUpdate: new Date(Math.floor((SIGNED.getTime() - 60_000) / 1000) * 1000).toISOString(),
      nextUpdate: new Date(Math.floor((SIGNED.getTime() + 30 * DAY) / 1000) * 1000).toISOString(),
      daysLeft: 29,
      expired: false,
      revoked: [
        { serialNumber: revokedSerials[0], revokedAt: REVOKED_AT.toISOString(), reason: 'keyCompromise' },
        { serialNumber: revokedSerials[1], revokedAt: REVOKED_AT.toISOString(), reason: 'cessationOfOperation' },
      ],
      signature: { verified: true, signedBy: 'ca/issuing/issuing-ca.crt', problem: null },
      fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
    });
    expect(report.crls.find((c: any) => c.label === 'certs/server/crl.pem#2')).toMatchObject({ issuerCommonName: 'Acme Corp Root CA', revoked: [], signature: { signedBy: 'ca/ca.crt' } });
    expect(report).toMatchObject({ crlWarnDays: null, expiringCrls: [], crlFailures: [] });
  });

  test('a revoked serial is written as the certificates\' serialNumber is', async () => {
    const { report } = await json(dir);
    const edge1 = report.certificates.find((c: any) => c.label === 'certs/edge-1/cert.pem');
    expect(edge1.serialNumber).toBe(serialOf(pemOf(at(dir, 'certs/edge-1/cert.pem'))));
    expect(revokedSerials.every((s) => /^([0-9A-F]{2})+$/.test(s))).toBe(true);
  });
});

describe('a CRL that no CA here signed: exit 4', () => {
  test('one signed by another key in the name of our issuing CA is forged: named on stderr with its copies', async () => {
    const forger = enterpriseCa('Acme Corp');
    scratch.push(forger.dir);
    const forged = await crlOf(forger, 'issuing', []);
    const copy = await copyWith((file) => {
      fs.writeFileSync(file('ca/issuing/issuing-ca.crl.pem'), forged);
      fs.writeFileSync(file('certs/server/crl.pem'), forged + pemOf(file('ca/ca.crl.pem')));
    });
    const { code, report, stderr } = await json(copy);
    expect(code).toBe(ExitCode.CHAIN);
    expect(report.crlFailures).toEqual(['ca/issuing/issuing-ca.crl.pem', 'certs/server/crl.pem#1']);
    expect(report.crls[1].signature).toEqual({
      verified: false, signedBy: null,
      problem: 'its signature does not verify with the key of ca/issuing/issuing-ca.crt (its issuer), so it is forged or damaged; a deploy signs it again',
    });
    expect(stderr).toContain('inspect: the CRL of CN=Acme Corp Issuing CA 1, O=Acme Corp is not to be trusted: its signature does not verify with the key of ca/issuing/issuing-ca.crt (its issuer), so it is forged or damaged; a deploy signs it again: ca/issuing/issuing-ca.crl.pem, certs/server/crl.pem#1');
  });

  test('one whose issuer has no CA certificate under the directory', async () => {
    const other = enterpriseCa('Other Corp');
    scratch.push(other.dir);
    const foreign = await crlOf(other, 'root', []);
    const copy = await copyWith((file) => fs.writeFileSync(file('certs/server/other.crl.pem'), foreign));
    const { code, report } = await json(copy);
    expect(code).toBe(ExitCode.CHAIN);
    expect(report.crls.find((c: any) => c.label === 'certs/server/other.crl.pem').signature).toEqual({
      verified: false, signedBy: null, problem: 'no CA certificate under the directory has its issuer\'s name; add that CA\'s certificate, or remove the CRL',
    });
  });
});

describe('a damaged CRL file: exit 5', () => {
  test('a bundle cut short: the problem named, the CRL before the cut still read', async () => {
    const copy = await copyWith((file) => fs.writeFileSync(file('certs/server/crl.pem'), pemOf(file('certs/server/crl.pem')).slice(0, -200)));
    const { code, report, stderr } = await json(copy);
    expect(code).toBe(ExitCode.FILES);
    expect(report.problems).toEqual([{ file: 'certs/server/crl.pem', kind: 'file', problem: 'is cut short: a CRL has no END line; run `npm run deploy` to write it again' }]);
    expect(report.crls.map((c: any) => c.label)).toEqual(['ca/ca.crl.pem', 'ca/issuing/issuing-ca.crl.pem', 'certs/server/crl.pem']);
    expect(stderr).toContain('inspect: certs/server/crl.pem is cut short: a CRL has no END line');
  });

  test('an X509 CRL block that holds no CRL', async () => {
    const copy = await copyWith((file) => fs.writeFileSync(file('ca/ca.crl.pem'), '-----BEGIN X509 CRL-----\nbm90IGEgQ1JM\n-----END X509 CRL-----\n'));
    const { code, report } = await json(copy);
    expect(code).toBe(ExitCode.FILES);
    expect(report.problems).toEqual([{ file: 'ca/ca.crl.pem', kind: 'file', problem: expect.stringMatching(/^CRL 1 of 1 is not a valid CRL/) }]);
  });
});

describe('CRL dates set the exit code as expiry does', () => {
  const daysBefore = (days: number) => new Date(SIGNED.getTime() + 30 * DAY - days * DAY);

  test(`--warn-days brings the CRL check, with a window of ${DEFAULT_CRL_WARN_DAYS} days: 4 days before nextUpdate exits 2, naming the CRL and each copy`, async () => {
    const due = await inspectAt(daysBefore(4))(['--dir', dir, '--warn-days', '45']);
    expect(due.code).toBe(ExitCode.EXPIRING);
    expect(due.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^inspect: the CRL of CN=Acme Corp Root CA, O=Acme Corp is due: nextUpdate \S+ \(3 days left\), within 5 days: ca\/ca\.crl\.pem, certs\/server\/crl\.pem#2$/),
      expect.stringMatching(/^inspect: the CRL of CN=Acme Corp Issuing CA 1, O=Acme Corp is due: .* within 5 days: ca\/issuing\/issuing-ca\.crl\.pem, certs\/server\/crl\.pem#1$/),
    ]);
    expect(await inspectAt(daysBefore(6))(['--dir', dir, '--warn-days', '45'])).toMatchObject({ code: ExitCode.OK, stderr: '' });
  });

  test('once nextUpdate has passed: exit 2, and it says that peers checking CRLs refuse every certificate of that CA', async () => {
    const late = await json(dir, ['--warn-days', '45'], daysBefore(-0.5));
    expect(late.code).toBe(ExitCode.EXPIRING);
    expect(late.stderr).toContain('inspect: the CRL of CN=Acme Corp Issuing CA 1, O=Acme Corp has expired (nextUpdate ');
    expect(late.stderr).toContain('): peers that check CRLs refuse every certificate this CA issued, and every chain through it, until npm run deploy signs it again: ca/issuing/issuing-ca.crl.pem, certs/server/crl.pem#1');
    expect(late.report).toMatchObject({ warnDays: 45, crlWarnDays: 5, exitCode: 2 });
    expect(late.report.expiringCrls).toHaveLength(4);
    expect(late.report.crls[0]).toMatchObject({ expired: true, daysLeft: -1 });
  });

  test('--crl-warn-days N sets the window, alone too; without either option CRL dates set no exit code', async () => {
    expect((await inspectAt(SIGNED)(['--dir', dir, '--crl-warn-days', '30'])).code).toBe(ExitCode.EXPIRING);
    expect((await inspectAt(SIGNED)(['--dir', dir, '--crl-warn-days', '29'])).code).toBe(ExitCode.OK);
    expect((await json(dir, ['--warn-days', '45', '--crl-warn-days', '2'], daysBefore(4))).code).toBe(ExitCode.OK);
    const unchecked = await json(dir, [], daysBefore(-1));
    expect(unchecked).toMatchObject({ code: ExitCode.OK, stderr: '', report: { crlWarnDays: null, expiringCrls: [] } });
    expect(unchecked.report.crls[0].expired).toBe(true);
  });

  test('--crl-warn-days takes whole days only', async () => {
    expect((await inspectAt(SIGNED)(['--dir', dir, '--crl-warn-days', 'soon'])).stderr).toContain('"soon" is not a whole number of days; use e.g. --crl-warn-days 5');
  });

  test('the order of exit codes holds: a damaged file (5) before a forged CRL (4) before a CRL due (2)', async () => {
    const found = await inspected(dir, daysBefore(1));
    const forged = { ...found, crls: found.crls.map((c, i) => (i === 0 ? { ...c, signature: { verified: false, problem: 'forged' } } : c)) };
    const damaged = { ...forged, problems: [{ file: 'ca/ca.crl.pem', kind: 'file' as never, problem: 'is cut short' }] };
    const due = crlsDueWithin(found, 5).length;
    expect(due).toBe(2);
    expect([exitCodeOf({ incomplete: false, inspection: found, expiring: due }), exitCodeOf({ incomplete: false, inspection: forged, expiring: due }), exitCodeOf({ incomplete: false, inspection: damaged, expiring: due })])
      .toEqual([ExitCode.EXPIRING, ExitCode.CHAIN, ExitCode.FILES]);
    expect(EXIT_CODES_HELP).toMatch(/When several apply: 3, then 5, 6, 4, (\d, )*2\./);
  });

  test(`the default window (${DEFAULT_CRL_WARN_DAYS} days) leaves weekly deploys room: a deploy re-signs a CRL with 14 days left, a weekly one with 7 or more`, () => {
    const weeklyMinimumDays = DEFAULT_CRL_POLICY.earlyRenewalHours / 24 - 7;
    expect(DEFAULT_CRL_WARN_DAYS).toBeLessThan(weeklyMinimumDays);
    const docs = fs.readFileSync(path.join(__dirname, '..', 'docs', 'operate.md'), 'utf8');
    expect(docs).toContain(`\`--crl-warn-days N\` (default **${DEFAULT_CRL_WARN_DAYS}**`);
  });
});

describe('the CRL lines under the table', () => {
  test('one line per CRL, each once by its own file with (+N) for the bundle that holds a copy; 120 columns', async () => {
    const { stdout } = await inspectAt(SIGNED)(['--dir', dir, '--quiet']);
    const section = stdout.slice(stdout.indexOf('\nCRL ') + 1).trimEnd().split('\n');
    expect(section.map((l) => l.split(/\s{2,}/))).toEqual([
      ['CRL', 'ISSUER', 'NEXT UPDATE', 'DAYS LEFT', 'REVOKED', 'SIGNATURE'],
      ['ca/ca.crl.pem (+1)', 'Acme Corp Root CA', expect.stringMatching(/^\d{4}-\d\d-\d\d$/), '29', '0', 'ok'],
      ['ca/issuing/issuing-ca.crl.pem (+1)', 'Acme Corp Issuing CA 1', expect.any(String), '29', '2', 'ok'],
    ]);
    expect(Math.max(...stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(TABLE_WIDTH);
  });

  test('--wide lists each revoked serial under its CRL, with its date and reason; --all every copy', async () => {
    const wide = (await inspectAt(SIGNED)(['--dir', dir, '--quiet', '--wide'])).stdout;
    expect(wide).toContain(`ca/issuing/issuing-ca.crl.pem (+1)  Acme Corp Issuing CA 1`);
    expect(wide).toContain(`\n  revoked ${revokedSerials[0]}  2026-11-30T12:00:00.000Z  keyCompromise\n  revoked ${revokedSerials[1]}  2026-11-30T12:00:00.000Z  cessationOfOperation\n`);
    const all = (await inspectAt(SIGNED)(['--dir', dir, '--quiet', '--all'])).stdout;
    expect(all).toMatch(/\ncerts\/server\/crl\.pem#1 +Acme Corp Issuing CA 1 /);
  });

  test('a directory without CRLs prints no CRL lines', async () => {
    const copy = await copyWith((file) => ['ca/ca.crl.pem', 'ca/issuing/issuing-ca.crl.pem', 'certs/server/crl.pem'].forEach((f) => fs.rmSync(file(f))));
    const result = await inspectAt(SIGNED)(['--dir', copy, '--quiet']);
    expect(result).toMatchObject({ code: ExitCode.OK, stderr: '' });
    expect(result.stdout).not.toContain('\nCRL ');
  });
});

describe('an encrypted private key', () => {
  test('shows as encrypted in the KEY column and keyEncrypted in --json, and is no problem', async () => {
    const copy = await copyWith((file) => {
      const key = run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-aes-256-cbc', '-pass', 'pass:secret']).stdout;
      fs.writeFileSync(file('certs/edge-1/private.key'), key, { mode: 0o600 });
    });
    const table = await inspectAt(SIGNED)(['--dir', copy, '--quiet']);
    expect(table.stdout).toMatch(/\ncerts\/edge-1\/cert\.pem +edge-1 +Acme Corp Issuing CA 1 +\S+ +\d+ +RSA 2048, encrypted +ok\n/);
    const { report, code } = await json(copy);
    expect(code).toBe(ExitCode.OK);
    expect(report.certificates.find((c: any) => c.label === 'certs/edge-1/cert.pem').keyEncrypted).toBe(true);
    expect(report.certificates.find((c: any) => c.label === 'ca/ca.crt').keyEncrypted).toBe(false);
  });
});
