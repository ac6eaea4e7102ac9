import { createHash } from 'node:crypto';
import { crlSigner, reasonName } from './crl';
import { DAY_MS, Inspection, distinctCertificates, groupCopies } from './inspect';
import { CertificateFile, CrlFile } from './inspect-files';

/**
 * The `--crl-warn-days` that `--warn-days` brings along. A deploy signs a CRL again when less than 14 days are left
 * (`crl.earlyRenewalHours`, app/revocation-config.ts), so with the weekly deploys the docs advise a CRL has 7 days or
 * more left when it is signed again; 5 leaves two days for a late run, and five days to deploy (docs/operate.md, "npm run inspect").
 */
export const DEFAULT_CRL_WARN_DAYS = 5;

/** One revoked serial, as a CRL lists it. */
export interface RevokedSerial {
  /** Upper-case hex, as the certificates' `serialNumber`. */
  readonly serialNumber: string;
  readonly revokedAt: Date;
  /** The RFC 5280 reason (`keyCompromise`); `unspecified` when the entry gives none. */
  readonly reason: string;
}

/** Whether a CRL was signed by a CA certificate found under the directory. */
export interface CrlSignature {
  readonly verified: boolean;
  /** The file of the CA certificate whose key signed it (its own file, not a bundle), when verified. */
  readonly signedBy?: string;
  /** Why it does not verify, when it does not. */
  readonly problem?: string;
}

/** One CRL as found on disk. */
export interface InspectedCrl {
  /** Its file, with `#N` when the file is a bundle (N counts from 1). */
  readonly label: string;
  readonly file: string;
  /** Position in its file, from 1. */
  readonly index: number;
  /** How many CRLs its file holds. */
  readonly count: number;
  /** The issuer, most specific first: `CN=Acme Transmission CA, OU=CA, O=Acme`. */
  readonly issuer: string;
  readonly issuerCommonName: string;
  readonly crlNumber: number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** Whole days until nextUpdate, rounded down: negative once it has passed. */
  readonly daysLeft: number;
  /** nextUpdate has passed: peers that check CRLs refuse every certificate of its CA. */
  readonly expired: boolean;
  readonly revoked: RevokedSerial[];
  readonly signature: CrlSignature;
  /** SHA-256 of the PEM's DER, as `AB:CD:...`: the same CRL in two files has the same. */
  readonly fingerprint256: string;
}

/**
 * The inspection with its CRLs: each CRL of `crlFiles` described, and its signature checked against the CA
 * certificates of `files` (those whose subject is the CRL's issuer, by their keys, with @peculiar/x509).
 */
export async function withCrls(inspection: Inspection, files: CertificateFile[], crlFiles: CrlFile[]): Promise<Inspection> {
  const cas = distinctCertificates(inspection.certificates).map((d) => d.certificate).filter((c) => c.isCa);
  const caPems = cas.map((c) => files.find((f) => f.file === c.file)!.certificates[c.index - 1].toString());
  const now = inspection.checkedAt.getTime();
  const crls: InspectedCrl[] = [];
  for (const { file, crls: inFile } of crlFiles) {
    for (const [i, crl] of inFile.entries()) {
      const msLeft = crl.nextUpdate.getTime() - now;
      crls.push({
        label: inFile.length > 1 ? `${file}#${i + 1}` : file,
        file,
        index: i + 1,
        count: inFile.length,
        issuer: crl.issuer,
        issuerCommonName: crl.issuerCommonName,
        crlNumber: crl.crlNumber,
        thisUpdate: crl.thisUpdate,
        nextUpdate: crl.nextUpdate,
        daysLeft: Math.floor(msLeft / DAY_MS),
        expired: msLeft <= 0,
        revoked: crl.entries.map((e) => ({ serialNumber: serialHex(e.serial), revokedAt: e.revokedAt, reason: reasonName(e.reasonCode) })),
        signature: signature(await crlSigner(crl.pem, caPems), cas.map((c) => c.label)),
        fingerprint256: fingerprint(crl.pem),
      });
    }
  }
  return { ...inspection, crls };
}

function signature(found: { signer?: number; namedIssuers: number[] }, caFiles: string[]): CrlSignature {
  if (found.signer !== undefined) return { verified: true, signedBy: caFiles[found.signer] };
  if (found.namedIssuers.length > 0) {
    return { verified: false, problem: `its signature does not verify with the key of ${found.namedIssuers.map((i) => caFiles[i]).join(' or ')} (its issuer), so it is forged or damaged; a deploy signs it again` };
  }
  return { verified: false, problem: 'no CA certificate under the directory has its issuer\'s name; add that CA\'s certificate, or remove the CRL' };
}

/** The CRLs whose nextUpdate is within `days` days of `checkedAt` (or has passed), each once, soonest first. */
export function crlsDueWithin(inspection: Inspection, days: number): { crl: InspectedCrl; copies: InspectedCrl[] }[] {
  const limit = inspection.checkedAt.getTime() + days * DAY_MS;
  return distinctCrls(inspection.crls.filter((c) => c.nextUpdate.getTime() <= limit)).sort((a, b) => a.crl.nextUpdate.getTime() - b.crl.nextUpdate.getTime());
}

/** Each CRL once, by its own file (`ca/ca.crl.pem` rather than `certs/server/crl.pem#3`), with every copy. */
export function distinctCrls(crls: InspectedCrl[]): { crl: InspectedCrl; copies: InspectedCrl[] }[] {
  return groupCopies(crls).map(({ first, copies }) => ({ crl: first, copies }));
}

/** A serial as Node prints a certificate's: upper-case hex in whole bytes (`0FAB12`), from our lower-case, unpadded form. */
function serialHex(serial: string): string {
  return (serial.length % 2 === 1 ? `0${serial}` : serial).toUpperCase();
}

function fingerprint(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}
