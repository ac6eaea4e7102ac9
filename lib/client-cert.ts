import { Construct } from 'constructs';
import { CertificateRole } from './certificate-role';
import { LeafCertificate, LeafCertificateProps } from './leaf-certificate';
import { MQTT_TRANSMISSION } from './products/mqtt-transmission';

/**
 * Properties of a `ClientCert`.
 */
export interface ClientCertProps extends LeafCertificateProps {
  /**
   * The site the client belongs to (`ChariotPki` sites); its README and the inventory name it.
   * @default - none: a client of no site
   */
  readonly site?: string;
}

/**
 * A TLS client certificate (clientAuth) for MQTT Engine or MQTT Transmission, whose files it writes
 * under the names their upload fields expect (`ca.pem`, `cert.pem`, `private.key`).
 */
export class ClientCert extends LeafCertificate {
  /**
   * The site the client belongs to.
   * @default - none
   */
  public readonly site?: string;

  constructor(scope: Construct, id: string, props: ClientCertProps) {
    super(scope, id, props, CertificateRole.CLIENT, MQTT_TRANSMISSION);
    this.site = props.site;
  }
}
