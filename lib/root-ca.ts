import { Construct } from 'constructs';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { SelfSignedCert } from '@cdktf/provider-tls/lib/self-signed-cert';
import { ICertificateAuthority } from './certificate-authority';
import { DistinguishedName } from './distinguished-name';
import { EcdsaCurve, KeyAlgorithm, KeyOptions } from './key';
import { CA_ALLOWED_USES, checkPathLength, checkValidity, passKeyWriteOnly, replacedWithKey, setMaxPathLength } from './private/issuance';
import { createPrivateKey, ecdsaCurveOf, resolveKeyOptions, rsaBitsOf } from './private/key-pair';
import { checkIssuedPathLength } from './private/path-length-check';
import { writeCaFiles } from './private/pem-file';
import { useProviders } from './private/providers';
import { checkSubject, toProviderSubject } from './private/subject';
import { caKeyPems, checkKeyVariable } from './private/external-key';
import { Problems } from './private/validation';

/** Ten years: the seed procedure's root (`-days 3650`). */
const DEFAULT_ROOT_VALIDITY_HOURS = 87600;
/** CA keys outlive many leaves: 4096-bit RSA. */
export const DEFAULT_CA_RSA_BITS = 4096;

/**
 * Properties of a `RootCa`.
 */
export interface RootCaProps {
  /**
   * The subject of the root certificate.
   */
  readonly subject: DistinguishedName;

  /**
   * The CA key.
   * @default - RSA 4096
   */
  readonly key?: KeyOptions;

  /**
   * How long the root certificate is valid, in hours.
   * @default 87600 (10 years)
   */
  readonly validityPeriodHours?: number;

  /**
   * Re-sign the root (same key) this many hours before it expires. A new root certificate
   * re-issues everything below it, so this is off by default: renew a root on purpose.
   * @default 0 (never renewed automatically)
   */
  readonly earlyRenewalHours?: number;

  /**
   * How many intermediate CAs may stand below the root.
   * @default - no limit
   */
  readonly maxPathLength?: number;

  /**
   * Where to write the root certificate (PEM).
   * @default - not written
   */
  readonly certFile?: string;

  /**
   * Where to write the root private key (PEM, mode 0600). A CA key on disk is the most
   * valuable secret there is; it is only needed to sign outside this tool.
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
 * A self-signed root certificate authority: the trust anchor of the hierarchy.
 */
export class RootCa extends Construct implements ICertificateAuthority {
  public readonly certPem: string;
  public readonly privateKeyPem: string;
  /** The root key in PKCS#8 PEM. */
  public readonly privateKeyPkcs8Pem: string;
  public readonly keyAlgorithm: KeyAlgorithm;
  public readonly chainPem: string;
  public readonly chain: ICertificateAuthority[];
  public readonly commonName: string;
  public readonly validityPeriodHours: number;
  public readonly maxPathLength?: number;
  /** The subject of the root certificate. */
  public readonly subject: DistinguishedName;
  /** The RSA key size in bits; `undefined` for an ECDSA key. */
  public readonly rsaBits?: number;
  /** The ECDSA curve; `undefined` for an RSA key. */
  public readonly ecdsaCurve?: EcdsaCurve;
  /** The key usages and extended key usages, as the tls provider names them (`cert_signing`, ...). */
  public readonly allowedUses: string[];
  /** Hours before expiry at which a deploy re-signs the root; 0 when it is never renewed early. */
  public readonly earlyRenewalHours: number;
  /** Path of the written certificate, if `certFile` was set. */
  public readonly certFile?: string;
  /** Path of the written private key, if `privateKeyFile` was set. */
  public readonly privateKeyFile?: string;
  /** The underlying key resource; `undefined` when the key comes from `keyVariable`. */
  public readonly privateKey?: PrivateKey;
  /** The underlying certificate resource. */
  public readonly certificate: SelfSignedCert;

  constructor(scope: Construct, id: string, props: RootCaProps) {
    super(scope, id);
    const problems = new Problems(this);
    const key = resolveKeyOptions(problems, 'key', props.key, DEFAULT_CA_RSA_BITS);
    this.validityPeriodHours = props.validityPeriodHours ?? DEFAULT_ROOT_VALIDITY_HOURS;
    this.earlyRenewalHours = props.earlyRenewalHours ?? 0;
    checkSubject(problems, 'subject', props.subject);
    checkValidity(problems, this, this.validityPeriodHours, this.earlyRenewalHours);
    checkPathLength(problems, props.maxPathLength);
    checkKeyVariable(problems, props);
    problems.throwIfAny();
    useProviders(this);

    this.privateKey = props.keyVariable === undefined ? createPrivateKey(this, key, true) : undefined;
    ({ pem: this.privateKeyPem, pkcs8: this.privateKeyPkcs8Pem } = caKeyPems(this, this.privateKey, props.keyVariable));
    this.certificate = new SelfSignedCert(this, 'cert', {
      privateKeyPem: this.privateKeyPem,
      subject: [toProviderSubject(props.subject)],
      allowedUses: CA_ALLOWED_USES,
      isCaCertificate: true,
      setSubjectKeyId: true,
      setAuthorityKeyId: true,
      validityPeriodHours: this.validityPeriodHours,
      earlyRenewalHours: this.earlyRenewalHours,
    });
    setMaxPathLength(this.certificate, props.maxPathLength);
    passKeyWriteOnly(this.certificate, 'private_key_pem', this.privateKeyPem);
    // A key from a file cannot change under its certificate: the deploy refuses a file that does not match it.
    if (this.privateKey) replacedWithKey(this.certificate, this.privateKey);
    checkIssuedPathLength(this, this.certificate, props.maxPathLength);

    this.keyAlgorithm = key.algorithm;
    this.rsaBits = rsaBitsOf(key);
    this.ecdsaCurve = ecdsaCurveOf(key);
    this.allowedUses = [...CA_ALLOWED_USES];
    this.subject = props.subject;
    this.commonName = props.subject.commonName;
    this.maxPathLength = props.maxPathLength;
    this.certPem = this.certificate.certPem;
    this.chainPem = this.certPem;
    this.chain = [this];
    ({ certFile: this.certFile, privateKeyFile: this.privateKeyFile } = writeCaFiles(this, props, this.certPem, this.privateKeyPem));
  }
}
