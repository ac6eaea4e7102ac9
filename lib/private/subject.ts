import { DistinguishedName } from '../distinguished-name';
import { Problems, isKnown } from './validation';

/** RFC 5280's upper bound for a common name (ub-common-name). */
const MAX_COMMON_NAME_LENGTH = 64;

/** Checks the fields X.509 bounds, so the engine never signs a certificate linters reject. */
export function checkSubject(problems: Problems, field: string, subject: DistinguishedName): void {
  const cn = subject.commonName;
  if (isKnown(cn) && (cn.trim().length === 0 || cn.length > MAX_COMMON_NAME_LENGTH)) {
    problems.add(`${field}.commonName`, cn, `must have 1 to ${MAX_COMMON_NAME_LENGTH} characters`, 'shorten it or put long names in dnsNames');
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
