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

/**
 * The folders of a site (docs/operate.md, "Sites"): its clients' `certs/transmission/SITE/NAME/` and its own CA's
 * `ca/transmission/SITE/`. A flat-list client's folder, `certs/transmission/NAME/`, is one level up.
 */
const SITE_CLIENT_FILE = /^certs\/transmission\/([^/]+)\/[^/]+\/[^/]+$/;
const SITE_CA_FILE = /^ca\/transmission\/([^/]+)\/[^/]+$/;

/**
 * The site a certificate belongs to, from the file it was found in: a client certificate in a site client's folder,
 * or a CA in a site's CA folder. The Server CA and the root in a site client's `ca.pem` belong to no site.
 */
export function siteOf(file: string, isCa: boolean): string | undefined {
  return (isCa ? SITE_CA_FILE : SITE_CLIENT_FILE).exec(file)?.[1];
}
