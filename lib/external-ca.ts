import { Construct } from 'constructs';
import { ICertificateAuthority } from './certificate-authority';
import { DistinguishedName } from './distinguished-name';
import { EcdsaCurve, KeyAlgorithm } from './key';
import { writePublicPem } from './private/pem-file';
import { describeCertificate, parseCertificate } from './private/certificate-pem';
import { checkKeyVariable, ephemeralKeyPem } from './private/external-key';
import { Problems } from './private/validation';

/**
 * Properties of an `ExternalCa`.
 */
export interface ExternalCaProps {
  /**
   * The CA's certificate, PEM, as the enterprise CA published it. Read at synth time.
   */
  readonly certPem: string;

  /**
   * The CA that signed this one: the enterprise root, or the intermediate above this one.
   * @default - none: the certificate is a self-signed root
   */
  readonly issuer?: ExternalCa;

  /**
   * Where to write a copy of the certificate (PEM), so the output directory holds the whole chain.
   * @default - not written
   */
  readonly certFile?: string;

  /**
   * Lets the CA sign here without its key in any state or plan: the name of an ephemeral variable that holds the
   * key (PEM) at each deploy, which reaches the certificates it signs through write-only attributes only. For a
   * CA of ours held in another state: a site's stack signs with the site CA the CAs' stack keeps
   * (`TransmissionSiteClients`, docs/operate.md, "Sites in their own state").
   * @default - no key here: the CA signs nothing (an enterprise CA)
   */
  readonly keyVariable?: string;
}

/**
 * A CA we do not hold: an enterprise root, or an enterprise intermediate between that root and an
 * `ExternallySignedCa`. Its certificate is known, its key is not: it signs nothing here. It gives the chain above
 * an `ExternallySignedCa` to every bundle, `ca.pem` and Root CA Chain, so a peer can build the whole path.
 * With `keyVariable` it is one of our CAs held in another state, whose key is handed over write-only at each deploy.
 */
export class ExternalCa extends Construct implements ICertificateAuthority {
  public readonly certPem: string;
  /**
   * The reference to the key in `keyVariable`, for write-only attributes only; else empty: the enterprise holds the
   * key, and only an `ExternallySignedCa` takes the CA as issuer.
   */
  public readonly privateKeyPem: string;
  public readonly keyAlgorithm: KeyAlgorithm;
  public readonly chainPem: string;
  public readonly chain: ICertificateAuthority[];
  public readonly commonName: string;
  /** From notBefore to notAfter of the certificate, in whole hours. */
  public readonly validityPeriodHours: number;
  /** Always `undefined` here: the ready app reads and checks the path length (app/external-root-checks.ts). */
  public readonly maxPathLength?: number;
  /** The subject of the certificate. */
  public readonly subject: DistinguishedName;
  /** The certificate's notAfter. */
  public readonly notAfter: Date;
  /** The CA that signed this one; `undefined` for a root. */
  public readonly issuer?: ExternalCa;
  /** The RSA key size in bits; `undefined` for another key. */
  public readonly rsaBits?: number;
  /** The ECDSA curve: not read from the certificate, so always `undefined`. */
  public readonly ecdsaCurve?: EcdsaCurve;
  /** Always empty: the enterprise decides the key usages. */
  public readonly allowedUses: string[];
  /** Always 0: the enterprise renews its own CAs. */
  public readonly earlyRenewalHours: number;
  /** Path of the written copy, if `certFile` was set. */
  public readonly certFile?: string;
  /** Always `undefined`: the key is not written here. */
  public readonly privateKeyFile?: string;

  constructor(scope: Construct, id: string, props: ExternalCaProps) {
    super(scope, id);
    const problems = new Problems(this);
    const cert = parseCertificate(problems, 'certPem', props.certPem);
    if (cert && !cert.ca) problems.add('certPem', cert.subject, 'is not a CA certificate (basicConstraints CA:TRUE is missing)', 'give the enterprise root and intermediate CA certificates, not a leaf');
    checkKeyVariable(problems, props);
    problems.throwIfAny();
    const parsed = describeCertificate(cert!);
    // A certificate as parsed, written back: only PEM reaches the configuration, never text of the caller's.
    this.certPem = cert!.toString();
    this.privateKeyPem = props.keyVariable === undefined ? '' : ephemeralKeyPem(this, props.keyVariable, `The key of ${this.node.path} (PEM), a CA held in another state; the deploy hands it over.`);
    ({ keyAlgorithm: this.keyAlgorithm, rsaBits: this.rsaBits, subject: this.subject, validityPeriodHours: this.validityPeriodHours, notAfter: this.notAfter } = parsed);
    this.commonName = this.subject.commonName;
    this.issuer = props.issuer;
    this.chain = [this, ...(props.issuer?.chain ?? [])];
    this.chainPem = `${this.certPem}${props.issuer?.chainPem ?? ''}`;
    this.allowedUses = [];
    this.earlyRenewalHours = 0;
    this.certFile = props.certFile && writePublicPem(this, 'cert-file', props.certFile, this.certPem);
  }
}
