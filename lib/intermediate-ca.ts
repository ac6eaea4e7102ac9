import { Construct } from 'constructs';
import { Annotations } from 'cdktf';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { LocallySignedCert } from '@cdktf/provider-tls/lib/locally-signed-cert';
import { ICertificateAuthority } from './certificate-authority';
import { DistinguishedName } from './distinguished-name';
import { EcdsaCurve, KeyAlgorithm, KeyOptions } from './key';
import { CA_ALLOWED_USES, checkCanSign, checkPathLength, checkValidity, issueCertificate, signRequest } from './private/issuance';
import { caKeyPems, checkKeyVariable } from './private/external-key';
import { ecdsaCurveOf, resolveKeyOptions, rsaBitsOf } from './private/key-pair';
import { checkIssuedPathLength } from './private/path-length-check';
import { writeCaFiles } from './private/pem-file';
import { checkSubject } from './private/subject';
import { Problems } from './private/validation';
import { DEFAULT_CA_RSA_BITS } from './root-ca';

/** Five years: half the root's life, so a root always outlives what it signed. */
const DEFAULT_INTERMEDIATE_VALIDITY_HOURS = 43800;
/** Re-sign an intermediate (same key) a year before it expires. */
const DEFAULT_INTERMEDIATE_EARLY_RENEWAL_HOURS = 8760;

/**
 * Properties of an `IntermediateCa`.
 */
export interface IntermediateCaProps {
  /**
   * The CA that signs this one: a `RootCa` or another `IntermediateCa`.
   */
  readonly issuer: ICertificateAuthority;

  /**
   * The subject of the intermediate certificate.
   */
  readonly subject: DistinguishedName;

  /**
   * The CA key.
   * @default - RSA 4096
   */
  readonly key?: KeyOptions;

  /**
   * How long the certificate is valid, in hours. May not exceed the issuer's.
   * @default 43800 (5 years)
   */
  readonly validityPeriodHours?: number;

  /**
   * Re-sign the certificate (same key) this many hours before it expires. 0 (never) gets a warning at synth:
   * at expiry every certificate the CA signed stops verifying at once.
   * @default 8760 (1 year)
   */
  readonly earlyRenewalHours?: number;

  /**
   * How many CAs may stand below this one. 0 means it signs only server and client certificates.
   * @default 0
   */
  readonly maxPathLength?: number;

  /**
   * Where to write the CA certificate (PEM).
   * @default - not written
   */
  readonly certFile?: string;

  /**
   * Where to write the CA private key (PEM, mode 0600).
   * @default - not written: the key stays in Terraform state
   */
  readonly privateKeyFile?: string;

  /**
   * Keeps the CA key out of the Terraform state: the name of an ephemeral variable that holds the key (PEM)
   * at each deploy, which the ready app sets from an encrypted key file (`caKeyFiles`, docs/operate.md).
   * The CA then has no `tls_private_key` (one it had is forgotten, not destroyed), and `privateKeyPem` may
   * only reach write-only attributes, so `privateKeyFile` cannot be set.
   * @default - the key is a `tls_private_key`, in the state
   */
  readonly keyVariable?: string;
}

/**
 * A certificate authority signed by another CA, e.g. the Server CA or a client CA of the seed hierarchy.
 */
