import { Construct } from 'constructs';
import { CertRequest } from '@cdktf/provider-tls/lib/cert-request';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { ICertificateAuthority } from './certificate-authority';
import { DistinguishedName } from './distinguished-name';
import { EcdsaCurve, KeyAlgorithm, KeyOptions } from './key';
import { describeCertificate, parseCertificate } from './private/certificate-pem';
import { CA_ALLOWED_USES, checkPathLength, checkValidity, passKeyWriteOnly, replacedWithKey } from './private/issuance';
import { caKeyPems, checkKeyVariable } from './private/external-key';
import { createPrivateKey, ecdsaCurveOf, resolveKeyOptions, rsaBitsOf } from './private/key-pair';
import { writeCaFiles, writePublicPem } from './private/pem-file';
import { useProviders } from './private/providers';
import { checkSubject, toProviderSubject } from './private/subject';
import { Problems } from './private/validation';
import { DEFAULT_CA_RSA_BITS } from './root-ca';

/** What to ask the enterprise CA for, when nothing else is said: five years, as our own intermediates. */
const DEFAULT_REQUESTED_VALIDITY_HOURS = 43800;
/** Ask for a new certificate (same key) a year before this one expires, as our own intermediates are re-signed. */
const DEFAULT_EARLY_RENEWAL_HOURS = 8760;

/**
 * Properties of an `ExternallySignedCa`.
 */
export interface ExternallySignedCaProps {
  /**
   * The enterprise CA that signs this one: the enterprise root, or its issuing intermediate.
   */
  readonly issuer: ICertificateAuthority;

  /**
   * The subject asked for in the certificate signing request.
   */
  readonly subject: DistinguishedName;

  /**
   * The CA key, which stays here: only its request leaves.
   * @default - RSA 4096
   */
  readonly key?: KeyOptions;

  /**
   * The certificate the enterprise CA returned for this CA's request, PEM. Check it before it is used: the ready
   * app checks its key, CA:TRUE and path length, key usages, chain and validity (app/external-root-checks.ts).
   * @default - none yet: the CA has its key and request, and signs nothing
   */
  readonly certPem?: string;

  /**
   * Where to write the certificate signing request (PEM), to take to the enterprise CA.
   * @default - not written
   */
  readonly csrFile?: string;

  /**
   * The path length to ask for (basicConstraints pathlen): 0 for a CA that signs only server and client
   * certificates.
   * @default 0
   */
  readonly maxPathLength?: number;

  /**
   * The validity to ask the enterprise CA for, in hours, until it has signed; then the certificate's own. A
   * request carries no validity: this is what the deploy's instructions say.
   * @default 43800 (5 years), or the issuer's validity when shorter
   */
  readonly validityPeriodHours?: number;

  /**
   * Hours before the certificate expires from which a deploy says to take the request (same key) to the
   * enterprise CA again.
   * @default 8760 (1 year)
   */
  readonly earlyRenewalHours?: number;

  /**
   * Where to write the signed certificate (PEM), once there is one.
   * @default - not written
   */
  readonly certFile?: string;

  /**
   * Where to write the CA private key (PEM, mode 0600).
   * @default - not written: the key stays in Terraform state
   */
  readonly privateKeyFile?: string;

  /**
   * Keeps the CA key out of the Terraform state, as `IntermediateCaProps.keyVariable` does: the name of an ephemeral
   * variable that holds the key (PEM) at each deploy, which the ready app sets from an encrypted key file
   * (`caKeyFiles`). The request is then made with the key through its write-only attribute.
   * @default - the key is a `tls_private_key`, in the state
   */
  readonly keyVariable?: string;
}

/**
 * A CA whose key is ours and whose certificate an enterprise CA signs: the Server, Engine or Transmission CA of a
 * hierarchy hung under a corporate root. The key and a certificate signing request are created here (child ids
 * `key` and `csr`, the addresses an `IntermediateCa` has, and `csr-file`); the certificate comes back as `certPem`.
 * Until it does, the CA signs nothing.
 */
