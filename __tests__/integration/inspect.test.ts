import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { inspectAt } from '../helpers/inspect-cli';
import { Deployment, PROJECT } from './helpers/deployment';
import { RunResult, run } from './helpers/run';

jest.setTimeout(20 * 60_000);

const SERVER = { dnsNames: ['localhost', 'chariot.local'], ipAddresses: ['127.0.0.1'] };
const CONFIG = { organization: 'Inspect Test', server: SERVER, engineClients: ['engine'], transmissionClients: ['edge-1', 'edge-2'] };
/** What `openssl x509 -ext` prints for the inventory's RFC 5280 names. */
const OPENSSL_USAGE: Record<string, string> = {
  keyCertSign: 'Certificate Sign', cRLSign: 'CRL Sign', digitalSignature: 'Digital Signature', keyEncipherment: 'Key Encipherment',
  serverAuth: 'TLS Web Server Authentication', clientAuth: 'TLS Web Client Authentication',
};

let pki: Deployment;
let inventory: any;

beforeAll(() => {
  pki = Deployment.create(CONFIG);
  pki.deploy();
  inventory = JSON.parse(fs.readFileSync(path.join(pki.dir, 'pki-inventory.json'), 'utf8'));
});

afterAll(() => fs.rmSync(pki.dir, { recursive: true, force: true }));

/** `npm run inspect` for this deployment's configuration. */
function inspectCli(...args: string[]): RunResult {
  return run('npm', ['run', '--silent', 'inspect', '--', ...args], {
    cwd: PROJECT,
    env: { ...process.env, CHARIOT_TLS_CONFIG: pki.configFile },
    allowFailure: true,
  });
}

