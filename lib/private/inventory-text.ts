import { Token } from 'cdktf';
import { DistinguishedName } from '../distinguished-name';
import { InventoryCertificate } from '../inventory-model';
import { KeyAlgorithm } from '../key';

/** What an inventory shows for a value that is only known at deploy time. */
export const UNRESOLVED = '(known at deploy time)';

/** Subject fields in the order RFC 4514 writes them (most specific first). */
export const SUBJECT_FIELDS: [keyof DistinguishedName, string][] = [
  ['commonName', 'CN'],
  ['organizationalUnit', 'OU'],
  ['organization', 'O'],
  ['locality', 'L'],
  ['province', 'ST'],
  ['country', 'C'],
];

export function known(value: string): string {
  return Token.isUnresolved(value) ? UNRESOLVED : value;
}

/** The subject in RFC 4514 form, most specific first: `CN=localhost, O=Acme, C=US`. */
export function subjectText(subject: DistinguishedName): string {
  return SUBJECT_FIELDS.filter(([field]) => subject[field] !== undefined)
    .map(([field, label]) => `${label}=${known(subject[field]!).replace(/([,+"\\<>;=])/g, '\\$1')}`)
    .join(', ');
}

export function keyText(c: InventoryCertificate): string {
  if (c.keyAlgorithm === KeyAlgorithm.RSA) return `RSA ${c.rsaBits}`;
  return `${c.keyAlgorithm} ${c.ecdsaCurve ?? ''}`.trim();
}

export function renewableAfterHours(c: InventoryCertificate): number {
  return Math.max(0, c.validityPeriodHours - c.earlyRenewalHours);
}

/** Hours as days, to two decimals at most. */
export function days(hours: number): number {
  return Math.round((hours / 24) * 100) / 100;
}
