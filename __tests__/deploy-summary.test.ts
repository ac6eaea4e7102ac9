import { createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChariotPki, PkiInventory } from '../lib';
import { CertificateChange } from '../app/certificate-change';
import { CertificateReview } from '../app/plan-review';
import { damagedPemFiles, snapshot } from '../app/certificates-on-disk';
import { summarize } from '../app/deploy-summary';
import { formatStart, formatSummary } from '../app/deploy-summary-text';

/** The plan's review as the deploy hands it to the summary: what the engine was to do to each certificate. */
const reviewOf = (planned: Map<string, CertificateChange>) => [...planned].map(([construct, action]) => ({ construct, action }) as CertificateReview);
import { Pkcs12Outcome } from '../app/pkcs12';
import { TestKey, certificatePem, rsaKey } from './helpers/certificates';
import { synth } from './helpers/synth';

const DAY_MS = 24 * 3600 * 1000;
/** Whole seconds, as certificates keep their dates: 700 days ahead is 700 days left. */
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
const inDays = (days: number) => new Date(NOW.getTime() + days * DAY_MS);

/** The hierarchy of a server and one client, written to a fresh directory. */
function setUp(): { dir: string; inventory: PkiInventory } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-summary-'));
  let inventory: PkiInventory | undefined;
  synth((scope) => {
    inventory = PkiInventory.of(new ChariotPki(scope, 'pki', { outputDirectory: dir, server: { dnsNames: ['chariot.example.com'] }, engineClients: ['engine-a'] }));
  });
  return { dir, inventory: inventory! };
}

/** Writes a certificate at `file` under `dir` (issuer and chain do not matter to the summary). */
function writeCert(dir: string, file: string, commonName: string, key: TestKey, notAfter: Date): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), certificatePem({ commonName, key, notAfter }));
}

/** The hierarchy's certificate files: path, common name, days to expiry. */
const FILES: [string, string, number][] = [
  ['ca/ca.crt', 'Root CA', 3650],
  ['ca/server/server-ca.crt', 'Server CA', 1825],
  ['ca/engine/engine-ca.crt', 'Engine CA', 1825],
  ['ca/transmission/transmission-ca.crt', 'Transmission CA', 1825],
  ['certs/server/server.crt', 'chariot.example.com', 730],
  ['certs/engine/engine-a/cert.pem', 'engine-a', 700],
];

/** A fresh directory with every certificate of FILES written. */
function deployed(): { dir: string; inventory: PkiInventory } {
  const fresh = setUp();
  for (const [file, cn, days] of FILES) writeCert(fresh.dir, file, cn, rsaKey(), inDays(days));
  return fresh;
}

