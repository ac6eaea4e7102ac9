import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INCOMPLETE_MARKER } from './incomplete-marker';

/** The root of generation 1, relative to the directory inspected. */
export const ROOT_FILE = 'ca/ca.crt';
/** The root files the PKI writes: `ca/ca.crt` (generation 1) and `ca/ca-gN.crt` (generation N, after a root rotation). */
const ROOT_FILE_PATTERN = /^ca\/ca(?:-g([1-9]\d*))?\.crt$/;
/** Why no chain can be verified when there is no root. */
export const NO_ROOT = `neither ${ROOT_FILE} nor a ca/ca-gN.crt holds a self-signed certificate`;
/** Files that may hold certificates; keys (`*.key`) are never read. */
const CERTIFICATE_FILE = /\.(crt|pem|cer)$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Longer chains than this are not followed (ours have three certificates). */
const MAX_CHAIN_LENGTH = 8;

/** Exit codes of `npm run inspect`. */
export enum ExitCode {
  /** Every certificate was read; none expires within `--warn-days`. */
  OK = 0,
  /** Bad arguments, or nothing to inspect. */
  ERROR = 1,
  /** A certificate expires within `--warn-days` days, or has expired. */
  EXPIRING = 2,
  /** The directory holds the files of a deploy that has not finished (`DEPLOY-INCOMPLETE`). */
  INCOMPLETE = 3,
}

/** The certificates of one file, in file order. */
export interface CertificateFile {
  /** Path relative to the directory inspected, `/`-separated. */
  readonly file: string;
  readonly certificates: X509Certificate[];
}

/** Whether a certificate chains to one of the roots (`ca/ca.crt`, `ca/ca-gN.crt`). */
export interface ChainResult {
  readonly verified: boolean;
  /** Common names from the certificate up to the root it reaches, when verified. */
  readonly path: string[];
  /** Why it does not verify, when it does not. */
  readonly problem?: string;
}

/** One certificate as found on disk. */
export interface InspectedCertificate {
  /** Its file, with `#N` when the file is a bundle (N counts from 1). */
  readonly label: string;
  readonly file: string;
  /** Position in its file, from 1. */
  readonly index: number;
  /** How many certificates its file holds. */
  readonly count: number;
  /** The subject, most specific first: `CN=localhost, O=Acme`. */
  readonly subject: string;
  readonly subjectCommonName: string;
  readonly issuer: string;
  readonly issuerCommonName: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Whole days until it expires, rounded down: negative once expired. */
  readonly daysLeft: number;
  readonly expired: boolean;
  /** `RSA 2048`, `ECDSA P-256`, ... */
  readonly key: string;
  /** SHA-256 of the DER, as `AB:CD:...`. */
  readonly fingerprint256: string;
  readonly isCa: boolean;
  readonly chain: ChainResult;
}

/** A trust anchor: the self-signed certificate of a root file. */
export interface RootCertificate {
  /** `ca/ca.crt` or `ca/ca-gN.crt`. */
  readonly file: string;
  /** The root's generation: 1 for `ca/ca.crt`, N for `ca/ca-gN.crt`. */
  readonly generation: number;
  readonly certificate: X509Certificate;
}

/** What `inspect` found in one directory. */
export interface Inspection {
  readonly directory: string;
  readonly checkedAt: Date;
  /** The newest generation's root (the current one), if any root file holds a self-signed certificate. */
  readonly root?: X509Certificate;
  /**
   * Every root the chains are checked against, newest generation first: during a root rotation both the
   * old and the new root are trust anchors, and after it (`ca/ca.crt` destroyed) the new one alone.
   */
  readonly roots: RootCertificate[];
  readonly certificates: InspectedCertificate[];
}

/**
 * Reads every certificate under `dir`, from files ending in `.crt`, `.pem` or `.cer`, sorted by path.
 * Only `CERTIFICATE` PEM blocks are parsed: a key that happens to sit in a `.pem` file is ignored.
 */
