import { X509Certificate } from 'node:crypto';
import { DistinguishedName } from '../distinguished-name';
import { KeyAlgorithm } from '../key';
import { Problems, isKnown } from './validation';

/** What node:crypto reads from a certificate: enough to chain it and describe it; the ready app checks the rest. */
export interface ParsedCertificate {
  readonly keyAlgorithm: KeyAlgorithm;
  readonly rsaBits?: number;
  readonly subject: DistinguishedName;
  readonly validityPeriodHours: number;
  readonly notAfter: Date;
}

const SUBJECT_FIELDS: Record<string, keyof DistinguishedName> = {
  CN: 'commonName', O: 'organization', OU: 'organizationalUnit', C: 'country', ST: 'province', L: 'locality',
};

/** Parses one PEM certificate, recording a problem for `field` when it is none. */
export function parseCertificate(problems: Problems, field: string, pem: string): X509Certificate | undefined {
  if (!isKnown(pem) || typeof pem !== 'string' || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    problems.add(field, typeof pem === 'string' ? `${pem.slice(0, 40)}...` : pem, 'is not a PEM certificate', 'give the certificate as PEM (-----BEGIN CERTIFICATE-----), read from its file');
    return undefined;
  }
  try {
    return new X509Certificate(pem);
  } catch (e) {
    problems.add(field, `${pem.slice(0, 40)}...`, `cannot be read as a certificate (${(e as Error).message})`, 'give the certificate as PEM, as the CA issued it');
    return undefined;
  }
}

/** The key, subject and validity of a parsed certificate. */
export function describeCertificate(cert: X509Certificate): ParsedCertificate {
  const key = cert.publicKey;
  const rsa = key.asymmetricKeyType === 'rsa';
  const subject: Record<string, string> = {};
  for (const line of cert.subject.split('\n')) {
    const at = line.indexOf('=');
    const field = SUBJECT_FIELDS[line.slice(0, at)];
    if (field !== undefined && subject[field] === undefined) subject[field] = line.slice(at + 1);
  }
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  return {
    keyAlgorithm: rsa ? KeyAlgorithm.RSA : KeyAlgorithm.ECDSA,
    rsaBits: rsa ? key.asymmetricKeyDetails?.modulusLength : undefined,
    subject: { ...subject, commonName: subject.commonName ?? '' } as DistinguishedName,
    validityPeriodHours: Math.floor((notAfter.getTime() - notBefore.getTime()) / 3_600_000),
    notAfter,
  };
}