describe('deploy summary', () => {
  const { dir, inventory } = setUp();
  const keys = new Map(FILES.map(([file]) => [file, rsaKey()]));
  const before = snapshot(inventory, dir);
  for (const [file, cn, days] of FILES) writeCert(dir, file, cn, keys.get(file)!, inDays(days));
  const first = summarize(inventory, dir, before, snapshot(inventory, dir));

  test('a first deploy created every certificate and key', () => {
    expect(before.size).toBe(0);
    expect(first.certificates.map((c) => c.change)).toEqual(Array(6).fill(CertificateChange.CREATED));
    expect(formatSummary(first, NOW)).toContain('  certificates   6 created; 0 unchanged\n  keys           6 created, 0 unchanged\n');
  });

  test('a new certificate for the same key outside its renewal window is re-issued, for a new key replaced; the rest unchanged', () => {
    const was = snapshot(inventory, dir);
    writeCert(dir, 'certs/server/server.crt', 'chariot.example.com', keys.get('certs/server/server.crt')!, inDays(731));
    writeCert(dir, 'certs/engine/engine-a/cert.pem', 'engine-a', rsaKey(), inDays(730));
    const next = summarize(inventory, dir, was, snapshot(inventory, dir));
    const changeOf = (cn: string) => next.certificates.find((c) => c.certificate.subject.commonName === cn)!.change;
    expect(changeOf('chariot.example.com')).toBe(CertificateChange.REISSUED);
    expect(changeOf('engine-a')).toBe(CertificateChange.REPLACED);
    expect(changeOf('Chariot TLS Root CA')).toBe(CertificateChange.UNCHANGED);
    const text = formatSummary(next, NOW);
    expect(text).toContain('  certificates   1 re-issued, 1 replaced; 4 unchanged\n  keys           1 created, 5 unchanged\n');
  });

  test('names the certificate that expires first, with its file and the days left', () => {
    const at = deployed();
    const text = formatSummary(summarize(at.inventory, at.dir, new Map(), snapshot(at.inventory, at.dir)), NOW);
    const client = snapshot(at.inventory, at.dir).get('test/pki/engine/engine-a')!.notAfter;
    expect(text).toContain(`  expires first  ${client.toISOString().slice(0, 10)}  engine-a (certs/engine/engine-a/cert.pem), in 700 days\n`);
  });

  test('the next renewal is the earliest expiry less its renewal window; the root (never renewed early) is left out', () => {
    const at = deployed();
    const summary = summarize(at.inventory, at.dir, new Map(), snapshot(at.inventory, at.dir));
    const client = summary.certificates.find((c) => c.file === 'certs/engine/engine-a/cert.pem')!;
    expect(client.renewableFrom!.getTime()).toBe(client.notAfter.getTime() - 60 * DAY_MS);
    expect(summary.certificates.find((c) => c.file === 'ca/ca.crt')!.renewableFrom).toBeUndefined();
    // The CAs are re-signed in their last year: 1825 - 365 days comes after the client's 700 - 60.
    expect(formatSummary(summary, NOW)).toMatch(
      new RegExp(`\n  next renewal   ${client.renewableFrom!.toISOString().slice(0, 10)}  engine-a \\(certs/engine/engine-a/cert\\.pem\\): a deploy on or after this date re-issues it$`),
    );
  });

  test('says where the files are, and counts PKCS#12 files when they are on', () => {
    const text = formatSummary({ ...first, pkcs12: [Pkcs12Outcome.CREATED, Pkcs12Outcome.UNCHANGED, Pkcs12Outcome.UNCHANGED] }, NOW);
    expect(text).toMatch(/^chariot-tls: deployed 6 certificates\n/);
    expect(text).toContain(`  files          ${dir} (each folder under certs/ has a README.txt: which file goes into which field)\n`);
    expect(text).toContain('  PKCS#12        1 created, 0 updated, 2 unchanged (mode 0600)\n');
    expect(formatSummary(first, NOW)).not.toContain('PKCS#12');
  });

  test('counts the trust stores apart: public files, mode 0644', () => {
    const text = formatSummary({ ...first, pkcs12: [Pkcs12Outcome.UNCHANGED], trustStores: [Pkcs12Outcome.UPDATED] }, NOW);
    expect(text).toContain('  PKCS#12        0 created, 0 updated, 1 unchanged (mode 0600)\n  trust stores   0 created, 1 updated, 0 unchanged (client-truststore.p12, mode 0644)\n');
    expect(formatSummary(first, NOW)).not.toContain('trust stores');
  });

  test('the start line counts what is about to be deployed', () => {
    expect(formatStart(inventory, dir)).toBe(`chariot-tls: deploying 1 root CA, 3 intermediate CAs, 1 server certificate, 1 client certificate into ${dir}; the engine reports each key and certificate as it goes`);
  });

  test('an encrypted key is whole when its structure is, without its password; cut short, it is damaged', () => {
    const at = deployed();
    const file = 'certs/server/server.key';
    const encrypted = String(createPrivateKey(rsaKey().privateKeyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'a client key password' }));
    fs.writeFileSync(path.join(at.dir, file), encrypted);
    expect(damagedPemFiles(at.inventory, at.dir)).toEqual([]);
    fs.writeFileSync(path.join(at.dir, file), encrypted.replace(/\n[A-Za-z0-9+/=]+\n-----END/, '\n-----END'));
    expect(damagedPemFiles(at.inventory, at.dir)).toEqual([file]);
  });

  test('a plain key is whole when it is one whole DER structure; a line of it lost, its END kept, it is damaged', () => {
    const at = deployed();
    const file = 'certs/server/server.key';
    const key = rsaKey().privateKeyPem;
    fs.writeFileSync(path.join(at.dir, file), key);
    expect(damagedPemFiles(at.inventory, at.dir)).toEqual([]);
    fs.writeFileSync(path.join(at.dir, file), key.replace(/\n[A-Za-z0-9+/=]+\n/, '\n'));
    expect(damagedPemFiles(at.inventory, at.dir)).toEqual([file]);
  });

  test('empty and cut-short certificates and keys do not stop the deploy: they are named, and restored by it (finding 3)', () => {
    const at = deployed();
    const files = ['ca/ca.crt', 'certs/server/server.crt', 'certs/server/server.key'];
    fs.writeFileSync(path.join(at.dir, files[2]), rsaKey().privateKeyPem);
    const whole = files.map((f) => fs.readFileSync(path.join(at.dir, f), 'utf8'));
    const before = snapshot(at.inventory, at.dir);
    // A full disk: one file empty, two cut short.
    fs.writeFileSync(path.join(at.dir, files[0]), whole[0].slice(0, 300));
    fs.writeFileSync(path.join(at.dir, files[1]), '');
    fs.writeFileSync(path.join(at.dir, files[2]), whole[2].slice(0, 200));
    const damagedBefore = snapshot(at.inventory, at.dir);
    const damaged = damagedPemFiles(at.inventory, at.dir);
    expect(damaged).toEqual(files);
    expect(damagedBefore.size).toBe(before.size - 2);

    // The deploy writes them again, as they were.
    files.forEach((f, i) => fs.writeFileSync(path.join(at.dir, f), whole[i]));
    const summary = summarize(at.inventory, at.dir, damagedBefore, snapshot(at.inventory, at.dir), { damaged });
    expect(summary.certificates.filter((c) => c.change === CertificateChange.RESTORED).map((c) => c.file)).toEqual(files.slice(0, 2));
    const text = formatSummary(summary, NOW);
    expect(text).toContain('  certificates   2 restored; 4 unchanged\n  keys           0 created, 6 unchanged\n');
    expect(text).toContain(`  restored       3 files that were empty or cut short, written again: ${files.join(', ')}\n`);
  });

  test("a PKI whose files another PKI wrote over is told so: files rewritten from its state, no key created", () => {
    const at = deployed();
    const ours = snapshot(at.inventory, at.dir);
    // Another configuration's deploy (or a copy) put its own certificates in this PKI's folder.
    for (const [file, cn, days] of FILES) writeCert(at.dir, file, cn, rsaKey(), inDays(days));
    const foreign = snapshot(at.inventory, at.dir);
    // The engine plans no new key or certificate: it writes this PKI's files again from the state.
    const planned = new Map([...ours.keys()].map((p) => [p.split('/').slice(1).join('/'), CertificateChange.FILES_REWRITTEN]));
    const summary = summarize(at.inventory, at.dir, foreign, ours, { review: reviewOf(planned) });
    expect(summary.certificates.map((c) => [c.change, c.wasForeign])).toEqual(Array(6).fill([CertificateChange.FILES_REWRITTEN, true]));
    const text = formatSummary(summary, NOW);
    expect(text).toContain('  certificates   6 with files rewritten; 0 unchanged\n  keys           0 created, 6 unchanged\n');
    expect(text).toMatch(/ {2}overwritten +6 certificate files \(ca\/ca\.crt, .*\) held another PKI's certificates, not this one's: written again from this PKI's state, no key created/);
  });

  test('a certificate the plan signs again is still renewed or re-keyed, with the plan beside it', () => {
    const at = deployed();
    const was = snapshot(at.inventory, at.dir);
    writeCert(at.dir, 'certs/engine/engine-a/cert.pem', 'engine-a', rsaKey(), inDays(730));
    const planned = new Map([['pki/engine/engine-a', CertificateChange.REPLACED]]);
    const summary = summarize(at.inventory, at.dir, was, snapshot(at.inventory, at.dir), { review: reviewOf(planned) });
    expect(summary.certificates.find((c) => c.file === 'certs/engine/engine-a/cert.pem')).toMatchObject({ change: CertificateChange.REPLACED, wasForeign: false });
  });
});

