import { InspectedCertificate, byText, distinctCertificates } from './inspect';

/** A flat-list client's folder, `certs/transmission/NAME/`: a site's client folders are one level down. */
const FLAT_CLIENT_FILE = /^certs\/transmission\/[^/]+\/[^/]+$/;

/** One site as `inspect` sums it up. */
export interface SiteSummary {
  /** The site's name; `undefined` for the flat list's Transmission clients. */
  readonly site?: string;
  /** How many client certificates it holds (each counted once). */
  readonly clients: number;
  /** Of its certificates (its clients' and its own CA's), the one that expires first. */
  readonly earliest: InspectedCertificate;
}

/**
 * Each site found, by name, then the flat list's Transmission clients when there are any beside them: how many
 * clients, and which certificate expires first. Empty when there are no sites, so a PKI without sites reads as before.
 */
export function siteSummaries(certificates: InspectedCertificate[]): SiteSummary[] {
  const distinct = distinctCertificates(certificates).map((d) => d.certificate);
  const names = [...new Set(distinct.flatMap((c) => c.site ?? []))].sort(byText);
  if (names.length === 0) return [];
  const flat = distinct.filter((c) => !c.isCa && c.site === undefined && FLAT_CLIENT_FILE.test(c.file));
  const groups: [string | undefined, InspectedCertificate[]][] = names.map((name) => [name, distinct.filter((c) => c.site === name)]);
  if (flat.length > 0) groups.push([undefined, flat]);
  return groups.map(([site, members]) => ({
    site,
    clients: members.filter((c) => !c.isCa).length,
    earliest: members.reduce((a, b) => (b.notAfter.getTime() < a.notAfter.getTime() ? b : a)),
  }));
}

/** The per-site lines under the table: site, clients, earliest expiry, days left and which certificate. */
export function formatSites(summaries: SiteSummary[]): string {
  if (summaries.length === 0) return '';
  const header = ['SITE', 'CLIENTS', 'EARLIEST EXPIRY', 'DAYS LEFT', 'EXPIRES FIRST'];
  const rows = summaries.map((s) => [
    s.site ?? '(no site)',
    String(s.clients),
    s.earliest.notAfter.toISOString().slice(0, 10),
    s.earliest.expired ? `${s.earliest.daysLeft} EXPIRED` : String(s.earliest.daysLeft),
    s.earliest.label,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  return `\n${[header, ...rows].map(line).join('\n')}\n`;
}

/** The per-site summary for machines: `site` is null for the flat list. */
export function sitesJson(summaries: SiteSummary[]): unknown[] {
  return summaries.map((s) => ({
    site: s.site ?? null,
    clients: s.clients,
    earliestExpiry: s.earliest.notAfter.toISOString(),
    daysLeft: s.earliest.daysLeft,
    expiresFirst: s.earliest.label,
  }));
}
