import { X509Certificate } from 'node:crypto';
import { ChainResult, RootCertificate, checkChain, findRoots, unique } from './inspect-chain';
import type { InspectedCrl } from './inspect-crls';
import { CertificateFile, EncryptedKey, FileProblem, FileProblemKind } from './inspect-files';
import { commonName, distinguishedName, keyText, siteOf } from './inspect-names';

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Exit codes of `npm run inspect`. When several apply, the first in this order wins: INCOMPLETE, FILES, KEYS,
 * CHAIN, SERVED, EXPIRING.
 */
export enum ExitCode {
  /** Every certificate was read and chains to a root; none expires within `--warn-days`; every CRL is signed by its CA and none is due. */
  OK = 0,
  /** Bad arguments, or nothing to inspect, or no connection (`--connect`). */
  ERROR = 1,
  /**
   * A certificate expires within `--warn-days` days, or has expired; or (with `--warn-days` or `--crl-warn-days`) a
   * CRL's nextUpdate is within `--crl-warn-days` days, or has passed.
   */
  EXPIRING = 2,
  /** The directory holds the files of a deploy that has not finished (`DEPLOY-INCOMPLETE`). */
  INCOMPLETE = 3,
  /**
   * A certificate does not chain to a root (`ca/ca.crt`, `ca/ca-gN.crt`), or a served chain not to the trust bundle;
   * or a CRL is not signed by a CA certificate under the directory (none of its issuer's name, or a bad signature).
   */
  CHAIN = 4,
  /** A certificate or CRL file is empty, cut short or unreadable, or a link leads nowhere. */
  FILES = 5,
  /** A private key is readable by other users, or does not belong to its certificate. */
  KEYS = 6,
  /**
   * `--connect`: the server presents a certificate or CA that is in no file, a chain without its intermediate or to
   * another root, or a certificate not valid for the name clients use (app/inspect-served.ts).
   */
  SERVED = 7,
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
  /**
   * Its private key file beside it is encrypted (`encryptedClientKeys`): checked for its mode, but without the
   * password not against the certificate.
   */
  readonly keyEncrypted: boolean;
  /** SHA-256 of the DER, as `AB:CD:...`. */
  readonly fingerprint256: string;
  readonly isCa: boolean;
  readonly chain: ChainResult;
  /**
   * The site it belongs to, from its folder: a client of `certs/transmission/SITE/NAME/` or a CA of
   * `ca/transmission/SITE/` (docs/operate.md, "Sites"); `undefined` elsewhere.
   */
  readonly site?: string;
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
  /** Files that cannot be trusted as they are (app/inspect-files.ts). */
  readonly problems: FileProblem[];
  /** Every CRL of every file; empty until `withCrls` (app/inspect-crls.ts) has read them. */
  readonly crls: InspectedCrl[];
}

/**
 * Describes each certificate and checks its chain (app/inspect-chain.ts): through the CA certificates found in
 * any of the files, up to a root, the first certificate of `ca/ca.crt` or of a `ca/ca-gN.crt` (or of each of
 * `rootFiles`, relative to the directory) when it is self-signed. Times are not part of the chain check; `daysLeft` and `expired` report them.
 * `encryptedKeys` (app/inspect-files.ts) mark the certificates whose key file is encrypted.
 */
export function inspect(directory: string, files: CertificateFile[], now: Date, problems: FileProblem[] = [], rootFiles?: readonly string[], encryptedKeys: readonly EncryptedKey[] = []): Inspection {
  const roots = findRoots(files, rootFiles);
  const cas = unique(files.flatMap((f) => f.certificates).filter((c) => c.ca));
  // A site CA is also in the servers' client-ca.pem: every copy of a certificate gets the site of its site folder.
  const sites = new Map(files.flatMap((f) => f.certificates.flatMap((cert) => {
    const site = siteOf(f.file, cert.ca);
    return site === undefined ? [] : [[cert.fingerprint256, site] as const];
  })));
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
        keyEncrypted: encryptedKeys.some((k) => k.certificate === f.file),
        fingerprint256: cert.fingerprint256,
        isCa: cert.ca,
        chain: checkChain(cert, roots, cas),
        site: sites.get(cert.fingerprint256),
      };
    }),
  );
  return { directory, checkedAt: now, root: roots[0]?.certificate, roots, certificates, problems, crls: [] };
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
  return groupCopies(certificates).map(({ first, copies }) => ({ certificate: first, copies }));
}

/** What is found in files, once or in several: a certificate, a CRL. */
interface Copy {
  readonly label: string;
  /** How many of its kind its file holds: 1 in a file of its own. */
  readonly count: number;
  readonly fingerprint256: string;
}

/** Groups by fingerprint, each group led by its copy in a file of its own where there is one, sorted by that label. */
export function groupCopies<T extends Copy>(items: T[]): { first: T; copies: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const c of items) groups.set(c.fingerprint256, [...(groups.get(c.fingerprint256) ?? []), c]);
  return [...groups.values()]
    .map((copies) => ({ first: copies.find((c) => c.count === 1) ?? copies[0], copies }))
    .sort((a, b) => byText(a.first.label, b.first.label));
}

/**
 * The exit code for what was found, {@link ExitCode}'s order deciding between several. `expiring` counts the
 * certificates and the CRLs that are due.
 */
export function exitCodeOf(found: { incomplete: boolean; inspection: Inspection; expiring: number; served?: boolean }): ExitCode {
  const kinds = new Set(found.inspection.problems.map((p) => p.kind));
  if (found.incomplete) return ExitCode.INCOMPLETE;
  if (kinds.has(FileProblemKind.FILE)) return ExitCode.FILES;
  if (kinds.has(FileProblemKind.KEY)) return ExitCode.KEYS;
  if (found.inspection.certificates.some((c) => !c.chain.verified)) return ExitCode.CHAIN;
  if (found.inspection.crls.some((c) => !c.signature.verified)) return ExitCode.CHAIN;
  if (found.served === false) return ExitCode.SERVED;
  return found.expiring > 0 ? ExitCode.EXPIRING : ExitCode.OK;
}

export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
