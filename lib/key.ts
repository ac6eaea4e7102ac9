/**
 * The public-key algorithm of a private key.
 */
export enum KeyAlgorithm {
  /** RSA: what Chariot requires for its server key, and what every Java client accepts. */
  RSA = 'RSA',
  /** ECDSA on a NIST curve: smaller and faster, for CAs and clients that accept it. */
  ECDSA = 'ECDSA',
}

/**
 * The curve of an ECDSA key.
 */
export enum EcdsaCurve {
  /** NIST P-256 (secp256r1). */
  P256 = 'P256',
  /** NIST P-384 (secp384r1). */
  P384 = 'P384',
  /** NIST P-521 (secp521r1). */
  P521 = 'P521',
}

/**
 * How to generate a private key.
 */
export interface KeyOptions {
  /**
   * The public-key algorithm.
   * @default KeyAlgorithm.RSA
   */
  readonly algorithm?: KeyAlgorithm;

  /**
   * The RSA modulus size in bits, 2048 or more. Ignored for ECDSA.
   * @default - 4096 for certificate authorities, 2048 for server and client certificates
   */
  readonly rsaBits?: number;

  /**
   * The ECDSA curve. Ignored for RSA.
   * @default EcdsaCurve.P256
   */
  readonly ecdsaCurve?: EcdsaCurve;
}
