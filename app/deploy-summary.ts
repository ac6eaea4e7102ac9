import { X509Certificate, createHash } from 'node:crypto';
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
}

/** The certificate file of each inventoried certificate that writes one, absolute. */
function certFiles(inventory: PkiInventory, outputDirectory: string): [InventoryCertificate, string][] {
  return inventory.certificates.flatMap((c): [InventoryCertificate, string][] => {
    const cert = inventoryFile(c, FileKind.CERT, outputDirectory);
    return cert ? [[c, cert]] : [];
  });
}

/** Reads the certificates the inventory names from disk; those not there yet are left out. */
export function snapshot(inventory: PkiInventory, outputDirectory: string): Snapshot {
  const found: Snapshot = new Map();
  for (const [c, file] of certFiles(inventory, outputDirectory)) {
    if (!fs.existsSync(file)) continue;
    const cert = new X509Certificate(fs.readFileSync(file));
    const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
    found.set(c.constructPath, {
      fingerprint256: cert.fingerprint256,
      publicKey256: createHash('sha256').update(spki).digest('hex'),
      notAfter: new Date(cert.validTo),
    });
  }
  return found;
}

/** Compares the certificates before and after a deploy. */
export function summarize(inventory: PkiInventory, outputDirectory: string, before: Snapshot, after: Snapshot): DeploySummary {
  const certificates = certFiles(inventory, outputDirectory).flatMap(([c, file]) => {
    const now = after.get(c.constructPath);
    if (now === undefined) return [];
    return [{
      certificate: c,
      file: path.relative(outputDirectory, file).split(path.sep).join('/'),
      change: changeOf(before.get(c.constructPath), now),
      notAfter: now.notAfter,
      renewableFrom: c.earlyRenewalHours > 0 ? new Date(now.notAfter.getTime() - c.earlyRenewalHours * HOUR_MS) : undefined,
    }];
  });
  return { outputDirectory, certificates };
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
  const newKeys = count(CertificateChange.CREATED) + count(CertificateChange.REKEYED);
  const lines: [string, string][] = [
    ['certificates', `${count(CertificateChange.CREATED)} created, ${count(CertificateChange.RENEWED)} renewed, ${count(CertificateChange.REKEYED)} re-keyed, ${count(CertificateChange.UNCHANGED)} unchanged`],
    ['keys', `${newKeys} created, ${certs.length - newKeys} unchanged`],
  ];
  if (summary.pkcs12) {
    const p12 = (o: Pkcs12Outcome) => summary.pkcs12!.filter((x) => x === o).length;
    lines.push(['PKCS#12', `${p12(Pkcs12Outcome.CREATED)} created, ${p12(Pkcs12Outcome.UPDATED)} updated, ${p12(Pkcs12Outcome.UNCHANGED)} unchanged (mode 0600)`]);
  }
  lines.push(['files', `${summary.outputDirectory} (each folder under certs/ has a README.txt: which file goes into which field)`]);
  const first = [...certs].sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())[0];
  if (first) lines.push(['expires first', `${dateText(first.notAfter)}  ${describe(first)}, in ${daysUntil(first.notAfter, now)} days`]);
  const next = certs.filter((c) => c.renewableFrom).sort((a, b) => a.renewableFrom!.getTime() - b.renewableFrom!.getTime())[0];
  if (next) lines.push(['next renewal', `${dateText(next.renewableFrom!)}  ${describe(next)}: a deploy on or after this date re-issues it`]);
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