export function readCertificateFiles(dir: string): CertificateFile[] {
  const files = (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => CERTIFICATE_FILE.test(f) && fs.statSync(path.join(dir, f)).isFile())
    .sort(byText);
  return files
    .map((file) => ({ file, certificates: parsePem(fs.readFileSync(path.join(dir, file), 'utf8')) }))
    .filter((f) => f.certificates.length > 0);
}

/** The certificates of a PEM text, in order. */
export function parsePem(pem: string): X509Certificate[] {
  return (pem.match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block));
}

/**
 * Describes each certificate and checks its chain: signature by signature, through the CA certificates
 * found in any of the files, up to a root: the first certificate of `ca/ca.crt` or of a `ca/ca-gN.crt`,
 * when it is self-signed. The newest generation is tried first. Times are not part of the chain check;
 * `daysLeft` and `expired` report them.
 */
export function inspect(directory: string, files: CertificateFile[], now: Date): Inspection {
  const roots = findRoots(files);
  const cas = unique(files.flatMap((f) => f.certificates).filter((c) => c.ca));
  const certificates = files.flatMap((f) =>
    f.certificates.map((cert, i) => {
      const notAfter = new Date(cert.validTo);
      const msLeft = notAfter.getTime() - now.getTime();
      return {
        label: f.certificates.length > 1 ? `${f.file}#${i + 1}` : f.file,
        file: f.file,
        index: i + 1,
        count: f.certificates.length,
        subject: distinguishedName(cert.subject),
        subjectCommonName: commonName(cert.subject),
        issuer: distinguishedName(cert.issuer),
        issuerCommonName: commonName(cert.issuer),
        serialNumber: cert.serialNumber,
        notBefore: new Date(cert.validFrom),
        notAfter,
        daysLeft: Math.floor(msLeft / DAY_MS),
        expired: msLeft <= 0,
        key: keyText(cert),
        fingerprint256: cert.fingerprint256,
        isCa: cert.ca,
        chain: checkChain(cert, roots, cas),
      };
    }),
  );
  return { directory, checkedAt: now, root: roots[0]?.certificate, roots, certificates };
}

/** How {@link inspectDirectory} prints. */
export interface InspectOptions {
  /** Print JSON instead of a table: every certificate of every file. */
  readonly json?: boolean;
  /** List every certificate of every file in the table, bundles included. */
  readonly all?: boolean;
  /** Exit {@link ExitCode.EXPIRING} when a certificate expires within this many days (or has expired). */
  readonly warnDays?: number;
}

/** Where {@link inspectDirectory} prints. */
export interface InspectOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The first line, saying what is read (not printed with `json`). */
  readonly using?: string;
  /** Prints a line unless the user asked for quiet. */
  readonly say: (text: string) => void;
  /** How to name another directory, for the errors: `--dir DIR`, or `DIR`. */
  readonly dirArgument: string;
  /** What deploys, for the errors: `npm run deploy`, `cdktf deploy`. */
  readonly deployCommand: string;
}

/**
 * Inspects the certificates deployed under `dir` and prints them (a table, or JSON): refuses the files of an
 * unfinished deploy (`DEPLOY-INCOMPLETE`), names the certificates that expire within `warnDays`. Returns the exit code.
 */
