import { InventoryCertificate, InventoryRole } from '../inventory-model';
import { PkiInventory } from '../pki-inventory';
import { SiteSummary, flatListOf, sitesOf } from './inventory-sites';
import { days, keyText, known, renewableAfterHours, subjectText } from './inventory-text';

/** The inventory for people: a hierarchy outline, then one table per certificate, one fact per line. */
export function inventoryMarkdown(inventory: PkiInventory): string {
  const depthOf = depths(inventory.certificates);
  const lines = [
    '# PKI inventory',
    '',
    '<!-- Generated at synth time from the configuration: do not edit. It holds no keys or certificates. -->',
    '',
    'The certificates this configuration issues, as intended at synth time. Review changes to this file in pull requests:',
    'each changed name, key, usage, validity or file is one changed line.',
    '',
    inventory.outputDirectory === undefined
      ? 'File paths are relative to the output directory.'
      : `File paths are relative to the output directory, \`${cell(inventory.outputDirectory)}\`.`,
    '',
    '## Hierarchy',
    '',
    ...inventory.certificates.map((c) => `${'  '.repeat(depthOf.get(c)!)}- **${cell(c.subject.commonName)}**: ${ROLE_TEXT[c.role]}${c.product === undefined ? '' : `, ${cell(c.product)}`} (\`${c.constructPath}\`)`),
    '',
    ...siteSection(inventory.certificates),
    '## Certificates',
  ];
  for (const c of inventory.certificates) {
    const rows: [string, string][] = [
      ['Role', ROLE_TEXT[c.role]],
      ...(c.product === undefined ? [] : [['Product', c.product] as [string, string]]),
      ...(c.site === undefined ? [] : [['Site', c.site] as [string, string]]),
      ['Subject', subjectText(c.subject)],
      ['Issuer', c.issuerPath === undefined ? 'self-signed' : `${c.issuerCommonName ?? ''} (\`${c.issuerPath}\`)`],
      ['Subject alternative names', sanText(c)],
      ['Key', keyText(c)],
      ['Key usage', listText(c.keyUsages)],
      ['Extended key usage', listText(c.extendedKeyUsages)],
      ['Basic constraints', constraintsText(c)],
      ['Validity', `${hoursText(c.validityPeriodHours)}`],
      ['Renewal', renewalText(c)],
      ['Files', c.files.length === 0 ? 'none' : c.files.map((f) => `\`${f.path}\`${f.secret ? ' (private key, 0600)' : ''}`).join(', ')],
    ];
    lines.push('', `### ${cell(c.subject.commonName)} (\`${c.constructPath}\`)`, '', '| Field | Value |', '| --- | --- |');
    lines.push(...rows.map(([field, value]) => `| ${field} | ${cell(value)} |`));
  }
  return `${lines.join('\n')}\n`;
}

const ROLE_TEXT: Record<InventoryRole, string> = {
  [InventoryRole.ROOT_CA]: 'root CA',
  [InventoryRole.INTERMEDIATE_CA]: 'intermediate CA',
  [InventoryRole.SERVER]: 'server',
  [InventoryRole.CLIENT]: 'client',
};

/**
 * One line per site: how many clients, and which CA signs them; the flat list last, when it has clients.
 * Nothing when there are no sites.
 */
function siteSection(certificates: InventoryCertificate[]): string[] {
  const sites = sitesOf(certificates);
  if (sites.length === 0) return [];
  const flat = flatListOf(certificates);
  const line = (s: SiteSummary, title: string) => {
    const signer = s.issuingCa === undefined ? `signed by ${s.signedBy ?? 'the Transmission CA'}` : `its own issuing CA, ${s.issuingCa.subject.commonName}`;
    return `- ${title}: ${s.clients} client${s.clients === 1 ? '' : 's'}, ${cell(signer)}`;
  };
  return [
    '## Sites',
    '',
    ...sites.map((s) => line(s, `**${cell(s.name!)}**`)),
    ...(flat.clients === 0 ? [] : [line(flat, 'no site (`transmissionClients`)')]),
    '',
  ];
}

/**
 * Each certificate's depth below its root: 0 when its issuer is not listed. Issuers are looked up by path in a map,
 * not by a scan per certificate (quadratic, seconds at 2,000 clients).
 */
function depths(all: InventoryCertificate[]): Map<InventoryCertificate, number> {
  const byPath = new Map<string, InventoryCertificate>();
  for (const c of all) if (!byPath.has(c.constructPath)) byPath.set(c.constructPath, c);
  const depth = new Map<InventoryCertificate, number>();
  const depthOf = (c: InventoryCertificate): number => {
    if (!depth.has(c)) {
      const issuer = c.issuerPath === undefined ? undefined : byPath.get(c.issuerPath);
      depth.set(c, issuer === undefined ? 0 : 1 + depthOf(issuer));
    }
    return depth.get(c)!;
  };
  for (const c of all) depthOf(c);
  return depth;
}

function sanText(c: InventoryCertificate): string {
  const names = [...c.dnsNames.map((n) => `DNS:${known(n)}`), ...c.ipAddresses.map((a) => `IP:${known(a)}`)];
  return names.length === 0 ? 'none' : names.join(', ');
}

function listText(values: string[]): string {
  return values.length === 0 ? 'none' : values.join(', ');
}

function constraintsText(c: InventoryCertificate): string {
  if (!c.isCa) return 'not a CA';
  return c.maxPathLength === undefined ? 'CA, no path length limit' : `CA, path length ${c.maxPathLength}`;
}

function renewalText(c: InventoryCertificate): string {
  if (c.earlyRenewalHours === 0) return 'not before expiry (earlyRenewalHours 0): renew on purpose';
  const action = c.isCa ? 're-signed (same key)' : 're-issued';
  return `${action} by a deploy in its last ${hoursText(c.earlyRenewalHours)}, i.e. from ${hoursText(renewableAfterHours(c))} after issue`;
}

function hoursText(hours: number): string {
  return `${hours} hours (${days(hours)} days)`;
}

/** A table cell: no line breaks, and `|` escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}