describe('the inventory a deploy writes next to the configuration', () => {
  test('is there, in both forms, and names the output directory', () => {
    expect(fs.readFileSync(path.join(pki.dir, 'pki-inventory.md'), 'utf8')).toMatch(/^# PKI inventory\n[^]*File paths are relative to the output directory, `pki`\./);
    expect(inventory.outputDirectory).toBe('pki');
  });

  test('lists exactly the files the engine wrote (the CRLs, signed after it, the .gitignore and PKI-OWNER.json are documented in docs/operate.md)', () => {
    const listed = inventory.certificates.flatMap((c: any) => c.files.map((f: any) => f.path)).sort();
    expect(listed).toEqual(pki.files().filter((f) => !f.endsWith('crl.pem') && f !== '.gitignore' && f !== 'PKI-OWNER.json'));
  });

  test('marks as secret exactly the files written mode 0600', () => {
    for (const file of inventory.certificates.flatMap((c: any) => c.files)) {
      const mode = fs.statSync(pki.file(file.path)).mode & 0o777;
      expect([file.path, file.secret]).toEqual([file.path, mode === 0o600]);
    }
  });

  test('matches every certificate as signed: subject, issuer, names, key, usages, CA and path length, validity', () => {
    for (const c of inventory.certificates) {
      const certFile = c.files.find((f: any) => f.kind === 'cert').path;
      const cert = new X509Certificate(pki.read(certFile));
      const ext = run('openssl', ['x509', '-noout', '-in', pki.file(certFile), '-ext', 'keyUsage,extendedKeyUsage,basicConstraints']).stdout;
      const sans = [...c.dnsNames.map((n: string) => `DNS:${n}`), ...c.ipAddresses.map((a: string) => `IP Address:${a}`)].join(', ');
      const issuerSubject = c.issuer === null ? c.subjectText : inventory.certificates.find((i: any) => i.constructPath === c.issuer.constructPath).subjectText;
      const hours = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 3_600_000;
      expect({
        file: certFile,
        subject: cert.subject.split('\n').reverse().join(', '),
        issuer: cert.issuer.split('\n').reverse().join(', '),
        sans: cert.subjectAltName ?? '',
        rsaBits: cert.publicKey.asymmetricKeyDetails?.modulusLength,
        keyUsage: ext.match(/Key Usage: critical\n\s+(.+)\n/)?.[1],
        extendedKeyUsage: ext.match(/Extended Key Usage: ?(?:critical)?\n\s+(.+)\n/)?.[1] ?? '',
        basicConstraints: ext.match(/Basic Constraints: critical\n\s+(.+)\n/)?.[1],
        hours,
      }).toEqual({
        file: certFile,
        subject: c.subjectText,
        issuer: issuerSubject,
        sans,
        rsaBits: c.key.rsaBits,
        keyUsage: c.keyUsages.map((u: string) => OPENSSL_USAGE[u]).join(', '),
        extendedKeyUsage: c.extendedKeyUsages.map((u: string) => OPENSSL_USAGE[u]).join(', '),
        basicConstraints: c.isCa ? `CA:TRUE${c.maxPathLength === null ? '' : `, pathlen:${c.maxPathLength}`}` : 'CA:FALSE',
        hours: c.validityPeriodHours,
      });
    }
  });
});

describe('npm run inspect on the deployed files', () => {
  test('reads the configured output directory and finds every certificate chaining to the root', () => {
    const result = inspectCli('--wide');
    expect(result.status).toBe(0);
    // The certificate table, then the CRL lines after a blank line.
    const [context, ...lines] = result.stdout.split('\n\n')[0].split('\n');
    expect(context).toMatch(/^chariot-tls inspect: configuration .*, output .*pki, PKI of state local:.*terraform\.tfstate \(configuration .*chariot-tls\.json\)$/);
    expect(lines[0]).toMatch(/^FILE +SUBJECT +ISSUER +NOT AFTER +DAYS LEFT +KEY +SHA-256 FINGERPRINT +CHAIN$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/)[0])).toEqual([
      'ca/ca.crt (+6)',
      'ca/engine/engine-ca.crt (+1)',
      'ca/server/server-ca.crt (+5)',
      'ca/transmission/transmission-ca.crt (+1)',
      'certs/engine/engine/cert.pem',
      'certs/server/server.crt (+1)',
      'certs/transmission/edge-1/cert.pem',
      'certs/transmission/edge-2/cert.pem',
    ]);
    expect(lines.slice(1).every((l) => l.endsWith('  ok'))).toBe(true);
    expect(result.stdout).toContain(pki.fingerprint('certs/server/server.crt'));
  });

  test('--json: every certificate of every file, fingerprints as deployed, all verified, none expired', () => {
    const json = JSON.parse(inspectCli('--json').stdout);
    expect(json.directory).toBe(path.join(pki.dir, 'pki'));
    expect(json.certificates).toHaveLength(4 + 1 + 2 + 3 + 3 + 3 * (1 + 2));
    expect(json.certificates.filter((c: any) => !c.chain.verified || c.expired)).toEqual([]);
    // Every private key the deploy wrote is 0600 and belongs to its certificate.
    expect(json).toMatchObject({ exitCode: 0, problems: [], chainFailures: [], deployIncomplete: null });
    const server = json.certificates.find((c: any) => c.label === 'certs/server/server.crt');
    expect(server).toMatchObject({
      fingerprint256: pki.fingerprint('certs/server/server.crt'),
      key: 'RSA 2048',
      subject: 'CN=localhost',
      chain: { verified: true, path: ['localhost', 'Inspect Test Server CA', 'Inspect Test Root CA'] },
    });
    expect(server.daysLeft).toBe(729);
  });

  test('--warn-days: 0 while no certificate is due, 2 naming the leaves once they are', () => {
    expect(inspectCli('--warn-days', '700')).toMatchObject({ status: 0, stderr: '' });
    const due = inspectCli('--dir', pki.file(''), '--warn-days', '730');
    expect(due.status).toBe(2);
    expect(due.stderr.split('\n').filter(Boolean).map((l) => l.replace(/ expires .*: /, ': '))).toEqual([
      'inspect: CN=engine, OU=engine, O=Inspect Test: certs/engine/engine/cert.pem',
      'inspect: CN=localhost: certs/server/fullchain.pem#1, certs/server/server.crt',
      'inspect: CN=edge-1, OU=transmission, O=Inspect Test: certs/transmission/edge-1/cert.pem',
      'inspect: CN=edge-2, OU=transmission, O=Inspect Test: certs/transmission/edge-2/cert.pem',
    ]);
  });
});

describe('a later deploy', () => {
  test('that changes one SAN changes one line of the markdown inventory, and inspect sees the new certificate', () => {
    const md = () => fs.readFileSync(path.join(pki.dir, 'pki-inventory.md'), 'utf8').split('\n');
    const before = md();
    const oldFingerprint = pki.fingerprint('certs/server/server.crt');
    pki.configure({ ...CONFIG, server: { ...SERVER, dnsNames: ['localhost', 'chariot.example.com'] } });
    pki.deploy();

    const after = md();
    expect(after).toHaveLength(before.length);
    expect(after.filter((line, i) => line !== before[i])).toEqual(['| Subject alternative names | DNS:localhost, DNS:chariot.example.com, IP:127.0.0.1 |']);
    const server = JSON.parse(inspectCli('--json').stdout).certificates.find((c: any) => c.label === 'certs/server/server.crt');
    expect(server.fingerprint256).not.toBe(oldFingerprint);
    expect(server.chain.verified).toBe(true);
  });
});

