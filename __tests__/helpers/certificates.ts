import { generateKeyPairSync } from 'node:crypto';
import * as forge from 'node-forge';

/** A key pair for hand-made certificates: made by Node (fast), used through node-forge. */
export interface TestKey {
  readonly privateKeyPem: string;
  readonly forgeKey: forge.pki.rsa.PrivateKey;
  readonly forgePublicKey: forge.pki.rsa.PublicKey;
}

export function rsaKey(): TestKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  return { privateKeyPem, forgeKey, forgePublicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

/** What a hand-made certificate is. */
export interface CertificateSpec {
  readonly commonName: string;
  readonly key: TestKey;
  /** The signer: itself when absent. */
  readonly issuer?: { commonName: string; key: TestKey };
  readonly isCa?: boolean;
  readonly notAfter?: Date;
}

let serial = 1;

/** A PEM certificate, signed with SHA-256. */
export function certificatePem(spec: CertificateSpec): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = spec.key.forgePublicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = spec.notAfter ?? new Date(Date.now() + 365 * 24 * 3600 * 1000);
  cert.setSubject([{ name: 'commonName', value: spec.commonName }]);
  cert.setIssuer([{ name: 'commonName', value: (spec.issuer ?? spec).commonName }]);
  cert.setExtensions([{ name: 'basicConstraints', cA: spec.isCa ?? false, critical: true }]);
  cert.sign((spec.issuer ?? spec).key.forgeKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}
