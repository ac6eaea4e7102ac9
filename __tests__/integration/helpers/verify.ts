import { createPrivateKey, X509Certificate } from 'node:crypto';
import { Deployment } from './deployment';
import { run } from './run';

/**
 * Checks a deployed PKI as its peers would: `openssl verify -x509_strict` of the server certificate
 * (sslserver) and of each client's (sslclient, `engine/NAME` or `transmission/NAME`) through its
 * intermediate CA to the root, and each certificate against its private key.
 */
export function verifyPki(pki: Deployment, clients: string[]): void {
  const verify = (purpose: string, ca: string, cert: string) =>
    run('openssl', ['verify', '-x509_strict', '-purpose', purpose, '-CAfile', pki.file('ca/ca.crt'), '-untrusted', pki.file(ca), pki.file(cert)]);
  const matches = (cert: string, key: string) => {
    if (!new X509Certificate(pki.read(cert)).checkPrivateKey(createPrivateKey(pki.read(key)))) throw new Error(`${cert} does not match ${key}`);
  };
  verify('sslserver', 'ca/server/server-ca.crt', 'certs/server/server.crt');
  matches('certs/server/server.crt', 'certs/server/server.key');
  for (const client of clients) {
    const kind = client.split('/')[0];
    verify('sslclient', `ca/${kind}/${kind}-ca.crt`, `certs/${client}/cert.pem`);
    matches(`certs/${client}/cert.pem`, `certs/${client}/private.key`);
  }
}