describe('the CRLs, after a deploy that revokes edge-2', () => {
  const REVOKED = { ...CONFIG, revoked: [{ name: 'edge-2', reason: 'keyCompromise' }] };
  const TRANSMISSION_CRL = 'ca/transmission/transmission-ca.crl.pem';
  let edge2Serial: string;
  let report: any;
  const scratch: string[] = [];
  beforeAll(() => {
    edge2Serial = JSON.parse(inspectCli('--json').stdout).certificates.find((c: any) => c.label === 'certs/transmission/edge-2/cert.pem').serialNumber;
    pki.configure(REVOKED);
    pki.deploy();
    report = JSON.parse(inspectCli('--json').stdout);
  });
  afterAll(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  test('--json lists edge-2\'s serial, as its certificate had it, with its reason, in the Transmission CA\'s CRL and the server\'s bundle; exit 0', () => {
    expect(report).toMatchObject({ exitCode: 0, crlFailures: [], problems: [] });
    const transmission = report.crls.find((c: any) => c.label === TRANSMISSION_CRL);
    expect(transmission).toMatchObject({
      issuerCommonName: 'Inspect Test Transmission CA',
      signature: { verified: true, signedBy: 'ca/transmission/transmission-ca.crt' },
      revoked: [{ serialNumber: edge2Serial, reason: 'keyCompromise' }],
      daysLeft: 29,
      expired: false,
    });
    const copy = report.crls.find((c: any) => c.file === 'certs/server/crl.pem' && c.fingerprint256 === transmission.fingerprint256);
    expect(copy.revoked).toEqual(transmission.revoked);
    // Every CA has its CRL, the server's bundle those of Engine, Transmission and Root; only edge-2 is revoked.
    expect(report.crls.map((c: any) => c.label).sort()).toEqual(['ca/ca.crl.pem', 'ca/engine/engine-ca.crl.pem', 'ca/server/server-ca.crl.pem', TRANSMISSION_CRL,
      'certs/server/crl.pem#1', 'certs/server/crl.pem#2', 'certs/server/crl.pem#3']);
    expect(report.crls.flatMap((c: any) => c.revoked.map((r: any) => r.serialNumber))).toEqual([edge2Serial, edge2Serial]);
  });

  test('the table has a line per CRL; --wide lists the revoked serial with its date and reason', () => {
    const table = inspectCli().stdout;
    expect(table).toMatch(/\nca\/transmission\/transmission-ca\.crl\.pem \(\+1\) +Inspect Test Transmission CA +\d{4}-\d\d-\d\d +29 +1 +ok\n/);
    const revokedAt = report.crls.find((c: any) => c.label === TRANSMISSION_CRL).revoked[0].revokedAt;
    expect(inspectCli('--wide').stdout).toContain(`\n  revoked ${edge2Serial}  ${revokedAt}  keyCompromise\n`);
  });

  test('--warn-days 45 as at 2 days before nextUpdate exits 2 naming each CRL; after nextUpdate it says the brokers refuse everyone', async () => {
    // The intermediates' CRLs live 30 days; the root's 180 (crl.rootValidityHours), so it is not due with them.
    const nextUpdate = new Date(report.crls.find((c: any) => c.label === TRANSMISSION_CRL).nextUpdate);
    const dir = pki.file('');
    const near = await inspectAt(new Date(nextUpdate.getTime() - 2 * 86_400_000))(['--dir', dir, '--warn-days', '45']);
    expect(near.code).toBe(2);
    expect(near.stderr).toMatch(/^inspect: the CRL of CN=Inspect Test Transmission CA, OU=CA, O=Inspect Test is due: nextUpdate \S+ \(\d days left\), within 5 days: ca\/transmission\/transmission-ca\.crl\.pem, certs\/server\/crl\.pem#2$/m);
    expect(near.stderr.split('\n').filter((l) => l.includes('is due')).map((l) => /CN=Inspect Test (\w+) CA/.exec(l)![1]).sort()).toEqual(['Engine', 'Server', 'Transmission']);
    const past = await inspectAt(new Date(nextUpdate.getTime() + 3_600_000))(['--dir', dir, '--warn-days', '45']);
    expect(past.code).toBe(2);
    expect(past.stderr).toContain('inspect: the CRL of CN=Inspect Test Transmission CA, OU=CA, O=Inspect Test has expired (nextUpdate ');
    expect(past.stderr).toContain('peers that check CRLs refuse every certificate this CA issued, and every chain through it, until npm run deploy signs it again: ca/transmission/transmission-ca.crl.pem, certs/server/crl.pem#2');
    expect(past.stderr).not.toContain('Inspect Test Root CA');
    // Today no CRL is within 5 days, so the cron line of the docs stays silent; a window as long as their life warns.
    expect(inspectCli('--warn-days', '45')).toMatchObject({ status: 0, stderr: '' });
    expect(inspectCli('--crl-warn-days', '30').status).toBe(2);
  });

  test('the server\'s crl.pem cut short exits 5, naming it', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-cut-'));
    scratch.push(copy);
    fs.cpSync(pki.file(''), copy, { recursive: true });
    const bundle = path.join(copy, 'certs/server/crl.pem');
    fs.writeFileSync(bundle, fs.readFileSync(bundle, 'utf8').slice(0, 1500));
    const result = inspectCli('--dir', copy, '--json');
    expect(result.status).toBe(5);
    expect(JSON.parse(result.stdout).problems).toEqual([{ file: 'certs/server/crl.pem', kind: 'file', problem: 'is cut short: a CRL has no END line; run `npm run deploy` to write it again' }]);
  });
});
