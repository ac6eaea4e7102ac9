import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChariotPki, FileKind, ICertificateAuthority, RootCa } from '../lib';
import { CaKeySource, stateResources } from './ca-keys';
import { CrlEntry, CrlFacts, certificateIds, isSignedBy, readCrl, signCrl } from './crl';
import { writeAtomically } from './atomic-file';
import { pemCertificates } from './pem';
import { CLIENT_PKCS12_FILE } from './pkcs12';
import { CrlPolicy, REVOCATION_REASON_CODES, RevocationError, RevokedClient } from './revocation-config';
import { REVOCATION_RECORD_FILE, RevokedCertificate, readRevocationRecord, writeRevocationRecord } from './revocation-record';

/** The client groups of a `ChariotPki`: the OU of a client's subject and its folder under `certs/`. */
const CLIENT_KINDS = ['engine', 'transmission'];
/** thisUpdate is a minute in the past, so a device whose clock is a little behind accepts a CRL just signed. */
const BACKDATE_MS = 60_000;
/** The name of the CRL bundle in the server's folder: the CRLs of every CA the server trusts. */
export const SERVER_CRL_FILE = 'crl.pem';
/** A CA's certificate file ends so (`server-ca.crt`); its CRL beside it ends in {@link CRL_SUFFIX}. */
const CA_CERT_SUFFIX = '.crt';
const CRL_SUFFIX = '.crl.pem';

/**
 * Before the engine plans (and destroys a revoked client's key and certificate): records in the revocation record
 * (`pki-revocations.json` in `recordDirectory`, committed) the serial, issuer and reason of every certificate a
 * revoked client still has in the state. Reads the state only when a revoked client may still have one (its
 * `cert.pem` is there, or the record does not know the name yet), and then asks `readState` for those names. Throws
 * a {@link RevocationError}, recording nothing, when a revoked name has no certificate in the state and none in the record. Returns what it added.
 */
export async function recordRevocations(
  revoked: RevokedClient[],
  recordDirectory: string,
  outputDirectory: string,
  readState: (names: string[]) => Promise<any>,
  now: Date,
): Promise<RevokedCertificate[]> {
  const record = readRevocationRecord(recordDirectory);
  const hasCertFile = (name: string) => clientFolders(outputDirectory, name).some((folder) => fs.existsSync(path.join(folder, 'cert.pem')));
  const toCheck = revoked.filter((r) => hasCertFile(r.name) || !record.some((e) => e.name === r.name));
  if (toCheck.length === 0) return [];

  const issued = clientCertificates(await readState(toCheck.map((r) => r.name)));
  const added: RevokedCertificate[] = [];
  const unknown: string[] = [];
  for (const { name, reason } of toCheck) {
    const current = issued.filter((c) => c.commonName === name);
    if (current.length === 0 && !record.some((e) => e.name === name)) unknown.push(name);
    for (const cert of current.filter((c) => !record.some((e) => e.serial === c.serial && e.authorityKeyId === c.authorityKeyId))) {
      added.push({
        name,
        kind: cert.organizationalUnit,
        serial: cert.serial,
        issuer: cert.issuer,
        authorityKeyId: cert.authorityKeyId,
        revokedAt: now.toISOString().replace(/\.\d+Z$/, 'Z'),
        reason,
      });
    }
  }
  if (unknown.length > 0) {
    throw new RevocationError(unknown.map((name) =>
      `revoked "${name}": no client of that name has a certificate in the state, and ${REVOCATION_RECORD_FILE} has no entry for it. `
      + `Check the name (an Engine or Transmission client), or restore ${REVOCATION_RECORD_FILE} from version control. Nothing was changed.`).join('\n'));
  }
  if (added.length > 0) writeRevocationRecord(recordDirectory, [...record, ...added]);
  return added;
}

/**
 * After the engine has removed a revoked client's key, certificate and README: removes what the deploy itself wrote
 * there (its PKCS#12 file, which holds the key), then the folder when nothing else is left in it. Returns the files removed.
 */
export function removeRevokedClientFiles(revoked: RevokedClient[], outputDirectory: string): string[] {
  const removed: string[] = [];
  for (const folder of revoked.flatMap((r) => clientFolders(outputDirectory, r.name))) {
    const p12 = path.join(folder, CLIENT_PKCS12_FILE);
    if (fs.existsSync(p12)) {
      fs.rmSync(p12);
      removed.push(p12);
    }
    if (fs.existsSync(folder) && fs.readdirSync(folder).length === 0) fs.rmdirSync(folder);
  }
  return removed;
}

