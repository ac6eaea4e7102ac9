import { Construct } from 'constructs';
import { CertificateRole } from './certificate-role';
import { LeafCertificate, LeafCertificateProps } from './leaf-certificate';
import { MQTT_TRANSMISSION } from './products/mqtt-transmission';

/**
 * Properties of a `ClientCert`.
 */
export interface ClientCertProps extends LeafCertificateProps {}

/**
 * A TLS client certificate (clientAuth) for MQTT Engine or MQTT Transmission, whose files it writes
 * under the names their upload fields expect (`ca.pem`, `cert.pem`, `private.key`).
 */
export class ClientCert extends LeafCertificate {
  constructor(scope: Construct, id: string, props: ClientCertProps) {
    super(scope, id, props, CertificateRole.CLIENT, MQTT_TRANSMISSION);
  }
}
