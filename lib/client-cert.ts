import * as path from 'node:path';
import { Construct } from 'constructs';
import { CertificateRole, LeafCertificate, LeafCertificateProps } from './leaf-certificate';
import { writePrivatePem, writePublicPem } from './private/pem-file';

/**
 * Properties of a `ClientCert`.
 */
export interface ClientCertProps extends LeafCertificateProps {}

/**
 * The files a `ClientCert` writes, named as MQTT Engine's and MQTT Transmission's upload fields expect.
 */
export interface ClientCertFiles {
  /** `ca.pem`: the "CA certificate file", what the client trusts to verify Chariot. */
  readonly ca: string;
  /** `cert.pem`: the "client certificate file". */
  readonly cert: string;
  /** `private.key`: the "client private key file" (PKCS#1 PEM for RSA). */
  readonly privateKey: string;
}

/**
 * A TLS client certificate (clientAuth) for MQTT Engine or MQTT Transmission.
 */
export class ClientCert extends LeafCertificate {
  /** The files written, when `outputDirectory` is set. */
  public readonly files?: ClientCertFiles;

  constructor(scope: Construct, id: string, props: ClientCertProps) {
    super(scope, id, props, CertificateRole.CLIENT);
    const dir = props.outputDirectory;
    if (dir === undefined) return;
    this.files = {
      ca: writePublicPem(this, 'ca-file', path.join(dir, 'ca.pem'), this.trustBundlePem),
      cert: writePublicPem(this, 'cert-file', path.join(dir, 'cert.pem'), this.certPem),
      privateKey: writePrivatePem(this, 'key-file', path.join(dir, 'private.key'), this.privateKeyPem),
    };
  }
}
