import { X509Certificate } from 'node:crypto';

/** Node's `C=US\nO=Acme\nCN=x` (certificate order) as `CN=x, O=Acme, C=US` (most specific first). */
export function distinguishedName(text: string): string {
  return text.split('\n').filter(Boolean).reverse().join(', ');
}

/** The common name of Node's subject or issuer text, or '' when it has none. */
export function commonName(text: string): string {
  return /^CN=(.*)$/m.exec(text)?.[1] ?? '';
}

/** The common name, else the whole name: how a table names a certificate. */
export function shortName(text: string): string {
  return commonName(text) || distinguishedName(text);
}

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** The certificate's key as people name it: `RSA 2048`, `ECDSA P-256`. */
export function keyText(cert: X509Certificate): string {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return `RSA ${details.modulusLength}`;
    case 'ec':
      return `ECDSA ${CURVES[details.namedCurve ?? ''] ?? details.namedCurve}`;
    default:
      return (key.asymmetricKeyType ?? 'unknown').toUpperCase();
  }
}
