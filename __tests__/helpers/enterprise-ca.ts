import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** How an enterprise CA signs one of our requests: what a security team might get right or wrong. */
export interface SignOptions {
  /** basicConstraints CA:TRUE; false for a leaf. @default true */
  readonly ca?: boolean;
  /** The path length; `null` for none. @default 0 */
  readonly pathLength?: number | null;
  /** The keyUsage value. @default 'critical, keyCertSign, cRLSign, digitalSignature' */
  readonly keyUsage?: string;
  /** Days of validity. @default 1825 */
  readonly days?: number;
}

/**
 * An enterprise CA made by openssl in a temporary directory: a root (20 years, no path length limit) and the issuing
 * intermediate below it (10 years, path length 1 or 2) that signs our CAs' requests, as AD CS or Vault would.
 */
export interface EnterpriseCa {
  readonly dir: string;
  readonly rootFile: string;
  readonly issuingFile: string;
  /** Signs the request `csrFile` with the issuing CA; returns the certificate PEM. */
  sign(csrFile: string, options?: SignOptions): string;
  /** Copies the root and issuing certificates to `<projectDir>/enterprise/root.pem` and `issuing.pem`, as a project's `externalRoot` names them. */
  handTo(projectDir: string): void;
  /** A request of a fresh key (not ours), PEM file: what a mix-up at the enterprise CA returns a certificate for. */
  foreignRequest(commonName: string): string;
  remove(): void;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export function enterpriseCa(organization = 'Acme Corp', issuingPathLength = 1): EnterpriseCa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-enterprise-'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.crt', '-days', '7300', '-subj', `/O=${organization}/CN=${organization} Root CA`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'issuing.key', '-out', 'issuing.csr', '-subj', `/O=${organization}/CN=${organization} Issuing CA 1`], dir);
  fs.writeFileSync(path.join(dir, 'issuing.ext'), `basicConstraints=critical,CA:TRUE,pathlen:${issuingPathLength}\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`);
  openssl(['x509', '-req', '-in', 'issuing.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-days', '3650', '-extfile', 'issuing.ext', '-out', 'issuing.crt'], dir);
  let n = 0;
  return {
    dir,
    rootFile: path.join(dir, 'root.crt'),
    issuingFile: path.join(dir, 'issuing.crt'),
    sign(csrFile, options = {}) {
      const base = `signed-${++n}`;
      const pathLength = options.pathLength === undefined ? 0 : options.pathLength;
      const constraints = options.ca === false ? 'critical,CA:FALSE' : `critical,CA:TRUE${pathLength === null ? '' : `,pathlen:${pathLength}`}`;
      fs.writeFileSync(path.join(dir, `${base}.ext`), `basicConstraints=${constraints}\nkeyUsage=${options.keyUsage ?? 'critical,keyCertSign,cRLSign,digitalSignature'}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`);
      openssl(['x509', '-req', '-in', csrFile, '-CA', 'issuing.crt', '-CAkey', 'issuing.key', '-CAcreateserial', '-days', String(options.days ?? 1825), '-extfile', `${base}.ext`, '-out', `${base}.crt`], dir);
      return fs.readFileSync(path.join(dir, `${base}.crt`), 'utf8');
    },
    handTo(projectDir) {
      fs.mkdirSync(path.join(projectDir, 'enterprise'), { recursive: true });
      fs.copyFileSync(path.join(dir, 'root.crt'), path.join(projectDir, 'enterprise', 'root.pem'));
      fs.copyFileSync(path.join(dir, 'issuing.crt'), path.join(projectDir, 'enterprise', 'issuing.pem'));
    },
    foreignRequest(commonName) {
      const base = `foreign-${++n}`;
      openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${commonName}`], dir);
      return path.join(dir, `${base}.csr`);
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
