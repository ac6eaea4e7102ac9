import * as path from 'node:path';
import { Construct } from 'constructs';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { LocallySignedCert } from '@cdktf/provider-tls/lib/locally-signed-cert';
import { ICertificateAuthority } from './certificate-authority';
import { CertificateFile, FileKind } from './certificate-file';
import { CertificateRole } from './certificate-role';
import { EncryptedKeyFile } from './encrypted-key-file';
import { DistinguishedName } from './distinguished-name';
import { EcdsaCurve, KeyAlgorithm, KeyOptions } from './key';
import { Product } from './products/product';
import { checkCanSign, checkValidity, issueCertificate } from './private/issuance';
import { ecdsaCurveOf, resolveKeyOptions, rsaBitsOf } from './private/key-pair';
import { useProviders } from './private/providers';
import { checkSubject } from './private/subject';
import { writePrivatePem, writePublicPem } from './private/pem-file';
import { trustBundlePem } from './private/trust-bundle';
import { checkSubjectAltNames } from './private/subject-alt-names';
import { Problems, isDnsName, isIpAddress, isKnown } from './private/validation';

/** About two years, under the 825-day ceiling many TLS clients enforce. */
const DEFAULT_LEAF_VALIDITY_HOURS = 17520;
/** Renew 60 days before expiry: time for a deploy to land and files to reach the products. */
const DEFAULT_LEAF_EARLY_RENEWAL_HOURS = 1440;
/** Leaf keys: 2048-bit RSA, what every Java client accepts, fast to generate by the hundred. */
const DEFAULT_LEAF_RSA_BITS = 2048;

/**
 * Properties shared by server and client certificates.
 */
export interface LeafCertificateProps {
  /**
   * The CA that signs the certificate.
   */
  readonly issuer: ICertificateAuthority;

  /**
   * The subject of the certificate.
   * @default - the common name is the first DNS name or IP address for a server, the construct id for a client
   */
  readonly subject?: DistinguishedName;

  /**
   * DNS names in the subjectAltName. Java checks these, not the common name.
   * @default []
   */
  readonly dnsNames?: string[];

  /**
   * IP addresses in the subjectAltName.
   * @default []
   */
  readonly ipAddresses?: string[];

  /**
   * The certificate's key; the product's key policy decides which algorithms it may use (Chariot: RSA only).
   * @default - RSA 2048
   */
  readonly key?: KeyOptions;

  /**
   * The product the certificate's files are for: it decides their names and the key algorithms accepted.
   * @default - Chariot for a `ServerCert`, MQTT Transmission for a `ClientCert` (MQTT Engine takes the same files)
   */
  readonly product?: Product;

  /**
   * How long the certificate is valid, in hours. May not exceed the issuer's.
   * @default 17520 (2 years)
   */
  readonly validityPeriodHours?: number;

  /**
   * Re-issue the certificate this many hours before it expires; a deploy inside that window replaces it.
   * @default 1440 (60 days)
   */
  readonly earlyRenewalHours?: number;

  /**
   * The CAs this peer trusts to verify the other side: for a server, the CAs of its clients;
   * for a client, the CAs of the servers it connects to.
   * @default - the root of the issuer's chain
   */
  readonly trustedCas?: ICertificateAuthority[];

  /**
   * The directory to write this certificate's files to.
   * @default - no files are written
   */
  readonly outputDirectory?: string;

  /**
   * Have the key file written encrypted, for a product with a key password field (MQTT Engine, MQTT Transmission).
   * No resource then declares the key file: the ready app writes it after each deploy (`EncryptedKeyFile`); the
   * key itself stays in the Terraform state, as every leaf key does.
   * @default - the key file is written unencrypted, by the engine
   */
  readonly encryptedKeyFile?: EncryptedKeyFile;
}

/**
 * A certificate signed by a CA for a TLS server or client: key, CSR and certificate.
 */
