import { DistinguishedName } from '../distinguished-name';
import { Problems, checkText, isKnown } from './validation';

/** RFC 5280's upper bound on a common name, an organization and an organizational unit. */
export const MAX_NAME_LENGTH = 64;

/** The free-text fields of a subject and RFC 5280's upper bound on each (ub-common-name, ub-organization-name, ...). */
const TEXT_FIELDS: [keyof DistinguishedName, number][] = [
  ['commonName', MAX_NAME_LENGTH],
  ['organization', MAX_NAME_LENGTH],
  ['organizationalUnit', MAX_NAME_LENGTH],
  ['locality', 128],
  ['province', 128],
];

/**
 * Checks every subject field the tls provider receives: X.509's bounds, so the engine never signs a certificate
 * linters reject, and plain visible text, so no field becomes a Terraform expression or an extra line.
 */
export function checkSubject(problems: Problems, field: string, subject: DistinguishedName): void {
  for (const [name, maxLength] of TEXT_FIELDS) {
    const value = subject[name];
    if (value === undefined && name !== 'commonName') continue;
    const fix = name === 'commonName' ? 'shorten it or put long names in dnsNames' : 'shorten it';
    checkText(problems, `${field}.${name}`, value!, maxLength, fix);
  }
  const country = subject.country;
  if (country !== undefined && isKnown(country) && !/^[A-Z]{2}$/.test(country)) {
    problems.add(`${field}.country`, country, 'is not a two-letter ISO 3166 code', 'use two capital letters, e.g. "US" or "DE"');
  }
}

/** The subject block of the tls provider's resources. */
export function toProviderSubject(subject: DistinguishedName) {
  return {
    commonName: subject.commonName,
    organization: subject.organization,
    organizationalUnit: subject.organizationalUnit,
    country: subject.country,
    province: subject.province,
    locality: subject.locality,
  };
}
