import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A CA made by openssl in a temporary directory, for specs that need real certificates and a real verifier. */
export interface OpensslCa {
  readonly dir: string;
  readonly certFile: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** Issues a client certificate (subject `/O=Test/OU=<ou>/CN=<cn>`) and returns its PEM and file. */
  issue(cn: string, ou: string): { certPem: string; certFile: string };
  /** Removes the directory. */
  remove(): void;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** A self-signed CA (RSA 2048, CA:TRUE, keyCertSign and cRLSign, subject key identifier). */
export function opensslCa(commonName = 'Test CA'): OpensslCa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-openssl-ca-'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', `/O=Test/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'], dir);
  fs.writeFileSync(path.join(dir, 'leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  let n = 0;
  return {
    dir,
    certFile: path.join(dir, 'ca.crt'),
    certPem: fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8'),
    keyPem: fs.readFileSync(path.join(dir, 'ca.key'), 'utf8'),
    issue(cn, ou) {
      const base = `leaf-${++n}`;
      openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/O=Test/OU=${ou}/CN=${cn}`], dir);
      openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '7', '-extfile', 'leaf.ext', '-out', `${base}.crt`], dir);
      const certFile = path.join(dir, `${base}.crt`);
      return { certPem: fs.readFileSync(certFile, 'utf8'), certFile };
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
