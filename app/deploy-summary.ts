import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileKind, InventoryCertificate, InventoryRole, PkiInventory } from '../lib';
import { CertificateChange } from './certificate-change';
import { inventoryFile } from './inventory';
import { Pkcs12Outcome } from './pkcs12';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/** One certificate as found on disk. */
export interface CertificateState {
  /** SHA-256 of the certificate. */
  readonly fingerprint256: string;
  /** SHA-256 of its public key (SubjectPublicKeyInfo, DER): the same key gives the same value. */
  readonly publicKey256: string;
  readonly notAfter: Date;
}

/** The certificates on disk, by construct path. */
export type Snapshot = Map<string, CertificateState>;

/** One certificate after the deploy. */
export interface SummarizedCertificate {
  readonly certificate: InventoryCertificate;
  /** Its certificate file, relative to the output directory. */
  readonly file: string;
  readonly change: CertificateChange;
  readonly notAfter: Date;
  /** From when a deploy re-issues it; none when it is not renewed early. */
  readonly renewableFrom?: Date;
}

/** What a deploy did, for the lines it prints at the end. */
export interface DeploySummary {
  readonly outputDirectory: string;
  readonly certificates: SummarizedCertificate[];
  /** PKCS#12 files by outcome, when PKCS#12 output is on. */
  readonly pkcs12?: Pkcs12Outcome[];
  /**
   * The PEM files that were empty or cut short before the deploy and are whole again, relative.
   * @default - none
   */
  readonly restored?: string[];
  /** The log of the engine's full output, when there is one. */
  readonly logFile?: string;
}

/** The certificate file of each inventoried certificate that writes one, absolute. */
function certFiles(inventory: PkiInventory, outputDirectory: string): [InventoryCertificate, string][] {
  return inventory.certificates.flatMap((c): [InventoryCertificate, string][] => {
    const cert = inventoryFile(c, FileKind.CERT, outputDirectory);
    return cert ? [[c, cert]] : [];
  });
}

/**
 * Reads the certificates the inventory names from disk; those not there yet, and those that cannot be read
 * (empty or cut short: {@link damagedPemFiles} names them), are left out.
 */
export function snapshot(inventory: PkiInventory, outputDirectory: string): Snapshot {
  const found: Snapshot = new Map();
  for (const [c, file] of certFiles(inventory, outputDirectory)) {
    const cert = readCertificate(file);
    if (cert === undefined) continue;
    const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
    found.set(c.constructPath, {
      fingerprint256: cert.fingerprint256,
      publicKey256: createHash('sha256').update(spki).digest('hex'),
      notAfter: new Date(cert.validTo),
    });
  }
  return found;
}

