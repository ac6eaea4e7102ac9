import { PkiInventory } from '../pki-inventory';
import { days, keyText, known, renewableAfterHours, subjectText, SUBJECT_FIELDS } from './inventory-text';
import { DistinguishedName } from '../distinguished-name';
import { sitesOf } from './inventory-sites';

/** Bumped when a field of `PkiInventory.toJson()` changes meaning or is removed. */
const INVENTORY_FORMAT_VERSION = 1;

/** The inventory for machines: plain JSON data with every key present (`null` where a value does not apply). */
export function inventoryJson(inventory: PkiInventory): any {
  return {
    formatVersion: INVENTORY_FORMAT_VERSION,
    outputDirectory: inventory.outputDirectory ?? null,
    certificates: inventory.certificates.map((c) => ({
      role: c.role,
      product: c.product ?? null,
      constructPath: c.constructPath,
      subject: subjectJson(c.subject),
      subjectText: subjectText(c.subject),
      issuer: c.issuerPath === undefined ? null : { constructPath: c.issuerPath, commonName: c.issuerCommonName ?? null },
      dnsNames: c.dnsNames,
      ipAddresses: c.ipAddresses,
      key: { algorithm: c.keyAlgorithm, rsaBits: c.rsaBits ?? null, ecdsaCurve: c.ecdsaCurve ?? null, text: keyText(c) },
      keyUsages: c.keyUsages,
      extendedKeyUsages: c.extendedKeyUsages,
      isCa: c.isCa,
      maxPathLength: c.maxPathLength ?? null,
      validityPeriodHours: c.validityPeriodHours,
      validityPeriodDays: days(c.validityPeriodHours),
      earlyRenewalHours: c.earlyRenewalHours,
      earlyRenewalDays: days(c.earlyRenewalHours),
      renewableAfterHours: renewableAfterHours(c),
      renewableAfterDays: days(renewableAfterHours(c)),
      files: c.files,
      site: c.site ?? null,
    })),
    sites: sitesOf(inventory.certificates).map((s) => ({
      name: s.name,
      clients: s.clients,
      issuingCa: s.issuingCa === undefined ? null : { constructPath: s.issuingCa.constructPath, commonName: s.issuingCa.subject.commonName },
      signedBy: s.signedBy ?? null,
    })),
  };
}

function subjectJson(subject: DistinguishedName): Record<string, string | null> {
  return Object.fromEntries(SUBJECT_FIELDS.map(([field]) => [field, subject[field] === undefined ? null : known(subject[field]!)]));
}