export abstract class LeafCertificate extends Construct {
  /** What the certificate is for. */
  public readonly role: CertificateRole;
  /** The product its files are for. */
  public readonly product: Product;
  /** The files written, in the product's order; none when `outputDirectory` is not set. */
  public readonly files: CertificateFile[];
  /** The certificate, PEM. */
  public readonly certPem: string;
  /** The private key, PEM: PKCS#1 (`BEGIN RSA PRIVATE KEY`) for RSA, SEC 1 for ECDSA. */
  public readonly privateKeyPem: string;
  /** The private key, PKCS#8 PEM (`BEGIN PRIVATE KEY`). */
  public readonly privateKeyPkcs8Pem: string;
  /** The issuer's chain up to the root, PEM, without this certificate. */
  public readonly caChainPem: string;
  /** This certificate followed by the issuer's chain, PEM. */
  public readonly fullChainPem: string;
  /** The CAs this peer trusts, each with its chain, PEM. */
  public readonly trustBundlePem: string;
  /** The CA that signed the certificate. */
  public readonly issuer: ICertificateAuthority;
  /** The subject: the one given, else one with the default common name only. */
  public readonly subject: DistinguishedName;
  /** The common name, as set at synth time. */
  public readonly commonName: string;
  /** The DNS names in the subjectAltName (the common name included where it is one). */
  public readonly dnsNames: string[];
  /** The IP addresses in the subjectAltName (the common name included where it is one). */
  public readonly ipAddresses: string[];
  /** The key algorithm. */
  public readonly keyAlgorithm: KeyAlgorithm;
  /** The RSA key size in bits; `undefined` for an ECDSA key. */
  public readonly rsaBits?: number;
  /** The ECDSA curve; `undefined` for an RSA key. */
  public readonly ecdsaCurve?: EcdsaCurve;
  /** The key usages and extended key usages, as the tls provider names them (`digital_signature`, `server_auth`, ...). */
  public readonly allowedUses: string[];
  /** How long the certificate is valid, in hours. */
  public readonly validityPeriodHours: number;
  /** How many hours before expiry it is re-issued. */
  public readonly earlyRenewalHours: number;
  /** The underlying key resource. */
  public readonly privateKey: PrivateKey;
  /** The underlying certificate resource. */
  public readonly certificate: LocallySignedCert;
  /**
   * How the key file is encrypted, when it is: written by the ready app, not the engine.
   * @default - not encrypted
   */
  public readonly encryptedKeyFile?: EncryptedKeyFile;

  protected constructor(scope: Construct, id: string, props: LeafCertificateProps, role: CertificateRole, defaultProduct: Product) {
    super(scope, id);
    const problems = new Problems(this);
    const product = props.product ?? defaultProduct;
    const key = resolveKeyOptions(problems, 'key', props.key, DEFAULT_LEAF_RSA_BITS);
    const dnsNames = props.dnsNames ?? [];
    const ipAddresses = props.ipAddresses ?? [];
    const subject = props.subject ?? { commonName: dnsNames[0] ?? ipAddresses[0] ?? (role === CertificateRole.CLIENT ? id : '') };
    checkSubjectAltNames(problems, dnsNames, ipAddresses, role === CertificateRole.SERVER ? subject.commonName : undefined);
    this.validityPeriodHours = props.validityPeriodHours ?? DEFAULT_LEAF_VALIDITY_HOURS;
    this.earlyRenewalHours = props.earlyRenewalHours ?? DEFAULT_LEAF_EARLY_RENEWAL_HOURS;
    checkProduct(problems, product, role, key.algorithm);
    if (props.encryptedKeyFile !== undefined && !product.takesEncryptedKey) {
      problems.add('encryptedKeyFile', props.encryptedKeyFile.passwordSource, `is set, and ${product.shortName} takes no encrypted key`, `leave encryptedKeyFile unset for ${product.shortName}; ${Product.all().filter((p) => p.takesEncryptedKey).map((p) => p.shortName).join(' and ')} take one`);
    }
    if (role === CertificateRole.SERVER) checkServerNames(problems, subject, dnsNames, ipAddresses);
    checkSubject(problems, 'subject', subject);
    checkValidity(problems, this, this.validityPeriodHours, this.earlyRenewalHours, props.issuer);
    checkCanSign(problems, props.issuer);
    problems.throwIfAny();

    this.role = role;
    this.product = product;
    this.issuer = props.issuer;
    this.subject = subject;
    this.commonName = subject.commonName;
    this.keyAlgorithm = key.algorithm;
    this.rsaBits = rsaBitsOf(key);
    this.ecdsaCurve = ecdsaCurveOf(key);
    this.allowedUses = leafAllowedUses(role, key.algorithm);
    // Java and OpenSSL match a server's SAN only, so a common name that is a host or address goes there too.
    const serverName = role === CertificateRole.SERVER ? subject.commonName : undefined;
    this.dnsNames = withCommonName(dnsNames, serverName, isDnsName);
    this.ipAddresses = withCommonName(ipAddresses, serverName, isIpAddress);
    // An issuer imported from another state (a site's stack) brought no provider into this stack.
    useProviders(this);
    const issued = issueCertificate(this, {
      issuer: props.issuer,
      subject,
      key,
      allowedUses: this.allowedUses,
      isCa: false,
      dnsNames: this.dnsNames,
      ipAddresses: this.ipAddresses,
      validityPeriodHours: this.validityPeriodHours,
      earlyRenewalHours: this.earlyRenewalHours,
    });
    this.privateKey = issued.key;
    this.certificate = issued.cert;
    this.certPem = issued.cert.certPem;
    this.privateKeyPem = issued.keyPem;
    this.privateKeyPkcs8Pem = issued.key.privateKeyPemPkcs8;
    this.caChainPem = props.issuer.chainPem;
    this.fullChainPem = `${this.certPem}${this.caChainPem}`;
    const root = props.issuer.chain[props.issuer.chain.length - 1];
    this.trustBundlePem = trustBundlePem(props.trustedCas ?? [root]);
    this.encryptedKeyFile = props.encryptedKeyFile;
    this.files = props.outputDirectory === undefined ? [] : this.writeFiles(props.outputDirectory);
  }

