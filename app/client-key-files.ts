import { KeyObject, X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChariotPki, FileKind, LeafCertificate } from '../lib';
import { stateResources } from './ca-keys';
import { readEncryptedKey, writeSecretFile } from './secret-file';
import { UserError } from './user-error';
import { MIN_CLIENT_KEY_PASSWORD_LENGTH } from './client-key-config';

/**
 * Client key files written encrypted (`encryptedClientKeys` in the configuration): after each deploy, the
 * `private.key` of every client in an encrypted group is PKCS#8 PEM, AES-256-CBC with its key derived by
 * PBKDF2-HMAC-SHA256 (OpenSSL's PBES2, as Node writes it), mode 0600 from its first byte. The key comes from the
 * state (where every leaf key is), in memory; the password from the deploy's environment only: it reaches neither
 * the engine nor the state. A file that already opens with the password to the same key is left as it is, so a
 * deploy that changes nothing rewrites nothing.
 */

/** The first line of an encrypted PKCS#8 key: how a key file the deploy encrypted is told from the engine's. */
export const ENCRYPTED_PEM = '-----BEGIN ENCRYPTED PRIVATE KEY-----';
/** The key file of MQTT Engine and MQTT Transmission (lib/products/ignition-module.ts). */
export const KEY_FILE = 'private.key';

/** A missing or short client key password; the message never holds the password. */
export class ClientKeyPasswordError extends UserError {}

/** The password from `env[variable]`; throws naming the variable when it is unset or short. */
export function clientKeyPassword(env: NodeJS.ProcessEnv, variable: string): string {
  const password = env[variable] ?? '';
  if (password.length < MIN_CLIENT_KEY_PASSWORD_LENGTH) {
    throw new ClientKeyPasswordError(
      `encryptedClientKeys is set, and ${variable} ${password === '' ? 'is not set' : `has ${password.length} characters`}: ` +
      `export the client key password (at least ${MIN_CLIENT_KEY_PASSWORD_LENGTH} characters). Nothing was changed.`,
    );
  }
  return password;
}

/** What a deploy did with one encrypted key file. */
export interface ClientKeyOutcome {
  readonly file: string;
  /** Written now (there was none, or it held another key or another password), or left as it was. */
  readonly written: boolean;
}

/** The clients of `pki` whose key file is written encrypted, with that file. */
export function encryptedKeyTargets(pki: ChariotPki): { client: LeafCertificate; file: string }[] {
  return pki.node.findAll()
    .filter((c): c is LeafCertificate => c instanceof LeafCertificate)
    .flatMap((client) => client.files.filter((f) => f.kind === FileKind.PRIVATE_KEY && f.encrypted).map((f) => ({ client, file: f.path })));
}

/**
 * Writes the encrypted `private.key` of every client that has one ({@link encryptedKeyTargets}) and does not hold
 * its key yet, from the keys in the state: `readState` (`show -json`) is asked for the clients whose file is due, and
 * only when one is. A file holds its key when it opens with the password to the key of the client's `cert.pem`, which
 * the engine has just written from the state. A client's key is found by its own address (the same in its site's
 * stack as in the single one, app/site-stack.ts), so a state with the sites' merged in serves too. The clients in
 * `others` (of sites another deploy may be writing, `--site`) are left to their own deploys.
 */
export async function writeEncryptedClientKeys(
  pki: ChariotPki,
  readState: (clients: LeafCertificate[]) => Promise<any>,
  password: string,
  others: ReadonlySet<LeafCertificate> = new Set(),
): Promise<ClientKeyOutcome[]> {
  const targets = encryptedKeyTargets(pki).filter((t) => !others.has(t.client));
  const due = targets.filter(({ client, file }) => !holdsCertifiedKey(file, client, password));
  const state = due.length === 0 ? undefined : await readState(due.map((t) => t.client));
  const dueFiles = new Set(due.map((t) => t.file));
  return targets.map(({ client, file }) => {
    if (!dueFiles.has(file)) {
      fs.chmodSync(file, 0o600);
      return { file, written: false };
    }
    const key = createPrivateKey(clientKeyInState(state, client));
    // The engine made the folder with the certificate; a deploy that failed before may not have.
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
    writeSecretFile(file, String(key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: password })));
    return { file, written: true };
  });
}

/** The PEM of a client's key in a `show -json` state, found by the address of its `tls_private_key`. */
function clientKeyInState(state: any, client: LeafCertificate): string {
  const address = `${client.privateKey.terraformResourceType}.${client.privateKey.friendlyUniqueId}`;
  const pem = stateResources(state).find((r) => r.address === address)?.values?.private_key_pem;
  if (typeof pem !== 'string' || pem === '') throw new Error(`the key of ${client.node.path} (${address}) is not in the state, so its encrypted key file cannot be written`);
  return pem;
}

/** Whether the file is an encrypted key that opens with the password to the key of the client's certificate file. */
function holdsCertifiedKey(file: string, client: LeafCertificate, password: string): boolean {
  const certFile = client.filePath(FileKind.CERT);
  try {
    if (certFile === undefined || !fs.readFileSync(file, 'utf8').startsWith(ENCRYPTED_PEM)) return false;
    const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
    return spki(createPublicKey(readEncryptedKey(file, password))).equals(spki(new X509Certificate(fs.readFileSync(certFile)).publicKey));
  } catch {
    return false;
  }
}