export class ExternallySignedCa extends Construct implements ICertificateAuthority {
  /** The signed certificate, PEM; empty until the enterprise CA has signed. */
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
   * The path length asked for. Optional in the type only because `ICertificateAuthority` declares it so.
   */
  public readonly maxPathLength?: number;
  /** The subject asked for. */
  public readonly subject: DistinguishedName;
  /** The RSA key size in bits; `undefined` for an ECDSA key. */
  public readonly rsaBits?: number;
  /** The ECDSA curve; `undefined` for an RSA key. */
  public readonly ecdsaCurve?: EcdsaCurve;
  /** The key usages asked for, as the tls provider names them (`cert_signing`, `crl_signing`, ...). */
  public readonly allowedUses: string[];
  /** Hours before expiry from which a deploy asks for the request to be signed again. */
  public readonly earlyRenewalHours: number;
  /** The enterprise CA that signs this one. */
  public readonly issuer: ICertificateAuthority;
  /** Whether the enterprise CA has signed: `certPem` was given. */
  public readonly signed: boolean;
  /** The signed certificate's notAfter; `undefined` until signed. */
  public readonly notAfter?: Date;
  /** The certificate signing request, PEM (known at deploy time). */
  public readonly csrPem: string;
  /** Path of the written request, if `csrFile` was set. */
  public readonly csrFile?: string;
  /** Path of the written certificate, if `certFile` was set and the CA is signed. */
  public readonly certFile?: string;
  /** Path of the written private key, if `privateKeyFile` was set. */
  public readonly privateKeyFile?: string;
  /** The underlying key resource; `undefined` when the key comes from `keyVariable`. */
  public readonly privateKey?: PrivateKey;
  /** The underlying request resource. */
  public readonly request: CertRequest;

  constructor(scope: Construct, id: string, props: ExternallySignedCaProps) {
    super(scope, id);
    const problems = new Problems(this);
    const key = resolveKeyOptions(problems, 'key', props.key, DEFAULT_CA_RSA_BITS);
    this.maxPathLength = props.maxPathLength ?? 0;
    this.earlyRenewalHours = props.earlyRenewalHours ?? DEFAULT_EARLY_RENEWAL_HOURS;
    checkSubject(problems, 'subject', props.subject);
    checkPathLength(problems, this.maxPathLength, props.issuer);
    const cert = props.certPem === undefined ? undefined : parseCertificate(problems, 'certPem', props.certPem);
    // Until signed, the validity asked for; by default five years, or what is left of the issuer's when that is shorter.
    const requested = props.validityPeriodHours ?? Math.min(DEFAULT_REQUESTED_VALIDITY_HOURS, props.issuer.validityPeriodHours);
    this.validityPeriodHours = cert ? describeCertificate(cert).validityPeriodHours : requested;
    checkValidity(problems, this, this.validityPeriodHours, this.earlyRenewalHours, props.issuer);
    checkKeyVariable(problems, props);
    problems.throwIfAny();
    useProviders(this);

    this.privateKey = props.keyVariable === undefined ? createPrivateKey(this, key, true) : undefined;
    ({ pem: this.privateKeyPem, pkcs8: this.privateKeyPkcs8Pem } = caKeyPems(this, this.privateKey, props.keyVariable));
    this.request = new CertRequest(this, 'csr', {
      privateKeyPem: this.privateKeyPem,
      subject: [toProviderSubject(props.subject)],
    });
    passKeyWriteOnly(this.request, 'private_key_pem', this.privateKeyPem);
    if (this.privateKey) replacedWithKey(this.request, this.privateKey);
    this.csrPem = this.request.certRequestPem;
    this.csrFile = props.csrFile && writePublicPem(this, 'csr-file', props.csrFile, this.csrPem);

    this.signed = cert !== undefined;
    this.notAfter = cert && describeCertificate(cert).notAfter;
    // The certificate as parsed, written back: only PEM reaches the configuration, never text of the caller's.
    this.certPem = cert?.toString() ?? '';
    this.issuer = props.issuer;
    this.keyAlgorithm = key.algorithm;
    this.rsaBits = rsaBitsOf(key);
    this.ecdsaCurve = ecdsaCurveOf(key);
    this.allowedUses = [...CA_ALLOWED_USES];
    this.subject = props.subject;
    this.commonName = props.subject.commonName;
    this.chain = [this, ...props.issuer.chain];
    this.chainPem = `${this.certPem}${props.issuer.chainPem}`;
    const files = writeCaFiles(this, { certFile: this.signed ? props.certFile : undefined, privateKeyFile: props.privateKeyFile }, this.certPem, this.privateKeyPem);
    ({ certFile: this.certFile, privateKeyFile: this.privateKeyFile } = files);
  }
}
