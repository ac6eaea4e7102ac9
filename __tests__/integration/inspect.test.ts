import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
    const [context, ...lines] = result.stdout.trimEnd().split('\n');
    expect(context).toMatch(/^chariot-tls inspect: configuration .*, output .*pki$/);
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
