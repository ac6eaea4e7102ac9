import { KeyObject, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a secret (a key store, a key file) through a temporary file created 0600 and renamed into place: it is
 * never readable by others, and a reader sees the old file or the whole new one.
 */
export function writeSecretFile(file: string, data: string | Buffer): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  // One left by a killed deploy may have any mode: the new one is created, never reused.
  fs.rmSync(temporary, { force: true });
  const fd = fs.openSync(temporary, 'wx', 0o600);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

/** The key in an encrypted PEM key file, decrypted with `password` in memory; throws when it cannot be. */
export function readEncryptedKey(file: string, password: string): KeyObject {
  return createPrivateKey({ key: fs.readFileSync(file), format: 'pem', passphrase: password });
}
