import * as path from 'node:path';
import { Construct } from 'constructs';
import { CertificateRole, LeafCertificate, LeafCertificateProps } from './leaf-certificate';
import { writePrivatePem, writePublicPem } from './private/pem-file';

/**
 * Properties of a `ServerCert`.
 */
export interface ServerCertProps extends LeafCertificateProps {}

/**
 * The files a `ServerCert` writes, by what Chariot's Certificates page asks for.
 */
export interface ServerCertFiles {
  /** `server.key`: RSA key, PKCS#1 PEM. Chariot's "Private Key". */
  readonly privateKey: string;
  /** `server.pkcs8.key`: the same key, PKCS#8 PEM (Chariot 2.3.1 and later). */
  readonly privateKeyPkcs8: string;
  /** `server.crt`: Chariot's "Server Certificate". */
  readonly cert: string;
  /** `ca-chain.pem`: the issuer's chain up to the root, Chariot's "Root CA Chain". */
  readonly caChain: string;
  /** `fullchain.pem`: the certificate then its chain, for servers that take one file. */
  readonly fullChain: string;
  /** `client-ca.pem`: the CAs whose client certificates the server accepts (its trust store). */
  readonly clientCa: string;
}

/**
 * A TLS server certificate (serverAuth) for a Chariot MQTT Server: MQTT over TLS on 8883 and the web UI over HTTPS.
 * The key is always RSA, as Chariot requires.
 */
export class ServerCert extends LeafCertificate {
  /** The files written, when `outputDirectory` is set. */
  public readonly files?: ServerCertFiles;

  constructor(scope: Construct, id: string, props: ServerCertProps) {
    super(scope, id, props, CertificateRole.SERVER);
    const dir = props.outputDirectory;
    if (dir === undefined) return;
    this.files = {
      privateKey: writePrivatePem(this, 'key-file', path.join(dir, 'server.key'), this.privateKeyPem),
      privateKeyPkcs8: writePrivatePem(this, 'pkcs8-key-file', path.join(dir, 'server.pkcs8.key'), this.privateKeyPkcs8Pem),
      cert: writePublicPem(this, 'cert-file', path.join(dir, 'server.crt'), this.certPem),
      caChain: writePublicPem(this, 'ca-chain-file', path.join(dir, 'ca-chain.pem'), this.caChainPem),
      fullChain: writePublicPem(this, 'fullchain-file', path.join(dir, 'fullchain.pem'), this.fullChainPem),
      clientCa: writePublicPem(this, 'client-ca-file', path.join(dir, 'client-ca.pem'), this.trustBundlePem),
    };
  }
}
