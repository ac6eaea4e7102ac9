import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Verbosity } from '../app/command-line';
import { LIST_LIMIT, PLAIN_PROGRESS_INTERVAL_MS, TerminalDisplay } from '../app/engine-display';
import { CertificateChange } from '../app/certificate-change';
import { CertificateReview } from '../app/plan-review';
import { formatSummary } from '../app/plan-summary';
import { EngineProgress, applySteps, resourceCount } from '../app/progress';

/** The engine's lines as OpenTofu prints them with -no-color. */
const REFRESH = (n: number) => Array.from({ length: n }, (_, i) => `tls_private_key.pki_c${i}_key_0A1B2C3D: Refreshing state... [id=ab${i}]\n`).join('');
const CREATED = (type: string, n: number) => Array.from({ length: n }, (_, i) => `${type}.pki_c${i}_x_0A1B2C3D: Creation complete after 0s [id=${i}]\n`).join('');

describe('the progress count', () => {
  test('while planning, counts the resources read back out of those declared', () => {
    const progress = new EngineProgress();
    progress.planning(resourceCount({ resource: { tls_private_key: { a: {}, b: {} }, local_file: { c: {} } } }));
    expect(progress.push(REFRESH(2))).toBe(true);
    expect(progress.text()).toBe('planning: 2/3 resources read');
  });

  test('while applying, counts keys, certificates and files finished; a replacement is two steps', () => {
    const progress = new EngineProgress();
    progress.applying(applySteps([
      { type: 'tls_private_key', actions: ['create'] },
      { type: 'tls_locally_signed_cert', actions: ['delete', 'create'] },
      { type: 'local_file', actions: ['update'] },
      { type: 'local_sensitive_file', actions: ['no-op'] },
    ]));
    progress.push(CREATED('tls_private_key', 1));
    progress.push('tls_locally_signed_cert.pki_s_cert_0A1B2C3D: Destruction complete after 0s\n');
    expect(progress.text()).toBe('applying: keys 1/1, certificates 1/2, files 0/1');
  });

  test('a line cut between two chunks is counted once it is whole; colours do not matter', () => {
    const progress = new EngineProgress();
    progress.planning(1);
    expect(progress.push('\x1b[1mtls_private_key.pki_a_key_0A1B2C3D: Refre')).toBe(false);
    expect(progress.push('shing state...\x1b[0m\n')).toBe(true);
    expect(progress.text()).toBe('planning: 1/1 resources read');
  });
});

describe('the terminal display', () => {
  let dir: string;
  let out: string;
  let err: string;
  let clock: number;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-display-'));
    out = '';
    err = '';
    clock = 0;
  });
  const display = (verbosity: Verbosity, isTTY: boolean) => new TerminalDisplay(path.join(dir, 'out', 'deploy.log'), verbosity, {
    stdout: (t) => (out += t), stderr: (t) => (err += t), isTTY, now: () => clock,
  });

  test("writes the engine's output to a log of mode 0600, and prints none of it by default", () => {
    const d = display(Verbosity.NORMAL, false);
    d.planning(5);
    d.log(REFRESH(5));
    d.live('the plan', 'stdout');
    d.close();
    expect(fs.readFileSync(d.logFile, 'utf8')).toBe(REFRESH(5));
    expect(fs.statSync(d.logFile).mode & 0o777).toBe(0o600);
    expect(out).toBe('');
  });

  test('a log from an earlier run, whatever its mode, is replaced by one of mode 0600', () => {
    fs.mkdirSync(path.join(dir, 'out'));
    fs.writeFileSync(path.join(dir, 'out', 'deploy.log'), 'old\n', { mode: 0o644 });
    const d = display(Verbosity.NORMAL, false);
    d.close();
    expect(fs.readFileSync(d.logFile, 'utf8')).toBe('');
    expect(fs.statSync(d.logFile).mode & 0o777).toBe(0o600);
  });

  test('not on a terminal: a plain progress line once a phase has run for the interval, none before', () => {
    const d = display(Verbosity.NORMAL, false);
    d.planning(10);
    d.log(REFRESH(3));
    expect(out).toBe('');
    clock += PLAIN_PROGRESS_INTERVAL_MS;
    d.log(REFRESH(1));
    clock += 1;
    d.log(REFRESH(1));
    expect(out).toBe('chariot-tls: planning: 4/10 resources read\n');
  });

  test('on a terminal: one line, rewritten in place and cleared before the summary', () => {
    const d = display(Verbosity.NORMAL, true);
    d.applying(new Map([['tls_private_key', 2]]));
    d.log(CREATED('tls_private_key', 1));
    clock += 1000;
    d.log(CREATED('tls_private_key', 1));
    d.summary('Certificates: 2 created; 0 unchanged.\n');
    expect(out).toBe('\r\x1b[Kchariot-tls: applying: keys 1/2\r\x1b[Kchariot-tls: applying: keys 2/2\r\x1b[KCertificates: 2 created; 0 unchanged.\n');
  });

  test("--verbose streams the engine's output as it comes, with no progress line", () => {
    const d = display(Verbosity.VERBOSE, true);
    d.planning(1);
    d.live('plan text\n', 'stdout');
    d.live('a warning\n', 'stderr');
    d.log(REFRESH(1));
    d.summary('Certificates: no change.\n');
    expect(out).toBe('plan text\n\nCertificates: no change.\n');
    expect(err).toBe('a warning\n');
    expect(d.listLimit).toBe(Infinity);
  });

  test('--quiet prints no progress, only the summary', () => {
    const d = display(Verbosity.QUIET, true);
    d.planning(1);
    d.log(REFRESH(1));
    d.summary('Certificates: no change.\n');
    expect(out).toBe('Certificates: no change.\n');
  });

  test("a failed apply shows the engine's own error text in every mode, once", () => {
    for (const verbosity of [Verbosity.QUIET, Verbosity.NORMAL]) {
      err = '';
      display(verbosity, false).applyFailed('Error: open pki/certs/server/server.key: permission denied\n');
      expect(err).toBe('Error: open pki/certs/server/server.key: permission denied\n');
    }
    err = '';
    const verbose = display(Verbosity.VERBOSE, false);
    verbose.live('Error: boom\n', 'stderr');
    verbose.applyFailed('Error: boom\n');
    expect(err).toBe('Error: boom\n');
  });
});

describe('the plan summary by default', () => {
  const review = (n: number): CertificateReview[] => Array.from({ length: n }, (_, i) => ({
    construct: `pki/transmission/edge-${i}`, id: `edge-${i}`, commonName: `edge-${i}`, isCa: false,
    action: CertificateChange.CREATED, reasons: ['new certificate'], files: ['cert.pem'], identityChanges: [],
  }));

  test(`lists ${LIST_LIMIT} changed certificates and counts the rest`, () => {
    const lines = formatSummary(review(LIST_LIMIT + 80), LIST_LIMIT).trimEnd().split('\n');
    expect(lines).toHaveLength(1 + LIST_LIMIT + 1);
    expect(lines[0]).toBe(`Certificates: ${LIST_LIMIT + 80} created; 0 unchanged.`);
    expect(lines[lines.length - 1]).toBe('  ... and 80 more: 80 created (--verbose lists every one)');
  });

  test('lists every one without a limit', () => {
    expect(formatSummary(review(LIST_LIMIT + 80)).trimEnd().split('\n')).toHaveLength(1 + LIST_LIMIT + 80);
  });
});