describe('the deploy names each change as the plan does', () => {
  const { dir, inventory } = setUp();
  const keys = new Map(FILES.map(([file]) => [file, rsaKey()]));
  for (const [file, cn, days] of FILES) writeCert(dir, file, cn, keys.get(file)!, inDays(days));
  const server = (s: ReturnType<typeof summarize>) => s.certificates.find((c) => c.file === 'certs/server/server.crt')!.change;
  const review = (action: CertificateChange, construct = 'pki/server'): CertificateReview => ({
    construct, id: path.posix.basename(construct), isCa: false, action, reasons: [], files: [], identityChanges: [],
  });

  test('a certificate re-signed for its key inside its renewal window is renewed', () => {
    const was = snapshot(inventory, dir);
    writeCert(dir, 'certs/server/server.crt', 'chariot.example.com', keys.get('certs/server/server.crt')!, inDays(731));
    // 730 days left, 60 days of early renewal: due from 670 days on.
    expect(server(summarize(inventory, dir, was, snapshot(inventory, dir), { now: inDays(701) }))).toBe(CertificateChange.RENEWED);
    expect(server(summarize(inventory, dir, was, snapshot(inventory, dir), { now: inDays(1) }))).toBe(CertificateChange.REISSUED);
  });

  test("the plan's word wins: re-issued (a SAN changed) even inside the renewal window", () => {
    const was = snapshot(inventory, dir);
    writeCert(dir, 'certs/server/server.crt', 'chariot.example.com', keys.get('certs/server/server.crt')!, inDays(732));
    const summary = summarize(inventory, dir, was, snapshot(inventory, dir), { now: inDays(701), review: [review(CertificateChange.REISSUED)] });
    expect(server(summary)).toBe(CertificateChange.REISSUED);
  });

  test('destroyed certificates are counted, with their keys, and are a change', () => {
    const now = snapshot(inventory, dir);
    const summary = summarize(inventory, dir, now, now, { review: [review(CertificateChange.DESTROYED, 'pki/engine/engine-b'), review(CertificateChange.UNCHANGED)] });
    const text = formatSummary(summary, NOW);
    expect(summary.destroyed).toEqual(['pki/engine/engine-b']);
    expect(text).toMatch(/^chariot-tls: deployed 6 certificates\n/);
    expect(text).toContain('  certificates   1 destroyed; 6 unchanged\n  keys           0 created, 1 destroyed, 6 unchanged\n');
  });

  test('a certificate that stays while its files change has its files rewritten', () => {
    const now = snapshot(inventory, dir);
    const summary = summarize(inventory, dir, now, now, { changedFiles: new Set(['certs/engine/engine-a/ca.pem']) });
    expect(summary.certificates.find((c) => c.file === 'certs/engine/engine-a/cert.pem')!.change).toBe(CertificateChange.FILES_REWRITTEN);
    expect(formatSummary(summary, NOW)).toContain('  certificates   1 with files rewritten; 5 unchanged\n');
  });

  test('one restored file is "1 file that was"', () => {
    const now = snapshot(inventory, dir);
    expect(formatSummary({ ...summarize(inventory, dir, now, now), restored: ['ca/ca.crt'] }, NOW)).toContain('  restored       1 file that was empty or cut short, written again: ca/ca.crt\n');
  });

  test('the hand-outs come last, numbered', () => {
    const now = snapshot(inventory, dir);
    const text = formatSummary({ ...summarize(inventory, dir, now, now, { changedFiles: new Set(['certs/engine/engine-a/ca.pem']) }), handOuts: ['1. give ca.pem ...'] }, NOW);
    expect(text.split('\n').slice(-2)).toEqual(["chariot-tls: hand out the changed files, in this order (each folder's README.txt says which field takes which file):", '  1. give ca.pem ...']);
  });
});