export function inspectDirectory(dir: string, options: InspectOptions, out: InspectOutput, now: Date): ExitCode {
  const error = (text: string) => out.stderr(`inspect: ${text}\n`);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    error(`${dir} is not a directory; deploy first (${out.deployCommand}) or name one with ${out.dirArgument}`);
    return ExitCode.ERROR;
  }
  const marker = path.join(dir, INCOMPLETE_MARKER);
  if (fs.existsSync(marker)) {
    out.stderr(`inspect: ${dir} holds the files of a deploy that has not finished; they may be a mix of old and new. ${marker} says:\n\n${fs.readFileSync(marker, 'utf8')}`);
    return ExitCode.INCOMPLETE;
  }
  const files = readCertificateFiles(dir);
  if (files.length === 0) {
    error(`no certificates under ${dir} (no .crt, .pem or .cer file holds one); deploy first or check ${out.dirArgument}`);
    return ExitCode.ERROR;
  }

  const inspection = inspect(dir, files, now);
  if (options.json) {
    out.stdout(`${JSON.stringify(toJson(inspection, options.warnDays), null, 2)}\n`);
  } else {
    if (out.using) out.say(out.using);
    out.stdout(formatTable(inspection, options.all));
  }
  if (!inspection.root) error(`warning: no root under ${dir}: ${NO_ROOT}, so no chain can be verified`);
  if (options.warnDays === undefined) return ExitCode.OK;
  const expiring = distinctCertificates(expiringWithin(inspection, options.warnDays));
  for (const { certificate: c, copies } of expiring) {
    const when = c.expired ? `expired ${c.notAfter.toISOString()}` : `expires ${c.notAfter.toISOString()} (${c.daysLeft} days left)`;
    error(`${c.subject} ${when}, within ${options.warnDays} days: ${copies.map((copy) => copy.label).join(', ')}`);
  }
  return expiring.length > 0 ? ExitCode.EXPIRING : ExitCode.OK;
}

/** The self-signed first certificates of the root files, newest generation first. */
function findRoots(files: CertificateFile[]): RootCertificate[] {
  return files
    .flatMap((f) => {
      const match = ROOT_FILE_PATTERN.exec(f.file);
      const certificate = f.certificates[0];
      return match && isSelfSigned(certificate) ? [{ file: f.file, generation: Number(match[1] ?? 1), certificate }] : [];
    })
    .sort((a, b) => b.generation - a.generation);
}

/** The certificates that expire within `days` days of `checkedAt` (or have expired), soonest first. */
export function expiringWithin(inspection: Inspection, days: number): InspectedCertificate[] {
  const limit = inspection.checkedAt.getTime() + days * DAY_MS;
  return inspection.certificates.filter((c) => c.notAfter.getTime() <= limit).sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime());
}

/** One certificate and every place it was found, its own file (if any) first. */
export interface DistinctCertificate {
  readonly certificate: InspectedCertificate;
  /** Every occurrence, the one in `certificate` included. */
  readonly copies: InspectedCertificate[];
}

/**
 * Groups the certificates by fingerprint. Each is represented by its occurrence in a file of its own
 * (`server.crt` rather than `fullchain.pem#1`) where there is one; the groups keep file order.
 */
export function distinctCertificates(certificates: InspectedCertificate[]): DistinctCertificate[] {
  const groups = new Map<string, InspectedCertificate[]>();
  for (const c of certificates) groups.set(c.fingerprint256, [...(groups.get(c.fingerprint256) ?? []), c]);
  return [...groups.values()]
    .map((copies) => ({ certificate: copies.find((c) => c.count === 1) ?? copies[0], copies }))
    .sort((a, b) => byText(a.certificate.label, b.certificate.label));
}

/**
 * A table for people, columns aligned: one row per distinct certificate, named by its own file with
 * `(+N)` when N other files hold a copy (bundles); with `all`, one row per certificate in every file.
 */
