import { getPublicSuffix } from 'tldts';
import { Problems, checkUnique, isDnsName, isIpAddress, isKnown } from './validation';

/** What a wildcard means to a TLS client (RFC 6125 6.4.3), for messages and READMEs. */
export function wildcardMeaning(name: string): string {
  const base = name.slice(2);
  return `"${name}" matches any one label in its place (e.g. "edge-1.${base}"), not "${base}" itself nor "a.b.${base}"`;
}

/** True for `*.X` where X is a public suffix (`*.com`, `*.co.uk`, `*.github.io`): a name under it can be anyone's. */
function isOverPublicSuffix(name: string): boolean {
  if (!name.startsWith('*.')) return false;
  const base = name.slice(2).toLowerCase();
  return getPublicSuffix(base, { allowPrivateDomains: true }) === base;
}

/** The address the engine will write, so `::1` and `0:0:0:0:0:0:0:1` are seen as one (IPv6 compressed, lower case). */
function canonicalAddress(address: string): string {
  return address.includes(':') ? new URL(`http://[${address}]`).hostname.slice(1, -1) : address;
}

/** Refuses the unspecified address (`0.0.0.0`, `::`): a server listens on it, but no client connects to it. */
function checkConnectable(problems: Problems, field: string, address: string): void {
  if (['0.0.0.0', '::'].includes(canonicalAddress(address))) {
    problems.add(field, address, 'is the unspecified address: a server listens on it, but no client connects to it', 'use the address clients connect to, e.g. "192.168.1.100"');
  }
}

/**
 * Checks the subjectAltName of a certificate: each DNS name and IP address valid, a wildcard only under a
 * registrable domain, an address a client can connect to, and no name twice (a DNS name differs by more than case,
 * an address by more than its spelling).
 */
export function checkSubjectAltNames(problems: Problems, dnsNames: string[], ipAddresses: string[], commonName?: string): void {
  dnsNames.forEach((name, i) => {
    if (!isKnown(name)) return;
    if (!isDnsName(name)) {
      problems.add(`dnsNames[${i}]`, name, 'is not a valid DNS name', 'use letters, digits, hyphens and dots, e.g. "chariot.example.com" (IP addresses go in ipAddresses)');
    } else if (isOverPublicSuffix(name)) {
      problems.add(`dnsNames[${i}]`, name, `is a wildcard over the public suffix "${name.slice(2)}": it would cover names anyone can register`,
        `use a wildcard under your own domain, e.g. "*.plant.example.com"; ${wildcardMeaning('*.plant.example.com')}`);
    }
  });
  ipAddresses.forEach((address, i) => {
    if (!isKnown(address)) return;
    if (address.includes('%')) {
      problems.add(`ipAddresses[${i}]`, address, 'has a zone (%...), which a certificate cannot hold', `use the address without it, e.g. "${address.split('%')[0]}"`);
    } else if (!isIpAddress(address)) {
      problems.add(`ipAddresses[${i}]`, address, 'is not a valid IP address', 'use an IPv4 or IPv6 address, e.g. "192.168.1.100" (host names go in dnsNames)');
    } else {
      checkConnectable(problems, `ipAddresses[${i}]`, address);
    }
  });
  // A server's common name that is an address joins the subjectAltName too.
  if (commonName !== undefined && isKnown(commonName) && isIpAddress(commonName) && !ipAddresses.includes(commonName)) checkConnectable(problems, 'subject.commonName', commonName);
  checkUnique(problems, 'dnsNames', dnsNames, 'DNS name', 'list each name once');
  checkUnique(problems, 'ipAddresses', ipAddresses, 'IP address', 'list each address once', (a) => (isIpAddress(a) ? canonicalAddress(a) : a));
}
