import { X509Certificate } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n?/g;

/** The certificates of a PEM bundle, in order. */
export function certificates(pem: string): X509Certificate[] {
  return (pem.match(PEM_BLOCK) ?? []).map((block) => new X509Certificate(block));
}

/** The subjects' common names of a PEM bundle, in order. */
export function commonNames(pem: string): string[] {
  return certificates(pem).map((c) => /CN=([^\n]+)/.exec(c.subject)?.[1] ?? c.subject);
}