/**
 * Every folder a client of this name may have: `certs/engine/NAME`, `certs/transmission/NAME`, and
 * `certs/transmission/SITE/NAME` in each site's folder (a revoked client is no longer in the configuration, so
 * its site is not known). Folders reached through a symbolic link are not looked into.
 */
function clientFolders(outputDirectory: string, name: string): string[] {
  const transmission = path.join(outputDirectory, 'certs', 'transmission');
  const siteFolders = fs.existsSync(transmission)
    ? fs.readdirSync(transmission, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(transmission, d.name, name))
    : [];
  return [...CLIENT_KINDS.map((kind) => path.join(outputDirectory, 'certs', kind, name)), ...siteFolders];
}

/** The Engine and Transmission client certificates in a `show -json` state. */
function clientCertificates(state: any) {
  return stateResources(state)
    .filter((r) => r.type === 'tls_locally_signed_cert' && typeof r.values?.cert_pem === 'string' && r.values.is_ca_certificate !== true)
    .map((r) => certificateIds(r.values.cert_pem))
    .filter((c) => CLIENT_KINDS.includes(c.organizationalUnit));
}

/** What a deploy did with one CRL file. */
export interface CrlOutcome {
  /** The CRL file (absolute). */
  readonly file: string;
  /** Signed now, or left as it was (fresh, and listing what it must). */
  readonly signed: boolean;
  /** How many serials it lists. */
  readonly revokedCount: number;
  readonly nextUpdate: Date;
  /** Serials the old CRL listed and the record does not: kept (a revocation is final), and worth a look. */
  readonly keptFromOldCrl: number;
  /**
   * Due to be signed, but the CA key is offline (an unplugged root key file): the old CRL, if any, was left as it
   * was, and `nextUpdate` is its own (the epoch when there is none).
   */
  readonly keyOffline?: boolean;
}

/** What {@link publishCrls} works with. */
export interface CrlPublication {
  readonly pki: ChariotPki;
  readonly record: RevokedCertificate[];
  readonly policy: CrlPolicy;
  readonly keys: CaKeySource;
  readonly now: Date;
}

/**
 * After the engine has applied: gives every CA a CRL beside its certificate (`server-ca.crl.pem` beside
 * `server-ca.crt`), empty ones included, and the server `certs/server/crl.pem` with the CRLs of every CA it trusts.
 * A CRL is signed again (the CA key from `keys`, in memory only) when it is missing, lists other serials than the
 * record says, was signed by another key, has a lifetime other than the policy's (`rootValidityHours` for a Root CA's), or is within
 * `earlyRenewalHours` of its nextUpdate; otherwise it is left alone, and so is the key. A CRL due while its CA's key
 * is offline is left as it is (`keyOffline`), and the deploy says until when it stays valid.
 */
export async function publishCrls(publication: CrlPublication): Promise<CrlOutcome[]> {
  const outcomes: CrlOutcome[] = [];
  const crls = new Map<string, string>();
  for (const ca of publication.pki.certificateAuthorities) {
    const certFile = (ca as { certFile?: string }).certFile;
    if (certFile === undefined || !fs.existsSync(certFile)) continue;
    const caPem = fs.readFileSync(certFile, 'utf8');
    const outcome = await publishCrl(ca, caPem, crlFileOf(certFile), publication);
    outcomes.push(outcome);
    if (fs.existsSync(outcome.file)) crls.set(fingerprint(caPem), fs.readFileSync(outcome.file, 'utf8'));
  }
  removeOrphanCrls(publication.pki.outputDirectory);
  const clientCa = publication.pki.server?.filePath(FileKind.CLIENT_CA);
  if (clientCa !== undefined && fs.existsSync(clientCa)) {
    const trusted = pemCertificates(fs.readFileSync(clientCa, 'utf8')).map(fingerprint);
    writePublic(serverCrlFile(publication.pki)!, trusted.map((f) => crls.get(f) ?? '').join(''));
  }
  return outcomes;
}

/** The server's `crl.pem` beside its `client-ca.pem`: the CRLs of every CA it trusts; undefined without a server. */
export function serverCrlFile(pki: ChariotPki): string | undefined {
  const clientCa = pki.server?.filePath(FileKind.CLIENT_CA);
  return clientCa && path.join(path.dirname(clientCa), SERVER_CRL_FILE);
}

