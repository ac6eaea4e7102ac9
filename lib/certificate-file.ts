/**
 * What a file beside a certificate holds. The values are the inventory's `kind` of the file
 * (pki-inventory.json): part of its format.
 */
export enum FileKind {
  /** The certificate, PEM. */
  CERT = 'cert',
  /** The private key: PKCS#1 PEM for RSA, SEC 1 for ECDSA. Secret (mode 0600). */
  PRIVATE_KEY = 'privateKey',
  /** The same private key, PKCS#8 PEM. Secret (mode 0600). */
  PRIVATE_KEY_PKCS8 = 'privateKeyPkcs8',
  /** The issuer's chain up to the root, without the certificate. */
  CA_CHAIN = 'caChain',
  /** The certificate followed by its issuer's chain. */
  FULL_CHAIN = 'fullChain',
  /** A server's trust store: the CAs whose client certificates it accepts, each with its chain. */
  CLIENT_CA = 'clientCa',
  /** A client's trust store: the CAs of the servers it connects to, each with its chain. */
  SERVER_CA = 'ca',
  /** A CA's certificate signing request, PEM, to take to the enterprise CA that signs it. */
  CERT_REQUEST = 'certRequest',
  /** The upload instructions (`README.txt`). */
  README = 'readme',
}

/**
 * One file a construct writes.
 */
export interface CertificateFile {
  /** What the file holds. */
  readonly kind: FileKind;
  /** Its path, as the construct was given it (absolute under a `ChariotPki`). */
  readonly path: string;
  /** True for a private key: written mode 0600, kept out of plans and logs. */
  readonly secret: boolean;
  /**
   * True for a key file written encrypted (PKCS#8, AES-256-CBC) by the ready app after each deploy, not by the
   * engine: no resource declares it (`LeafCertificateProps.encryptedKeyFile`).
   * @default false
   */
  readonly encrypted?: boolean;
}
