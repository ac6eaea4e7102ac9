import { DistinguishedName } from './distinguished-name';
import { FileKind } from './certificate-file';
import { EcdsaCurve, KeyAlgorithm } from './key';

/**
 * What a certificate is in the hierarchy.
 */
export enum InventoryRole {
  /** A self-signed root CA: the trust anchor. */
  ROOT_CA = 'root-ca',
  /** A CA signed by another CA. */
  INTERMEDIATE_CA = 'intermediate-ca',
  /** A TLS server certificate (serverAuth). */
  SERVER = 'server',
  /** A TLS client certificate (clientAuth). */
  CLIENT = 'client',
}

/**
 * One file a certificate's construct writes.
 */
export interface InventoryFile {
  /** The path, relative to the inventory's output directory, with `/` separators. */
  readonly path: string;
  /** What the file holds (`cert`, `caChain`, `privateKey`, ...). */
  readonly kind: FileKind;
  /** True for a private key (written mode 0600). The inventory never holds its content. */
  readonly secret: boolean;
  /**
   * True for a key file written encrypted by the ready app (`LeafCertificateProps.encryptedKeyFile`).
   * @default - absent: not encrypted
   */
  readonly encrypted?: boolean;
}

/**
 * What the hierarchy intends for one certificate, as known at synth time. No key or certificate material.
 */
export interface InventoryCertificate {
  /** What the certificate is in the hierarchy. */
  readonly role: InventoryRole;
  /** The construct path, which is also the prefix of its Terraform addresses. */
  readonly constructPath: string;
  /** The subject. */
  readonly subject: DistinguishedName;
  /**
   * The construct path of the issuing CA.
   * @default - none: the certificate is self-signed
   */
  readonly issuerPath?: string;
  /**
   * The common name of the issuing CA.
   * @default - none: the certificate is self-signed
   */
  readonly issuerCommonName?: string;
  /** DNS names in the subjectAltName. */
  readonly dnsNames: string[];
  /** IP addresses in the subjectAltName. */
  readonly ipAddresses: string[];
  /** The key algorithm. */
  readonly keyAlgorithm: KeyAlgorithm;
  /**
   * The RSA key size in bits.
   * @default - none: not an RSA key
   */
  readonly rsaBits?: number;
  /**
   * The ECDSA curve.
   * @default - none: not an ECDSA key
   */
  readonly ecdsaCurve?: EcdsaCurve;
  /** The key usages, by their RFC 5280 names (`digitalSignature`, `keyCertSign`, ...), in RFC 5280 bit order as certificates list them. */
  readonly keyUsages: string[];
  /** The extended key usages, by their RFC 5280 names (`serverAuth`, `clientAuth`). */
  readonly extendedKeyUsages: string[];
  /** Whether the certificate is a CA (basicConstraints CA:TRUE). */
  readonly isCa: boolean;
  /**
   * How many CAs may stand below this CA.
   * @default - no limit (or not a CA)
   */
  readonly maxPathLength?: number;
  /** How long the certificate is valid, in hours. */
  readonly validityPeriodHours: number;
  /** How many hours before expiry a deploy re-issues (or re-signs) it; 0 for never before expiry. */
  readonly earlyRenewalHours: number;
  /**
   * The product the certificate's files are for, by its label (`Chariot MQTT Server`).
   * @default - none: a CA
   */
  readonly product?: string;
  /** The files written, sorted by path. */
  readonly files: InventoryFile[];
  /**
   * The site the certificate belongs to: a site's issuing CA or one of its clients.
   * @default - none: not part of a site
   */
  readonly site?: string;
}
