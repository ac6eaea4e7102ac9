import 'reflect-metadata';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CRLNumber, id_ce_cRLNumber } from '@peculiar/asn1-x509';
import * as x509 from '@peculiar/x509';

/** WebCrypto as @peculiar/x509 types it (the DOM's `Crypto`, which Node's webcrypto implements). */
type WebCrypto = NonNullable<Parameters<typeof x509.X509CrlGenerator.create>[1]>;
type SigningKey = x509.X509CrlCreateParams['signingKey'];
type SigningAlgorithm = x509.X509CrlCreateParams['signingAlgorithm'];

x509.cryptoProvider.set(webcrypto as unknown as WebCrypto);

/** One revoked serial in a CRL. */
export interface CrlEntry {
  /** Lower-case hex, no separators. */
  readonly serial: string;
  readonly revokedAt: Date;
  /** The RFC 5280 reason code. */
  readonly reasonCode: number;
}

/** What a CRL says, besides who signed it. */
export interface CrlContent {
  readonly entries: CrlEntry[];
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** Must grow with every CRL a CA issues (RFC 5280 5.2.3). */
  readonly crlNumber: number;
}

/** A CRL read back from its PEM. */
export interface CrlFacts extends CrlContent {
  /** The issuer's subject, most specific first as {@link certificateIds} writes subjects: `CN=..., OU=..., O=...`. */
  readonly issuer: string;
  /** The issuer's first CN; '' when it has none. */
  readonly issuerCommonName: string;
  /** The PEM it was read from. */
  readonly pem: string;
}

/** The identifiers of a certificate that revocation needs. */
export interface CertificateIds {
  readonly serial: string;
  /** The subject, most specific first as the inventory writes it: `CN=..., OU=..., O=...`. */
  readonly subject: string;
  /** The issuer, written as the subject is. */
  readonly issuer: string;
  /** The subject's first CN and OU; '' when it has none. */
  readonly commonName: string;
  readonly organizationalUnit: string;
  /** Lower-case hex; '' when the certificate has none. */
  readonly subjectKeyId: string;
  /** Lower-case hex; '' when the certificate has none. */
  readonly authorityKeyId: string;
}

/** Reads what revocation needs from a certificate PEM. */
export function certificateIds(certPem: string): CertificateIds {
  const cert = new x509.X509Certificate(certPem);
  return {
    serial: normalSerial(cert.serialNumber),
    subject: rfc4514(cert.subjectName),
    issuer: rfc4514(cert.issuerName),
    commonName: cert.subjectName.getField('CN')[0] ?? '',
    organizationalUnit: cert.subjectName.getField('OU')[0] ?? '',
    subjectKeyId: cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId.toLowerCase() ?? '',
    authorityKeyId: cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId?.toLowerCase() ?? '',
  };
}

/**
 * Signs a v2 CRL for the CA of `caCertPem` with its key: the CA's own subject as issuer (byte for byte, as chain
 * builders compare it), its key identifier as authority key identifier, a CRL number, and one entry per serial
 * with its revocation date and reason. The key stays in memory. Checks the result against the CA certificate, so a
 * key that does not belong to the CA is never published.
 */
export async function signCrl(caCertPem: string, caKeyPem: string, content: CrlContent): Promise<string> {
  const ca = new x509.X509Certificate(caCertPem);
  const { algorithm, signingKey } = await importSigningKey(caKeyPem);
  const keyId = ca.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.subjectName,
    thisUpdate: content.thisUpdate,
    nextUpdate: content.nextUpdate,
    signingAlgorithm: algorithm,
    signingKey,
    extensions: [
      ...(keyId ? [new x509.AuthorityKeyIdentifierExtension(keyId)] : []),
      new x509.Extension(id_ce_cRLNumber, false, AsnConvert.serialize(new CRLNumber(content.crlNumber))),
    ],
    entries: content.entries.map((e) => ({ serialNumber: e.serial, revocationDate: e.revokedAt, reason: e.reasonCode })),
  });
  if (!(await crl.verify({ publicKey: ca }))) throw new Error(`the key found for ${ca.subject} does not match its certificate; no CRL was written`);
  // OpenSSL, Mosquitto and Java read the RFC 7468 label `X509 CRL`; the library writes `CRL`.
  return `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n`;
}

