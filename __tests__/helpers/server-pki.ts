import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A server certificate made by openssl: its files, outside any output directory. */
export interface IssuedServer {
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate, then its issuing CA: what a server sending its chain serves. */
  readonly fullchainFile: string;
}

/**
 * A hand-made PKI laid out as ChariotPki writes it, signed by openssl in a temporary directory:
 *   DIR/ca/ca.crt                     Test Root CA (EC P-256)
 *   DIR/ca/server/server-ca.crt       Test Server CA, signed by the root
 *   DIR/certs/server/server.crt       CN=chariot, DNS:localhost, DNS:chariot.example.com, IP:127.0.0.1 (365 days)
 *   DIR/certs/server/server.key       its key (0600), ca-chain.pem (Server CA, root), fullchain.pem (server, Server CA)
 * and, outside DIR, more server certificates on demand: another of the Server CA (a renewal not yet in the files,
 * or the one before it), or one of another root.
 */
export interface ServerPki {
  /** The output directory. */
  readonly dir: string;
  /** The file under {@link dir}, relative. */
  readonly serverCert: string;
  /** {@link dir}'s own server files as a server gets them. */
  readonly deployed: IssuedServer;
  /** Another certificate of the Server CA for the same name, valid `days` days (the files' own is valid 365). */
  issue(name: string, days: number): IssuedServer;
  /** A server certificate of another PKI's root, for the same names. */
  foreign(): IssuedServer;
  remove(): void;
}

const SAN = 'subjectAltName=DNS:localhost,DNS:chariot.example.com,IP:127.0.0.1';
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export function serverPki(): ServerPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-served-'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-served-work-'));
  const w = (name: string) => path.join(work, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  fs.writeFileSync(w('ext.cnf'), [
    '[ca_ext]', 'basicConstraints = critical,CA:TRUE,pathlen:0', 'keyUsage = critical,keyCertSign,cRLSign', 'subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid',
    '[server_ext]', 'basicConstraints = critical,CA:FALSE', 'keyUsage = critical,digitalSignature', 'extendedKeyUsage = serverAuth', SAN.replace('=', ' = '), 'authorityKeyIdentifier = keyid', '',
  ].join('\n'));
  const root = (name: string, subject: string) => openssl('req', '-x509', ...EC, '-keyout', w(`${name}.key`), '-out', w(`${name}.crt`), '-days', '3650', '-subj', subject,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-addext', 'subjectKeyIdentifier=hash');
  const sign = (name: string, issuer: string, subject: string, days: number, ext: string) => {
    openssl('req', ...EC, '-keyout', w(`${name}.key`), '-out', w(`${name}.csr`), '-subj', subject);
    openssl('x509', '-req', '-in', w(`${name}.csr`), '-CA', w(`${issuer}.crt`), '-CAkey', w(`${issuer}.key`), '-set_serial', String(Math.floor(Math.random() * 1e9)),
      '-days', String(days), '-extfile', w('ext.cnf'), '-extensions', ext, '-out', w(`${name}.crt`));
    fs.chmodSync(w(`${name}.key`), 0o600);
  };
  const read = (name: string) => fs.readFileSync(w(name), 'utf8');
  const server = (name: string, issuer: string, days: number): IssuedServer => {
    sign(name, issuer, '/O=Test/CN=chariot', days, 'server_ext');
    fs.writeFileSync(w(`${name}-fullchain.pem`), read(`${name}.crt`) + read(`${issuer}.crt`));
    return { certFile: w(`${name}.crt`), keyFile: w(`${name}.key`), fullchainFile: w(`${name}-fullchain.pem`) };
  };

  root('root', '/O=Test/CN=Test Root CA');
  sign('server-ca', 'root', '/O=Test/CN=Test Server CA', 1825, 'ca_ext');
  const own = server('server', 'server-ca', 365);
  const at = (file: string, text: string, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text, { mode });
  };
  at('ca/ca.crt', read('root.crt'));
  at('ca/server/server-ca.crt', read('server-ca.crt'));
  at('certs/server/server.crt', read('server.crt'));
  at('certs/server/server.key', read('server.key'), 0o600);
  at('certs/server/ca-chain.pem', read('server-ca.crt') + read('root.crt'));
  at('certs/server/fullchain.pem', read('server.crt') + read('server-ca.crt'));
  let foreignRoot = false;
  return {
    dir,
    serverCert: 'certs/server/server.crt',
    deployed: own,
    issue: (name, days) => server(name, 'server-ca', days),
    foreign: () => {
      if (!foreignRoot) {
        root('other-root', '/O=Other/CN=Other Root CA');
        foreignRoot = true;
      }
      return server('foreign', 'other-root', 365);
    },
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}
