import { IConstruct } from 'constructs';
import { KeyAlgorithm } from './key';

/**
 * A certificate authority that can issue certificates: a `RootCa` or an `IntermediateCa`.
 *
 * Constructs that issue certificates take this interface, never PEM strings, so the
 * signing key never leaves the Terraform graph and the issuer's limits can be checked.
 */
export interface ICertificateAuthority extends IConstruct {
  /** The CA certificate, PEM. */
  readonly certPem: string;

  /** The CA private key, PEM. A secret: it stays in Terraform state. */
  readonly privateKeyPem: string;

  /** The algorithm of the CA key, as the tls provider names it (`RSA` or `ECDSA`). */
  readonly keyAlgorithm: KeyAlgorithm;

  /** This CA's certificate followed by its issuers' up to the root, PEM. */
  readonly chainPem: string;

  /** This CA followed by its issuers up to the root. */
  readonly chain: ICertificateAuthority[];

  /** The common name of the CA, as set at synth time. */
  readonly commonName: string;

  /** How long the CA certificate is valid, in hours. Certificates it issues may not outlive it. */
  readonly validityPeriodHours: number;

  /**
   * How many CAs may stand below this one; `undefined` for no limit.
   * A CA with path length 0 issues only leaf certificates.
   */
  readonly maxPathLength?: number;
}