/** A retired CA generation's certificate is destroyed by the engine; its CRL, which nobody would sign again, goes too. */
function removeOrphanCrls(outputDirectory: string): void {
  const caDir = path.join(outputDirectory, 'ca');
  if (!fs.existsSync(caDir)) return;
  for (const file of fs.readdirSync(caDir, { recursive: true }) as string[]) {
    const crl = path.join(caDir, file);
    if (crl.endsWith(CRL_SUFFIX) && !fs.existsSync(crl.slice(0, -CRL_SUFFIX.length) + CA_CERT_SUFFIX)) fs.rmSync(crl);
  }
}

/** A CA certificate's CRL: beside it, `.crt` replaced by `.crl.pem`. */
export function crlFileOf(caCertFile: string): string {
  return (caCertFile.endsWith(CA_CERT_SUFFIX) ? caCertFile.slice(0, -CA_CERT_SUFFIX.length) : caCertFile) + CRL_SUFFIX;
}

async function publishCrl(ca: ICertificateAuthority, caPem: string, file: string, publication: CrlPublication): Promise<CrlOutcome> {
  const { policy, now } = publication;
  const ids = certificateIds(caPem);
  const listed = publication.record.filter((e) => (ids.subjectKeyId ? e.authorityKeyId === ids.subjectKeyId : e.issuer === ids.subject));
  const existing = fs.existsSync(file) ? readCrl(fs.readFileSync(file, 'utf8')) : undefined;
  const ours = existing !== undefined && (await isSignedBy(existing.pem, caPem)) ? existing : undefined;
  // A serial an earlier CRL of this CA listed stays listed, even when the record lost it.
  const kept = (ours?.entries ?? []).filter((e) => !listed.some((r) => r.serial === e.serial));
  const entries: CrlEntry[] = [
    ...listed.map((r) => ({ serial: r.serial, revokedAt: new Date(r.revokedAt), reasonCode: REVOCATION_REASON_CODES[r.reason] })),
    ...kept,
  ].sort((a, b) => a.serial.localeCompare(b.serial));

  const validityHours = ca instanceof RootCa ? policy.rootValidityHours : policy.validityHours;
  if (ours !== undefined && isFresh(ours, entries, validityHours, policy.earlyRenewalHours, now)) {
    return { file, signed: false, revokedCount: entries.length, nextUpdate: ours.nextUpdate, keptFromOldCrl: kept.length };
  }
  const key = await publication.keys.privateKeyPem(ca);
  if (key === undefined) {
    return { file, signed: false, revokedCount: ours?.entries.length ?? 0, nextUpdate: ours?.nextUpdate ?? new Date(0), keptFromOldCrl: 0, keyOffline: true };
  }
  const nextUpdate = new Date(now.getTime() + validityHours * 3_600_000);
  const pem = await signCrl(caPem, key, {
    entries,
    thisUpdate: new Date(now.getTime() - BACKDATE_MS),
    nextUpdate,
    // Seconds since 1970: grows with time even if the old CRL is lost, and past the old one's number in any case.
    crlNumber: Math.max(Math.floor(now.getTime() / 1000), (existing?.crlNumber ?? 0) + 1),
  });
  writePublic(file, pem);
  return { file, signed: true, revokedCount: entries.length, nextUpdate, keptFromOldCrl: kept.length };
}

/** The CRL lists exactly these serials, has the lifetime configured for its CA, and is not yet due to be signed again. */
function isFresh(crl: CrlFacts, entries: CrlEntry[], validityHours: number, earlyRenewalHours: number, now: Date): boolean {
  const serials = (list: CrlEntry[]) => list.map((e) => e.serial).sort().join(',');
  const lifetimeMs = crl.nextUpdate.getTime() - crl.thisUpdate.getTime() - BACKDATE_MS;
  return serials(crl.entries) === serials(entries)
    && Math.abs(lifetimeMs - validityHours * 3_600_000) < BACKDATE_MS
    && crl.nextUpdate.getTime() - now.getTime() > earlyRenewalHours * 3_600_000;
}

function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** Writes a public file (0644) atomically (app/atomic-file.ts): a broker never reads half a CRL. Unchanged content is left alone. */
function writePublic(file: string, content: string): void {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) return;
  writeAtomically(file, content, 0o644);
}