  /**
   * The path of the file of this kind.
   * @returns undefined when no such file is written
   */
  public filePath(kind: FileKind): string | undefined {
    return this.files.find((f) => f.kind === kind)?.path;
  }

  /** Writes the product's files into `dir`: keys mode 0600, the rest 0644; an encrypted key is only listed. */
  private writeFiles(dir: string): CertificateFile[] {
    const pem: Partial<Record<FileKind, string>> = {
      [FileKind.CERT]: this.certPem,
      [FileKind.PRIVATE_KEY]: this.privateKeyPem,
      [FileKind.PRIVATE_KEY_PKCS8]: this.privateKeyPkcs8Pem,
      [FileKind.CA_CHAIN]: this.caChainPem,
      [FileKind.FULL_CHAIN]: this.fullChainPem,
      [FileKind.CLIENT_CA]: this.trustBundlePem,
      [FileKind.SERVER_CA]: this.trustBundlePem,
    };
    return this.product.files.map((f) => {
      const secret = f.kind === FileKind.PRIVATE_KEY || f.kind === FileKind.PRIVATE_KEY_PKCS8;
      const file = path.join(dir, f.name);
      // The engine cannot encrypt: the ready app writes this one (app/client-key-files.ts).
      if (secret && this.encryptedKeyFile !== undefined) return { kind: f.kind, path: file, secret, encrypted: true };
      const write = secret ? writePrivatePem : writePublicPem;
      return { kind: f.kind, path: write(this, f.id, file, pem[f.kind]!), secret };
    });
  }
}

/** Key usages by role; keyEncipherment only where an RSA key may be used for key transport. */
function leafAllowedUses(role: CertificateRole, algorithm: KeyAlgorithm): string[] {
  // RFC 5280 4.2.1.12: clientAuth is consistent with digitalSignature only; RSA key transport is a server's.
  const transport = role === CertificateRole.SERVER && algorithm === KeyAlgorithm.RSA;
  const usage = transport ? ['digital_signature', 'key_encipherment'] : ['digital_signature'];
  return [...usage, role === CertificateRole.SERVER ? 'server_auth' : 'client_auth'];
}

/** The product must take this role's certificate, and accept its key. */
function checkProduct(problems: Problems, product: Product, role: CertificateRole, algorithm: KeyAlgorithm): void {
  if (product.role !== role) {
    problems.add('product', product.id, `takes a ${product.role} certificate, not a ${role} certificate`, `choose a ${role} product: ${Product.withRole(role).map((p) => p.id).join(', ')}`);
  }
  if (!product.keyAlgorithms.includes(algorithm)) {
    problems.add('key.algorithm', algorithm, `is not accepted by ${product.shortName} for its ${role} key`, product.keyFix);
  }
}

function checkServerNames(problems: Problems, subject: DistinguishedName, dnsNames: string[], ipAddresses: string[]): void {
  if (dnsNames.length === 0 && ipAddresses.length === 0 && !subject.commonName) {
    problems.add('dnsNames', dnsNames, 'is empty, and so are ipAddresses and the common name', 'name the host clients connect to, e.g. dnsNames: ["chariot.example.com"]');
  }
}

/** The names list with the common name added when it is of that kind and not already there. */
function withCommonName(names: string[], commonName: string | undefined, isOfKind: (n: string) => boolean): string[] {
  const listed = (name: string) => names.some((n) => isKnown(n) && n.toLowerCase() === name.toLowerCase());
  return commonName !== undefined && isKnown(commonName) && isOfKind(commonName) && !listed(commonName) ? [commonName, ...names] : names;
}
