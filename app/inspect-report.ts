import { distinctCertificates, expiringWithin, Inspection, InspectedCertificate } from './inspect';
import { distinguishedName } from './inspect-names';
import { siteSummaries, sitesJson } from './inspect-sites';

/** The widest a table gets without `--wide`: it fits a 120-column terminal. */
export const TABLE_WIDTH = 120;

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
    c.key,
    ...(options.wide ? [c.fingerprint256] : []),
    chainText(c, options.wide === true),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  if (!options.wide) fit(widths, sites ? [0, 2, 3] : [0, 1, 2], TABLE_WIDTH);
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : shorten(cell, widths[i]).padEnd(widths[i]))).join('  ');
  return `${[header, ...rows].map(line).join('\n')}\n`;
}

function chainText(c: InspectedCertificate, wide: boolean): string {
  if (c.chain.verified) return 'ok';
  return wide ? `FAIL: ${c.chain.problem}` : 'FAIL';
}

/** Narrows the widest of the `shrinkable` columns, one character at a time, until the line fits in `max`. */
function fit(widths: number[], shrinkable: number[], max: number): void {
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > max) {
    const widest = shrinkable.reduce((a, b) => (widths[b] > widths[a] ? b : a));
    if (widths[widest] <= 12) return;
    widths[widest]--;
  }
}

/** `text` in at most `width` characters: a file path keeps its end, other text its start. */
function shorten(text: string, width: number): string {
  if (text.length <= width) return text;
  return text.includes('/') ? `…${text.slice(text.length - width + 1)}` : `${text.slice(0, width - 1)}…`;
}

/** What the JSON document says besides the certificates. */
export interface JsonFacts {
  /** `--warn-days`, when given. */
  readonly warnDays?: number;
  /** The text of `DEPLOY-INCOMPLETE`, when the directory holds one. */
  readonly deployIncomplete?: string;
  /** The configuration the directory came from, when it did. */
  readonly configuration?: string;
  /** The exit code the command ends with. */
  readonly exitCode: number;
}

/**
 * The inspection for machines: always a document, whatever was found. `root` is the newest generation's root
 * (null when there is none), `roots` every root, newest first, each as `{ file, generation, subject,
 * fingerprint256 }`; `problems` the files that cannot be trusted; `chainFailures` the labels that do not chain;
 * `sites` each site's summary (app/inspect-sites.ts), and each certificate its `site` (null outside one).
 */
export function toJson(inspection: Inspection, facts: JsonFacts): unknown {
  const expiring = facts.warnDays === undefined ? [] : expiringWithin(inspection, facts.warnDays);
  const roots = inspection.roots.map((r) => ({
    file: r.file, generation: r.generation, subject: distinguishedName(r.certificate.subject), fingerprint256: r.certificate.fingerprint256,
  }));
  return {
    directory: inspection.directory,
    configuration: facts.configuration ?? null,
    checkedAt: inspection.checkedAt.toISOString(),
    exitCode: facts.exitCode,
    deployIncomplete: facts.deployIncomplete ?? null,
    root: roots[0] ?? null,
    roots,
    warnDays: facts.warnDays ?? null,
    expiring: expiring.map((c) => c.label),
    chainFailures: inspection.certificates.filter((c) => !c.chain.verified).map((c) => c.label),
    problems: inspection.problems,
    sites: sitesJson(siteSummaries(inspection.certificates)),
    certificates: inspection.certificates.map((c) => ({
      ...c,
      site: c.site ?? null,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
      chain: { verified: c.chain.verified, path: c.chain.path, problem: c.chain.problem ?? null },
    })),
  };
}

/** The document `--json` prints when there is nothing to inspect: the error, and the exit code. */
export function errorJson(directory: string | null, error: string, checkedAt: Date): unknown {
  return { directory, checkedAt: checkedAt.toISOString(), exitCode: 1, error };
}