/** The CRL in `pem`, or undefined when it is not one. */
export function readCrl(pem: string): CrlFacts | undefined {
  let crl: x509.X509Crl;
  try {
    crl = new x509.X509Crl(pem);
  } catch {
    return undefined;
  }
  const number = crl.getExtension(id_ce_cRLNumber);
  return {
    pem,
    issuer: rfc4514(crl.issuerName),
    issuerCommonName: crl.issuerName.getField('CN')[0] ?? '',
    thisUpdate: crl.thisUpdate,
    nextUpdate: crl.nextUpdate ?? crl.thisUpdate,
    crlNumber: number ? Number(AsnConvert.parse(number.value, CRLNumber).value) : 0,
    entries: crl.entries.map((e) => ({ serial: normalSerial(e.serialNumber), revokedAt: e.revocationDate, reasonCode: e.reason ?? 0 })),
  };
}

/** Whether the CRL in `pem` was signed by the key of the CA in `caCertPem`. */
export async function isSignedBy(pem: string, caCertPem: string): Promise<boolean> {
  try {
    return await new x509.X509Crl(pem).verify({ publicKey: new x509.X509Certificate(caCertPem) });
  } catch {
    return false;
  }
}

/** Who signed a CRL, of the CA certificates given (app/inspect-crls.ts). */
export interface CrlSigner {
  /** The index of the CA certificate whose key verifies the CRL's signature, if any. */
  readonly signer?: number;
  /** The indexes of the CA certificates whose subject is the CRL's issuer: a CRL none verifies is forged or damaged. */
  readonly namedIssuers: number[];
}

/** Which of `caCertPems` signed the CRL in `pem`: the CAs of its issuer's name are tried, by their keys. */
export async function crlSigner(pem: string, caCertPems: string[]): Promise<CrlSigner> {
  const crl = new x509.X509Crl(pem);
  const issuer = crl.issuerName.toString();
  const namedIssuers = caCertPems.flatMap((ca, i) => (new x509.X509Certificate(ca).subjectName.toString() === issuer ? [i] : []));
  for (const i of namedIssuers) {
    if (await isSignedBy(pem, caCertPems[i])) return { signer: i, namedIssuers };
  }
  return { namedIssuers };
}

/** The RFC 5280 (5.3.1) name of a CRL reason code, `keyCompromise` for 1. */
export function reasonName(code: number): string {
  return x509.X509CrlReason[code] ?? `reason ${code}`;
}

/** A name in RFC 4514 form: most specific attribute first, special characters escaped. */
function rfc4514(name: x509.Name): string {
  const escape = (value: string) => value.replace(/([,+"\\<>;=])/g, '\\$1');
  return name.toJSON().flatMap((rdn) => Object.entries(rdn).map(([type, values]) => `${type}=${values.map(escape).join('+')}`)).reverse().join(', ');
}

/** Serials compare as hex without leading zeros or case (DER may add a 00 byte to keep one positive). */
function normalSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

/** NIST curves by OpenSSL's name, with the hash a CA's signature uses on each (as the tls provider's Go code does). */
const CURVES: Record<string, { namedCurve: string; hash: string }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
  secp521r1: { namedCurve: 'P-521', hash: 'SHA-512' },
};

/** A CA key PEM (PKCS#1, SEC 1 or PKCS#8) as a non-extractable WebCrypto signing key. */
async function importSigningKey(keyPem: string): Promise<{ algorithm: SigningAlgorithm; signingKey: SigningKey }> {
  const key = createPrivateKey(keyPem);
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  const curve = key.asymmetricKeyType === 'ec' ? CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] : undefined;
  if (key.asymmetricKeyType === 'ec' && curve === undefined) throw new Error(`CA key curve ${key.asymmetricKeyDetails?.namedCurve} is not supported for CRL signing`);
  const algorithm = curve ? { name: 'ECDSA', namedCurve: curve.namedCurve, hash: curve.hash } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const signingKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']);
  return { algorithm, signingKey: signingKey as unknown as SigningKey };
}
