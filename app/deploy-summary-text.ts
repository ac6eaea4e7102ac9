import { InventoryRole, PkiInventory } from '../lib';
import { CertificateChange, formatCounts } from './certificate-change';
import { DeploySummary, SummarizedCertificate } from './deploy-summary';
import { Pkcs12Outcome } from './pkcs12';

/** The deploy's own lines: the one before the engine starts and the summary after it. */

const DAY_MS = 24 * 60 * 60 * 1000;

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
  const nothingChanged = count(CertificateChange.UNCHANGED) === certs.length && (summary.destroyed ?? []).length === 0 && (summary.restored ?? []).length === 0;
  const outcomesChanged = [...summary.pkcs12 ?? [], ...summary.trustStores ?? []].some((o) => o !== Pkcs12Outcome.UNCHANGED);
  if (nothingChanged && !outcomesChanged) {
    // Nothing changed: what a weekly job mails, so a line or two.
    const when = [first && `expires first ${dateText(first.notAfter)} ${describe(first)}`, next && `next renewal ${dateText(next.renewableFrom!)}`].filter(Boolean);
    return [`chariot-tls: no change: ${plural(certs.length, 'certificate')} up to date in ${summary.outputDirectory}`, ...when.length ? [`  ${when.join('; ')}`] : [], ...log.map(([l, t]) => `  ${l}: ${t}`)].join('\n');
  }
  const destroyed = summary.destroyed ?? [];
  const newKeys = count(CertificateChange.CREATED) + count(CertificateChange.REPLACED);
  const destroyedKeys = destroyed.length > 0 ? `, ${destroyed.length} destroyed` : '';
  const lines: [string, string][] = [
    ['certificates', formatCounts([...certs.map((c) => c.change), ...destroyed.map(() => CertificateChange.DESTROYED)])],
    ['keys', `${newKeys} created${destroyedKeys}, ${certs.length - newKeys} unchanged`],
  ];
  const restored = summary.restored ?? [];
  if (restored.length > 0) lines.push(['restored', `${restored.length === 1 ? '1 file that was' : `${restored.length} files that were`} empty or cut short, written again: ${restored.join(', ')}`]);
  const foreign = certs.filter((c) => c.wasForeign);
  if (foreign.length > 0) lines.push(['overwritten', foreignText(foreign)]);
  if (summary.pkcs12) lines.push(['PKCS#12', `${outcomeCounts(summary.pkcs12)} (mode 0600)`]);
  // Certificates only: public, like client-ca.pem.
  if (summary.trustStores) lines.push(['trust stores', `${outcomeCounts(summary.trustStores)} (client-truststore.p12, mode 0644)`]);
  lines.push(['files', `${summary.outputDirectory} (each folder under certs/ has a README.txt: which file goes into which field)`]);
  if (first) lines.push(['expires first', `${dateText(first.notAfter)}  ${describe(first)}, in ${daysUntil(first.notAfter, now)} days`]);
  if (next) lines.push(['next renewal', `${dateText(next.renewableFrom!)}  ${describe(next)}: a deploy on or after this date re-issues it`]);
  lines.push(...log);
  const width = Math.max(...lines.map(([label]) => label.length));
  const handOuts = summary.handOuts ?? [];
  const handOutLines = handOuts.length === 0 ? [] : ["chariot-tls: hand out the changed files, in this order (each folder's README.txt says which field takes which file):", ...handOuts.map((h) => `  ${h}`)];
  return [`chariot-tls: deployed ${plural(certs.length, 'certificate')}`, ...lines.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`), ...handOutLines].join('\n');
}

/** `1 created, 0 updated, 2 unchanged`. */
function outcomeCounts(outcomes: Pkcs12Outcome[]): string {
  const count = (o: Pkcs12Outcome) => outcomes.filter((x) => x === o).length;
  return `${count(Pkcs12Outcome.CREATED)} created, ${count(Pkcs12Outcome.UPDATED)} updated, ${count(Pkcs12Outcome.UNCHANGED)} unchanged`;
}

/** Files another PKI had written over this one's: what they were, and what it means for the products. */
function foreignText(foreign: SummarizedCertificate[]): string {
  const shown = foreign.slice(0, 3).map((c) => c.file).join(', ') + (foreign.length > 3 ? ', ...' : '');
  return `${plural(foreign.length, 'certificate file')} (${shown}) held another PKI's certificates, not this one's: written again from this PKI's state, ` +
    'no key created. A product that took files from here since then holds the other PKI\'s files: give it these again';
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
