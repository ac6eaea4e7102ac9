import { InspectedCrl, distinctCrls } from './inspect-crls';
import { alignedTable } from './inspect-columns';

/** How the CRL lines are drawn: as the certificate table is (app/inspect-report.ts). */
export interface CrlTableOptions {
  /** One line per CRL in every file, bundles included. */
  readonly all?: boolean;
  /** The revoked serials under each CRL, with date and reason, and why a signature fails; nothing shortened. */
  readonly wide?: boolean;
}

/**
 * The CRL lines under the certificate table: one per distinct CRL, by its own file with `(+N)` counting the bundles
 * that also hold it (`certs/server/crl.pem`), its issuer, nextUpdate, days left, how many serials it revokes and
 * whether its CA signed it. Fits in 120 columns; `wide` lists each revoked serial under its CRL. Empty without CRLs.
 */
export function formatCrls(crls: InspectedCrl[], options: CrlTableOptions = {}): string {
  if (crls.length === 0) return '';
  const shown = options.all
    ? crls.map((c) => ({ c, file: c.label }))
    : distinctCrls(crls).map(({ crl: c, copies }) => ({ c, file: copies.length > 1 ? `${c.label} (+${copies.length - 1})` : c.label }));
  const header = ['CRL', 'ISSUER', 'NEXT UPDATE', 'DAYS LEFT', 'REVOKED', 'SIGNATURE'];
  const rows = shown.flatMap(({ c, file }) => [
    [
      file,
      c.issuerCommonName || c.issuer,
      c.nextUpdate.toISOString().slice(0, 10),
      c.expired ? `${c.daysLeft} EXPIRED` : String(c.daysLeft),
      String(c.revoked.length),
      signatureText(c, options.wide === true),
    ],
    ...(options.wide ? c.revoked.map((r) => [`  revoked ${r.serialNumber}  ${r.revokedAt.toISOString()}  ${r.reason}`]) : []),
  ]);
  return `\n${alignedTable(header, rows, options.wide ? undefined : [0, 1])}`;
}

function signatureText(c: InspectedCrl, wide: boolean): string {
  if (c.signature.verified) return 'ok';
  return wide ? `FAIL: ${c.signature.problem}` : 'FAIL';
}

/** Every CRL for machines: dates as ISO 8601, `signature.signedBy` the CA certificate's file (null when none). */
export function crlsJson(crls: InspectedCrl[]): unknown[] {
  return crls.map((c) => ({
    label: c.label,
    file: c.file,
    index: c.index,
    count: c.count,
    issuer: c.issuer,
    issuerCommonName: c.issuerCommonName,
    crlNumber: c.crlNumber,
    thisUpdate: c.thisUpdate.toISOString(),
    nextUpdate: c.nextUpdate.toISOString(),
    daysLeft: c.daysLeft,
    expired: c.expired,
    revoked: c.revoked.map((r) => ({ serialNumber: r.serialNumber, revokedAt: r.revokedAt.toISOString(), reason: r.reason })),
    signature: { verified: c.signature.verified, signedBy: c.signature.signedBy ?? null, problem: c.signature.problem ?? null },
    fingerprint256: c.fingerprint256,
  }));
}
