import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as forge from 'node-forge';
import { FileKind, InventoryCertificate, PkiInventory } from '../lib';
import { inventoryFile } from './inventory';

/** The certificates and PEM files an inventory names, as found on disk before and after a deploy. */

/** One certificate as found on disk. */
export interface CertificateState {
  /** SHA-256 of the certificate. */
  readonly fingerprint256: string;
  /** SHA-256 of its public key (SubjectPublicKeyInfo, DER): the same key gives the same value. */
  readonly publicKey256: string;
  readonly notAfter: Date;
}

/** The certificates on disk, by construct path. */
export type Snapshot = Map<string, CertificateState>;

/** The certificate file of each inventoried certificate that writes one, absolute. */
export function certFiles(inventory: PkiInventory, outputDirectory: string): [InventoryCertificate, string][] {
  return inventory.certificates.flatMap((c): [InventoryCertificate, string][] => {
    const cert = inventoryFile(c, FileKind.CERT, outputDirectory);
    return cert ? [[c, cert]] : [];
  });
}

/**
 * Reads the certificates the inventory names from disk; those not there yet, and those that cannot be read
 * (empty or cut short: {@link damagedPemFiles} names them), are left out.
 */
export function snapshot(inventory: PkiInventory, outputDirectory: string): Snapshot {
  const found: Snapshot = new Map();
  for (const [c, file] of certFiles(inventory, outputDirectory)) {
    const cert = readCertificate(file);
    if (cert === undefined) continue;
    const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
    found.set(c.constructPath, {
      fingerprint256: cert.fingerprint256,
      publicKey256: createHash('sha256').update(spki).digest('hex'),
      notAfter: new Date(cert.validTo),
    });
  }
  return found;
}

/** The certificate in a PEM file, or undefined when there is none or it cannot be read. */
function readCertificate(file: string): X509Certificate | undefined {
  try {
    return new X509Certificate(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}

/**
 * The PEM files (certificates, bundles, keys) the inventory names that are on disk but empty or cut short:
 * a block that does not end, or one that does not parse. Relative to the output directory, sorted.
 */
export function damagedPemFiles(inventory: PkiInventory, outputDirectory: string): string[] {
  const files = new Set(inventory.certificates.flatMap((c) => c.files.map((f) => f.path)).filter((f) => /\.(crt|pem|key)$/.test(f)));
  return [...files].filter((f) => {
    let text: string;
    try {
      text = fs.readFileSync(path.resolve(outputDirectory, f), 'utf8');
    } catch {
      return false;
    }
    return !isWholePem(text);
  }).sort();
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

/** An `EncryptedPrivateKeyInfo` (RFC 5958): a whole DER SEQUENCE of the algorithm and the encrypted data. */
function isEncryptedKeyInfo(block: string): boolean {
  const der = forge.pem.decode(block)[0].body;
  const info = forge.asn1.fromDer(der);
  return Array.isArray(info.value) && info.value.length === 2 && forge.asn1.toDer(info).length() === der.length;
}

/** At least one PEM block, nothing cut after the last, and each block readable as what it says it is. */
function isWholePem(text: string): boolean {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0 || text.slice(blocks[blocks.length - 1].index! + blocks[blocks.length - 1][0].length).trim() !== '') return false;
  return blocks.every(([block, label]) => {
    try {
      if (label === 'CERTIFICATE') new X509Certificate(block);
      // An encrypted key opens only with its password: its structure is what can be checked without it.
      else if (label === 'ENCRYPTED PRIVATE KEY') return isEncryptedKeyInfo(block);
      else if (label.endsWith('PRIVATE KEY')) createPrivateKey(block);
      return true;
    } catch {
      return false;
    }
  });
}
