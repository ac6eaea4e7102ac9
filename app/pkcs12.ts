import * as fs from 'node:fs';
import * as path from 'node:path';
import * as forge from 'node-forge';
import { FileKind, InventoryCertificate, InventoryRole, PkiInventory } from '../lib';
import { inventoryFile } from './inventory';
import { readEncryptedKey, writeSecretFile } from './secret-file';
import { UserError } from './user-error';

/** The environment variable that holds the PKCS#12 password unless the configuration names another. */
export const DEFAULT_PKCS12_PASSWORD_ENV = 'CHARIOT_TLS_PKCS12_PASSWORD';
/** The PKCS#12 file in a client's folder. */
export const CLIENT_PKCS12_FILE = 'client.p12';
/** The PKCS#12 file in a server's folder. */
export const SERVER_PKCS12_FILE = 'server.p12';
/** keytool refuses to create a store with a shorter password; refuse it here so a later import does not fail. */
const MIN_PASSWORD_LENGTH = 6;
/** Key encryption of the key bag: PBES2 with AES-256 (Java 8u301+/11.0.12+, OpenSSL 1.1+ and 3 read it). */
const KEY_ALGORITHM = 'aes256';
/** The key shrouding and MAC iteration count of every PKCS#12 file written: OpenSSL's default (PKCS12_DEFAULT_ITER). */
export const PKCS12_ITERATIONS = 2048;

/** One PKCS#12 file to write: a leaf's key, its certificate and its chain up to the root. */
export interface Pkcs12Target {
  /** The `.p12` file, in the certificate's folder. */
  readonly file: string;
  /** The PEM private key it holds. */
  readonly keyFile: string;
  /** The certificate, then its issuers up to the root. */
  readonly certFiles: string[];
  /** The alias keytool shows: the certificate's common name. */
  readonly friendlyName: string;
}

/** What happened to one PKCS#12 file. */
export enum Pkcs12Outcome {
  /** There was none: it was written. */
  CREATED = 'created',
  /** Its key, chain, alias or password no longer matched: it was rewritten. */
  UPDATED = 'updated',
  /** It already held the same key and chain under the same password. */
  UNCHANGED = 'unchanged',
}

/** A configuration or environment problem that stops the PKCS#12 step. The message never holds the password. */
export class Pkcs12Error extends UserError {}

/**
 * The password from `env[variable]`. Throws a `Pkcs12Error` naming the variable (never the value) when it is
 * unset or too short.
 */
export function pkcs12Password(env: NodeJS.ProcessEnv, variable: string): string {
  const password = env[variable];
  if (password === undefined || password === '') {
    throw new Pkcs12Error(`PKCS#12 output is on (configuration "pkcs12") but ${variable} is not set; export ${variable} with the key store password, or remove "pkcs12" from the configuration`);
  }
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Pkcs12Error(`${variable} is shorter than ${MIN_PASSWORD_LENGTH} characters, which keytool refuses; use a longer password`);
  }
  return password;
}

/**
 * A PKCS#12 target for each server and client certificate of the inventory: `server.p12` or `client.p12` in its
 * folder, holding its key, its certificate and its issuers' certificates up to the root.
 */
export function pkcs12Targets(inventory: PkiInventory, outputDirectory: string): Pkcs12Target[] {
  const byPath = new Map(inventory.certificates.map((c) => [c.constructPath, c]));
  const fileOf = (c: InventoryCertificate, kind: FileKind) => inventoryFile(c, kind, outputDirectory);
  return inventory.certificates
    .filter((c) => c.role === InventoryRole.SERVER || c.role === InventoryRole.CLIENT)
    .flatMap((c) => {
      const cert = fileOf(c, FileKind.CERT);
      const key = fileOf(c, FileKind.PRIVATE_KEY);
      if (cert === undefined || key === undefined) return [];
      const chain: string[] = [cert];
      for (let issuer = c.issuerPath && byPath.get(c.issuerPath); issuer; issuer = issuer.issuerPath && byPath.get(issuer.issuerPath)) {
        const issuerCert = fileOf(issuer, FileKind.CERT);
        if (issuerCert === undefined) throw new Pkcs12Error(`${issuer.constructPath} writes no certificate file, so the chain of ${c.constructPath} cannot go into its PKCS#12 file`);
        chain.push(issuerCert);
      }
      const name = c.role === InventoryRole.SERVER ? SERVER_PKCS12_FILE : CLIENT_PKCS12_FILE;
      return [{ file: path.join(path.dirname(cert), name), keyFile: key, certFiles: chain, friendlyName: c.subject.commonName }];
    });
}