export function formatTable(inspection: Inspection, all = false): string {
  const header = ['FILE', 'SUBJECT', 'ISSUER', 'NOT AFTER', 'DAYS LEFT', 'KEY', 'SHA-256 FINGERPRINT', 'CHAIN'];
  const shown = all
    ? inspection.certificates.map((c) => ({ c, file: c.label }))
    : distinctCertificates(inspection.certificates).map(({ certificate: c, copies }) => ({ c, file: copies.length > 1 ? `${c.label} (+${copies.length - 1})` : c.label }));
  const rows = shown.map(({ c, file }) => [
    file,
    c.subjectCommonName || c.subject,
    c.issuerCommonName || c.issuer,
    c.notAfter.toISOString().slice(0, 10),
    c.expired ? `${c.daysLeft} EXPIRED` : String(c.daysLeft),
    c.key,
    c.fingerprint256,
    c.chain.verified ? 'ok' : `FAIL: ${c.chain.problem}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  return `${[header, ...rows].map(line).join('\n')}\n`;
}

/**
 * The inspection for machines. `root` is the newest generation's root (null when there is none), `roots`
 * every root, newest first, each as `{ file, generation, subject, fingerprint256 }`.
 */
export function toJson(inspection: Inspection, warnDays?: number): unknown {
  const expiring = warnDays === undefined ? [] : expiringWithin(inspection, warnDays);
  const roots = inspection.roots.map((r) => ({
    file: r.file, generation: r.generation, subject: distinguishedName(r.certificate.subject), fingerprint256: r.certificate.fingerprint256,
  }));
  return {
    directory: inspection.directory,
    checkedAt: inspection.checkedAt.toISOString(),
    root: roots[0] ?? null,
    roots,
    warnDays: warnDays ?? null,
    expiring: expiring.map((c) => c.label),
    certificates: inspection.certificates.map((c) => ({
      ...c,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      chain: { verified: c.chain.verified, path: c.chain.path, problem: c.chain.problem ?? null },
    })),
  };
}

function checkChain(cert: X509Certificate, roots: RootCertificate[], cas: X509Certificate[]): ChainResult {
  if (roots.length === 0) return { verified: false, path: [], problem: `no root: ${NO_ROOT}` };
  for (const root of roots) {
    const found = pathToRoot(cert, root.certificate, cas, 0);
    if (found) return { verified: true, path: found.map((c) => commonName(c.subject) || distinguishedName(c.subject)) };
  }
  const where = roots.length === 1 ? `the root in ${roots[0].file}` : `a root in ${roots.map((r) => r.file).join(', ')}`;
  return { verified: false, path: [], problem: `no signature path to ${where}` };
}

/** The certificates from `cert` up to `root` (self-signed, checked by `findRoots`), each signed by the next, or undefined. */
function pathToRoot(cert: X509Certificate, root: X509Certificate, cas: X509Certificate[], depth: number): X509Certificate[] | undefined {
  if (cert.fingerprint256 === root.fingerprint256) return [root];
  if (depth >= MAX_CHAIN_LENGTH) return undefined;
  for (const ca of cas) {
    if (ca.fingerprint256 === cert.fingerprint256 || !cert.checkIssued(ca) || !cert.verify(ca.publicKey)) continue;
    const rest = pathToRoot(ca, root, cas, depth + 1);
    if (rest) return [cert, ...rest];
  }
  return undefined;
}

function isSelfSigned(cert: X509Certificate | undefined): cert is X509Certificate {
  return cert !== undefined && cert.checkIssued(cert) && cert.verify(cert.publicKey);
}

/** One certificate per fingerprint, first seen first. */
function unique(certs: X509Certificate[]): X509Certificate[] {
  const seen = new Map<string, X509Certificate>();
  for (const c of certs) if (!seen.has(c.fingerprint256)) seen.set(c.fingerprint256, c);
  return [...seen.values()];
}

/** Node's `C=US\nO=Acme\nCN=x` (certificate order) as `CN=x, O=Acme, C=US` (most specific first). */
function distinguishedName(text: string): string {
  return text.split('\n').filter(Boolean).reverse().join(', ');
}

function commonName(text: string): string {
  return /^CN=(.*)$/m.exec(text)?.[1] ?? '';
}

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

function keyText(cert: X509Certificate): string {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return `RSA ${details.modulusLength}`;
    case 'ec':
      return `ECDSA ${CURVES[details.namedCurve ?? ''] ?? details.namedCurve}`;
    default:
      return (key.asymmetricKeyType ?? 'unknown').toUpperCase();
  }
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
