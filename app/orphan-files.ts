import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLIENT_TRUST_STORE_FILE, FileKind } from '../lib';
import { CHARIOT } from '../lib/products/chariot';
import { MQTT_TRANSMISSION } from '../lib/products/mqtt-transmission';
import { ENCRYPTED_PEM, KEY_FILE } from './client-key-files';
import { CLIENT_PKCS12_FILE, SERVER_PKCS12_FILE } from './pkcs12';

/**
 * The files the deploy writes itself, beside the engine's, which no resource declares: when the engine removes a
 * client's or a server's files (it left the configuration, or was revoked), these stay behind unless removed here.
 * Each is tied to the certificate file the engine writes in the same folder: without that certificate, the folder's
 * product is gone.
 */
const CLIENT_CERT = MQTT_TRANSMISSION.fileName(FileKind.CERT)!;
const SERVER_CERT = CHARIOT.fileName(FileKind.CERT)!;
const DEPLOY_WRITTEN: readonly { readonly certificate: string; readonly isOurs: (file: string) => boolean }[] = [
  // A client's folder: its PKCS#12 file and its key when the deploy encrypted it (the engine's own key is declared).
  { certificate: CLIENT_CERT, isOurs: (file) => path.basename(file) === CLIENT_PKCS12_FILE || isEncryptedKey(file) },
  // A server's folder: its PKCS#12 file (with its key) and its Java trust store.
  { certificate: SERVER_CERT, isOurs: (file) => [SERVER_PKCS12_FILE, CLIENT_TRUST_STORE_FILE].includes(path.basename(file)) },
];

/**
 * Removes, from every folder under `certs/` whose client or server certificate is gone, the files the deploy wrote
 * there itself, then the folder when it is empty. Returns the files removed.
 */
export function removeOrphanFiles(outputDirectory: string): string[] {
  const certs = path.join(outputDirectory, 'certs');
  if (!fs.existsSync(certs)) return [];
  const removed: string[] = [];
  for (const entry of fs.readdirSync(certs, { recursive: true }) as string[]) {
    const file = path.join(certs, entry);
    const folder = path.dirname(file);
    // A file gone since the listing was removed by the engine of another site's deploy.
    if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile() || !DEPLOY_WRITTEN.some((w) => w.isOurs(file) && !fs.existsSync(path.join(folder, w.certificate)))) continue;
    fs.rmSync(file);
    removed.push(file);
    if (fs.readdirSync(folder).length === 0) fs.rmdirSync(folder);
  }
  return removed;
}

function isEncryptedKey(file: string): boolean {
  return path.basename(file) === KEY_FILE && fs.readFileSync(file, 'utf8').startsWith(ENCRYPTED_PEM);
}