/** The certificate in a PEM file, or undefined when there is none or it cannot be read. */
function readCertificate(file: string): X509Certificate | undefined {
  try {
    return new X509Certificate(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

/**
 * The PEM files (certificates, bundles, keys) the inventory names that are on disk but empty or cut short:
 * a block that does not end, or one that does not parse. Relative to the output directory, sorted.
 */
export function damagedPemFiles(inventory: PkiInventory, outputDirectory: string): string[] {
  const files = new Set(inventory.certificates.flatMap((c) => c.files.map((f) => f.path)).filter((f) => /\.(crt|pem|key)$/.test(f)));
  return [...files].filter((f) => {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(outputDirectory, f), 'utf8');
    } catch {
      return false;
    }
    return !isWholePem(text);
  }).sort();
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

/** At least one PEM block, nothing cut after the last, and each block readable as what it says it is. */
function isWholePem(text: string): boolean {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0 || text.slice(blocks[blocks.length - 1].index! + blocks[blocks.length - 1][0].length).trim() !== '') return false;
  return blocks.every(([block, label]) => {
    try {
      if (label === 'CERTIFICATE') new X509Certificate(block);
      else if (label.endsWith('PRIVATE KEY')) createPrivateKey(block);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Compares the certificates before and after a deploy; `damaged` ({@link damagedPemFiles} before the deploy)
 * names the files that were empty or cut short, whose certificates are restored rather than created.
 */
export function summarize(inventory: PkiInventory, outputDirectory: string, before: Snapshot, after: Snapshot, damaged: string[] = []): DeploySummary {
  const certificates = certFiles(inventory, outputDirectory).flatMap(([c, file]) => {
    const now = after.get(c.constructPath);
    if (now === undefined) return [];
    const relative = path.relative(outputDirectory, file).split(path.sep).join('/');
    const was = before.get(c.constructPath);
    return [{
      certificate: c,
      file: relative,
      change: was === undefined && damaged.includes(relative) ? CertificateChange.RESTORED : changeOf(was, now),
      notAfter: now.notAfter,
      renewableFrom: c.earlyRenewalHours > 0 ? new Date(now.notAfter.getTime() - c.earlyRenewalHours * HOUR_MS) : undefined,
    }];
  });
  const restored = damaged.filter((f) => !damagedPemFiles(inventory, outputDirectory).includes(f));
  return { outputDirectory, certificates, restored };
}

function changeOf(was: CertificateState | undefined, now: CertificateState): CertificateChange {
  if (was === undefined) return CertificateChange.CREATED;
  if (was.fingerprint256 === now.fingerprint256) return CertificateChange.UNCHANGED;
  return was.publicKey256 === now.publicKey256 ? CertificateChange.RENEWED : CertificateChange.REKEYED;
}

/** The line printed before the engine starts: what is about to be deployed, and where. */
export function formatStart(inventory: PkiInventory, outputDirectory: string): string {
  const count = (role: InventoryRole) => inventory.certificates.filter((c) => c.role === role).length;
  const parts = [
    plural(count(InventoryRole.ROOT_CA), 'root CA'),
    plural(count(InventoryRole.INTERMEDIATE_CA), 'intermediate CA'),
    plural(count(InventoryRole.SERVER), 'server certificate'),
    plural(count(InventoryRole.CLIENT), 'client certificate'),
  ];
  return `chariot-tls: deploying ${parts.join(', ')} into ${outputDirectory}; the engine reports each key and certificate as it goes`;
}

/** The summary printed after a successful deploy. */
export function formatSummary(summary: DeploySummary, now: Date): string {
  const certs = summary.certificates;
  const count = (change: CertificateChange) => certs.filter((c) => c.change === change).length;
  const first = [...certs].sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())[0];
  const next = certs.filter((c) => c.renewableFrom).sort((a, b) => a.renewableFrom!.getTime() - b.renewableFrom!.getTime())[0];
  const log = summary.logFile ? [['engine log', summary.logFile] as [string, string]] : [];
  if (count(CertificateChange.UNCHANGED) === certs.length && !summary.pkcs12?.some((o) => o !== Pkcs12Outcome.UNCHANGED)) {
    // Nothing changed: what a weekly job mails, so a line or two.
    const when = [first && `expires first ${dateText(first.notAfter)} ${describe(first)}`, next && `next renewal ${dateText(next.renewableFrom!)}`].filter(Boolean);
    return [`chariot-tls: no change: ${plural(certs.length, 'certificate')} up to date in ${summary.outputDirectory}`, ...when.length ? [`  ${when.join('; ')}`] : [], ...log.map(([l, t]) => `  ${l}: ${t}`)].join('\n');
  }
  const newKeys = count(CertificateChange.CREATED) + count(CertificateChange.REKEYED);
  // Shown only when there are some, so that the usual line stays as it was.
  const restoredCerts = count(CertificateChange.RESTORED) > 0 ? `, ${count(CertificateChange.RESTORED)} restored` : '';
  const lines: [string, string][] = [
    ['certificates', `${count(CertificateChange.CREATED)} created, ${count(CertificateChange.RENEWED)} renewed, ${count(CertificateChange.REKEYED)} re-keyed${restoredCerts}, ${count(CertificateChange.UNCHANGED)} unchanged`],
    ['keys', `${newKeys} created, ${certs.length - newKeys} unchanged`],
  ];
  const restored = summary.restored ?? [];
  if (restored.length > 0) lines.push(['restored', `${plural(restored.length, 'file')} that were empty or cut short, written again: ${restored.join(', ')}`]);
  if (summary.pkcs12) {
    const p12 = (o: Pkcs12Outcome) => summary.pkcs12!.filter((x) => x === o).length;
    lines.push(['PKCS#12', `${p12(Pkcs12Outcome.CREATED)} created, ${p12(Pkcs12Outcome.UPDATED)} updated, ${p12(Pkcs12Outcome.UNCHANGED)} unchanged (mode 0600)`]);
  }
  lines.push(['files', `${summary.outputDirectory} (each folder under certs/ has a README.txt: which file goes into which field)`]);
  if (first) lines.push(['expires first', `${dateText(first.notAfter)}  ${describe(first)}, in ${daysUntil(first.notAfter, now)} days`]);
  if (next) lines.push(['next renewal', `${dateText(next.renewableFrom!)}  ${describe(next)}: a deploy on or after this date re-issues it`]);
  lines.push(...log);
  const width = Math.max(...lines.map(([label]) => label.length));
  return [`chariot-tls: deployed ${plural(certs.length, 'certificate')}`, ...lines.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`)].join('\n');
}

function describe(c: SummarizedCertificate): string {
  return `${c.certificate.subject.commonName} (${c.file})`;
}

function dateText(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function daysUntil(date: Date, now: Date): number {
  return Math.floor((date.getTime() - now.getTime()) / DAY_MS);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
