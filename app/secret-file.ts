import { KeyObject, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import { writeAtomically } from './atomic-file';

/**
 * Writes a secret (a key store, a key file) through a temporary file created 0600 and renamed into place: it is
 * never readable by others, and a reader sees the old file or the whole new one.
 */
export function writeSecretFile(file: string, data: string | Buffer): void {
  writeAtomically(file, data, 0o600);
}

/** The key in an encrypted PEM key file, decrypted with `password` in memory; throws when it cannot be. */
export function readEncryptedKey(file: string, password: string): KeyObject {
  return createPrivateKey({ key: fs.readFileSync(file), format: 'pem', passphrase: password });
}
