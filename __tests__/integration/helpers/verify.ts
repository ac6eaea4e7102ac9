import { createPrivateKey, X509Certificate } from 'node:crypto';
import { Deployment } from './deployment';
import { RunResult, run } from './run';

/**
 * `openssl verify -x509_strict -show_chain` of `cert` for `purpose` (the peer's check: sslserver is what a client
 * does with the server's certificate, sslclient what the server does with a client's), trusting `caFile`, with
 * `untrusted` as the intermediates the peer was sent. Absolute paths; never throws: check `status`.
 */
export function opensslVerify(purpose: 'sslserver' | 'sslclient', caFile: string, cert: string, untrusted?: string): RunResult {
  const chain = untrusted ? ['-untrusted', untrusted] : [];
  return run('openssl', ['verify', '-x509_strict', '-show_chain', '-purpose', purpose, '-CAfile', caFile, ...chain, cert], { allowFailure: true });
}

/**
 * Checks a deployed PKI as its peers would: `openssl verify -x509_strict` of the server certificate
 * (sslserver) and of each client's (sslclient, `engine/NAME` or `transmission/NAME`) through its
 * intermediate CA to the root, and each certificate against its private key.
 */
export function verifyPki(pki: Deployment, clients: string[]): void {
  const verify = (purpose: 'sslserver' | 'sslclient', ca: string, cert: string) => {
    const result = opensslVerify(purpose, pki.file('ca/ca.crt'), pki.file(cert), pki.file(ca));
    if (result.status !== 0) throw new Error(`openssl verify ${cert} (${purpose}): ${result.stdout}${result.stderr}`);
  };
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