export class IntermediateCa extends Construct implements ICertificateAuthority {
  public readonly certPem: string;
  public readonly privateKeyPem: string;
  /** The CA key in PKCS#8 PEM. */
  public readonly privateKeyPkcs8Pem: string;
  public readonly keyAlgorithm: KeyAlgorithm;
  public readonly chainPem: string;
  public readonly chain: ICertificateAuthority[];
  public readonly commonName: string;
  public readonly validityPeriodHours: number;
  /**
   * How many CAs may stand below this one: always set on an intermediate (0 unless `maxPathLength` was given).
   * Optional in the type only because `ICertificateAuthority` declares it so, and jsii forbids an
   * implementation to make an optional property required.
   */
  public readonly maxPathLength?: number;
  /** The subject of the intermediate certificate. */
  public readonly subject: DistinguishedName;
  /** The RSA key size in bits; `undefined` for an ECDSA key. */
  public readonly rsaBits?: number;
  /** The ECDSA curve; `undefined` for an RSA key. */
  public readonly ecdsaCurve?: EcdsaCurve;
  /** The key usages and extended key usages, as the tls provider names them (`cert_signing`, ...). */
  public readonly allowedUses: string[];
  /** Hours before expiry at which a deploy re-signs the certificate (same key). */
  public readonly earlyRenewalHours: number;
  /** The CA that signed this one. */
  public readonly issuer: ICertificateAuthority;
  /** Path of the written certificate, if `certFile` was set. */
  public readonly certFile?: string;
  /** Path of the written private key, if `privateKeyFile` was set. */
  public readonly privateKeyFile?: string;
  /** The underlying key resource; `undefined` when the key comes from `keyVariable`. */
  public readonly privateKey?: PrivateKey;
  /** The underlying certificate resource. */
  public readonly certificate: LocallySignedCert;

  constructor(scope: Construct, id: string, props: IntermediateCaProps) {
    super(scope, id);
    const problems = new Problems(this);
    const key = resolveKeyOptions(problems, 'key', props.key, DEFAULT_CA_RSA_BITS);
    this.validityPeriodHours = props.validityPeriodHours ?? DEFAULT_INTERMEDIATE_VALIDITY_HOURS;
    this.earlyRenewalHours = props.earlyRenewalHours ?? DEFAULT_INTERMEDIATE_EARLY_RENEWAL_HOURS;
    this.maxPathLength = props.maxPathLength ?? 0;
    checkSubject(problems, 'subject', props.subject);
    checkValidity(problems, this, this.validityPeriodHours, this.earlyRenewalHours, props.issuer);
    if (this.earlyRenewalHours === 0) {
      Annotations.of(this).addWarning(
        'earlyRenewalHours is 0: this CA is never re-signed before it expires, and when it does every certificate it signed stops ' +
          'verifying at once; set it (the default is 8760, a year) or rotate the CA before it expires (docs/operate.md, "Rotating a CA")',
      );
    }
    checkCanSign(problems, props.issuer);
    checkPathLength(problems, this.maxPathLength, props.issuer);
    checkKeyVariable(problems, props);
    problems.throwIfAny();

    const options = {
      issuer: props.issuer,
      subject: props.subject,
      key,
      allowedUses: CA_ALLOWED_USES,
      isCa: true,
      maxPathLength: this.maxPathLength,
      validityPeriodHours: this.validityPeriodHours,
      earlyRenewalHours: this.earlyRenewalHours,
    };
    const issued = props.keyVariable === undefined ? issueCertificate(this, options) : undefined;
    this.privateKey = issued?.key;
    ({ pem: this.privateKeyPem, pkcs8: this.privateKeyPkcs8Pem } = caKeyPems(this, this.privateKey, props.keyVariable));
    const signed = issued ?? signRequest(this, options, this.privateKeyPem);
    this.certificate = signed.cert;
    checkIssuedPathLength(this, signed.cert, this.maxPathLength);
    this.issuer = props.issuer;
    this.keyAlgorithm = key.algorithm;
    this.rsaBits = rsaBitsOf(key);
    this.ecdsaCurve = ecdsaCurveOf(key);
    this.allowedUses = [...CA_ALLOWED_USES];
    this.subject = props.subject;
    this.commonName = props.subject.commonName;
    this.certPem = signed.cert.certPem;
    this.chain = [this, ...props.issuer.chain];
    this.chainPem = `${this.certPem}${props.issuer.chainPem}`;
    ({ certFile: this.certFile, privateKeyFile: this.privateKeyFile } = writeCaFiles(this, props, this.certPem, this.privateKeyPem));
  }
}