/**
 * Writes `target.file` (mode 0600) unless it already holds the same key, chain and alias under `password`.
 * A file that does not open with the password (it changed) is rewritten.
 */
export function writePkcs12(target: Pkcs12Target, password: string, keyFilePassword?: string): Pkcs12Outcome {
  const key = readRsaKey(target.keyFile, keyFilePassword);
  const chain = target.certFiles.map((f) => forge.pki.certificateFromPem(fs.readFileSync(f, 'utf8')));
  const existed = fs.existsSync(target.file);
  if (existed && holds(target.file, password, key, chain, target.friendlyName)) {
    fs.chmodSync(target.file, 0o600);
    return Pkcs12Outcome.UNCHANGED;
  }
  const p12 = forge.pkcs12.toPkcs12Asn1(key, chain, password, {
    algorithm: KEY_ALGORITHM, count: PKCS12_ITERATIONS, friendlyName: target.friendlyName, generateLocalKeyId: true,
  });
  writeSecretFile(target.file, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
  return existed ? Pkcs12Outcome.UPDATED : Pkcs12Outcome.CREATED;
}

/** The contents of a PKCS#12 file opened with `password`: its keys and certificates with their aliases. */
export interface Pkcs12Contents {
  readonly keys: { friendlyName?: string; key: forge.pki.rsa.PrivateKey }[];
  readonly certificates: { friendlyName?: string; certificate: forge.pki.Certificate }[];
}

/** Opens a PKCS#12 file; throws when the password is wrong or the file is damaged. */
export function readPkcs12(file: string, password: string): Pkcs12Contents {
  const der = fs.readFileSync(file).toString('binary');
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der), true, password);
  const bags = (type: string) => p12.getBags({ bagType: type })[type] ?? [];
  const friendlyName = (bag: forge.pkcs12.Bag) => bag.attributes?.friendlyName?.[0] as string | undefined;
  return {
    keys: bags(forge.pki.oids.pkcs8ShroudedKeyBag).map((b) => ({ friendlyName: friendlyName(b), key: b.key as forge.pki.rsa.PrivateKey })),
    certificates: bags(forge.pki.oids.certBag).map((b) => ({ friendlyName: friendlyName(b), certificate: b.cert! })),
  };
}

/** An RSA key from a PEM file; an encrypted one (app/client-key-files.ts) is decrypted with `password`, in memory. */
function readRsaKey(file: string, password?: string): forge.pki.rsa.PrivateKey {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const pem = password !== undefined && text.includes('ENCRYPTED PRIVATE KEY')
      ? String(readEncryptedKey(file, password).export({ type: 'pkcs1', format: 'pem' }))
      : text;
    return forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  } catch {
    // forge reads RSA keys only; the message names the file, never its content.
    throw new Pkcs12Error(`${file}: not an RSA private key; PKCS#12 output supports RSA keys (the default) only`);
  }
}

/** Whether the file opens with the password and holds exactly this key, chain and alias. */
function holds(file: string, password: string, key: forge.pki.rsa.PrivateKey, chain: forge.pki.Certificate[], friendlyName: string): boolean {
  let contents: Pkcs12Contents;
  try {
    contents = readPkcs12(file, password);
  } catch {
    return false;
  }
  const der = (c: forge.pki.Certificate) => forge.asn1.toDer(forge.pki.certificateToAsn1(c)).getBytes();
  const [only] = contents.keys;
  return contents.keys.length === 1
    && only.friendlyName === friendlyName
    && only.key.n.equals(key.n) && only.key.d.equals(key.d)
    && contents.certificates.length === chain.length
    && contents.certificates.every((c, i) => der(c.certificate) === der(chain[i]));
}
