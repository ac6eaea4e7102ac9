import { Construct } from 'constructs';
import { CertificateRole } from './certificate-role';
import { LeafCertificate, LeafCertificateProps } from './leaf-certificate';
import { CHARIOT } from './products/chariot';
import { IServerEndpoint } from './server-endpoint';

/**
 * Properties of a `ServerCert`.
 */
export interface ServerCertProps extends LeafCertificateProps {}

/**
 * A TLS server certificate (serverAuth) for an MQTT broker: by default Chariot MQTT Server (MQTT over TLS on
 * 8883 and the web UI over HTTPS), whose files it writes under the names Chariot's Certificates page expects.
 */
export class ServerCert extends LeafCertificate implements IServerEndpoint {
  /** The server's name in the clients' READMEs: its construct id. */
  public readonly serverName: string;

  constructor(scope: Construct, id: string, props: ServerCertProps) {
    super(scope, id, props, CertificateRole.SERVER, CHARIOT);
    this.serverName = id;
  }
}
