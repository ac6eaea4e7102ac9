import { distinctCertificates, expiringWithin, Inspection, InspectedCertificate } from './inspect';
import { alignedTable } from './inspect-columns';
import { crlsJson } from './inspect-crl-table';
import { crlsDueWithin } from './inspect-crls';
import { distinguishedName } from './inspect-names';
import { siteSummaries, sitesJson } from './inspect-sites';
import type { FolderOwner } from './owner-file';

export { TABLE_WIDTH } from './inspect-columns';

/** How the table is drawn. */
export interface TableOptions {
  /** One row per certificate in every file, bundles included. */
  readonly all?: boolean;
  /** Every column in full: the SHA-256 fingerprint, and why a chain fails. */
  readonly wide?: boolean;
}

/**
 * A table for people, columns aligned: one row per distinct certificate, named by its own file with `(+N)` when
 * N other files hold a copy (bundles); with `all`, one row per certificate in every file. It fits in
 * {@link TABLE_WIDTH} columns (long names are shortened with `…`); `wide` adds the fingerprint and the reason a
 * chain fails, and shortens nothing.
 */
export function formatTable(inspection: Inspection, options: TableOptions = {}): string {
  const shown = options.all
    ? inspection.certificates.map((c) => ({ c, file: c.label }))
    : distinctCertificates(inspection.certificates).map(({ certificate: c, copies }) => ({ c, file: copies.length > 1 ? `${c.label} (+${copies.length - 1})` : c.label }));
  // A SITE column only where there are sites: a PKI without them reads as before.
  const sites = inspection.certificates.some((c) => c.site !== undefined);
  const header = ['FILE', ...(sites ? ['SITE'] : []), 'SUBJECT', 'ISSUER', 'NOT AFTER', 'DAYS LEFT', 'KEY', ...(options.wide ? ['SHA-256 FINGERPRINT'] : []), 'CHAIN'];
  const rows = shown.map(({ c, file }) => [
    file,
    ...(sites ? [c.site ?? ''] : []),
    c.subjectCommonName || c.subject,
    c.issuerCommonName || c.issuer,
    c.notAfter.toISOString().slice(0, 10),
    c.expired ? `${c.daysLeft} EXPIRED` : String(c.daysLeft),
    c.keyEncrypted ? `${c.key}, encrypted` : c.key,
    ...(options.wide ? [c.fingerprint256] : []),
    chainText(c, options.wide === true),
  ]);
  return alignedTable(header, rows, options.wide ? undefined : sites ? [0, 2, 3] : [0, 1, 2]);
}

function chainText(c: InspectedCertificate, wide: boolean): string {
  if (c.chain.verified) return 'ok';
  return wide ? `FAIL: ${c.chain.problem}` : 'FAIL';
}

/** What the JSON document says besides the certificates. */
export interface JsonFacts {
  /** `--warn-days`, when given. */
  readonly warnDays?: number;
  /** The CRL window (`--crl-warn-days`, or its default with `--warn-days`), when the CRLs are checked for it. */
  readonly crlWarnDays?: number;
  /** The text of `DEPLOY-INCOMPLETE`, when the directory holds one. */
  readonly deployIncomplete?: string;
  /** The configuration the directory came from, when it did. */
  readonly configuration?: string;
  /** Which PKI the directory holds, from its `PKI-OWNER.json` (app/output-owner.ts); null without one. */
  readonly owner?: FolderOwner['owner'];
  /** The exit code the command ends with. */
  readonly exitCode: number;
}

/**
 * The inspection for machines: always a document, whatever was found. `root` is the newest generation's root
 * (null when there is none), `roots` every root, newest first, each as `{ file, generation, subject,
 * fingerprint256 }`; `problems` the files that cannot be trusted; `chainFailures` the labels that do not chain;
 * `sites` each site's summary (app/inspect-sites.ts), and each certificate its `site` (null outside one); `crls`
 * every CRL of every file (app/inspect-crl-table.ts), `crlFailures` the labels of those no CA here signed, and
 * `expiringCrls` the labels due within `crlWarnDays`.
 */
export function toJson(inspection: Inspection, facts: JsonFacts): unknown {
  const expiring = facts.warnDays === undefined ? [] : expiringWithin(inspection, facts.warnDays);
  const roots = inspection.roots.map((r) => ({
    file: r.file, generation: r.generation, subject: distinguishedName(r.certificate.subject), fingerprint256: r.certificate.fingerprint256,
  }));
  return {
    directory: inspection.directory,
    configuration: facts.configuration ?? null,
    owner: facts.owner ?? null,
    checkedAt: inspection.checkedAt.toISOString(),
    exitCode: facts.exitCode,
    deployIncomplete: facts.deployIncomplete ?? null,
    root: roots[0] ?? null,
    roots,
    warnDays: facts.warnDays ?? null,
    expiring: expiring.map((c) => c.label),
    chainFailures: inspection.certificates.filter((c) => !c.chain.verified).map((c) => c.label),
    crlWarnDays: facts.crlWarnDays ?? null,
    expiringCrls: facts.crlWarnDays === undefined ? [] : crlsDueWithin(inspection, facts.crlWarnDays).flatMap((d) => d.copies.map((c) => c.label)),
    crlFailures: inspection.crls.filter((c) => !c.signature.verified).map((c) => c.label),
    problems: inspection.problems,
    sites: sitesJson(siteSummaries(inspection.certificates)),
    certificates: inspection.certificates.map((c) => ({
      ...c,
      site: c.site ?? null,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      chain: { verified: c.chain.verified, path: c.chain.path, problem: c.chain.problem ?? null },
    })),
    crls: crlsJson(inspection.crls),
  };
}

/** The document `--json` prints when there is nothing to inspect: the error, and the exit code. */
export function errorJson(directory: string | null, error: string, checkedAt: Date): unknown {
  return { directory, checkedAt: checkedAt.toISOString(), exitCode: 1, error };
}
