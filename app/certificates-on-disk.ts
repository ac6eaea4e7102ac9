import { X509Certificate, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as asn1js from 'asn1js';
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
    const cert = certificateState(file);
    if (cert !== undefined) found.set(c.constructPath, cert);
  }
  return found;
}

/**
 * Certificates read, by their PEM text: a deploy reads every file before and after, and each client's bundle holds
 * the same CAs; parsing each text once halved what a deploy of 600 clients spent on it.
 */
const parsed = new Map<string, CertificateState | undefined>();

/** The certificate in a PEM file, or undefined when there is none or it cannot be read. */
function certificateState(file: string): CertificateState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return parsedCertificate(text);
}

/** Its public key's digest only when asked: exporting the key is three quarters of the cost, and a summary needs it only for a certificate that changed. */
function parseCertificate(pem: string): CertificateState | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return undefined;
  }
  let publicKey256: string | undefined;
  return {
    fingerprint256: cert.fingerprint256,
    notAfter: new Date(cert.validTo),
    get publicKey256() {
      return (publicKey256 ??= createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('hex'));
    },
  };
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

/**
 * At least one PEM block, nothing cut after the last, and each block readable as what it says it is: a certificate
 * parses (each text once: every bundle repeats the CAs); a key is one whole DER structure. Parsing a key
 * (`createPrivateKey`) cost 1.1 ms per RSA key, 2.2 s a deploy at 2,000 clients; its structure, 0.2 ms, tells a
 * file cut short or garbled as well.
 */
function isWholePem(text: string): boolean {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length === 0 || text.slice(blocks[blocks.length - 1].index! + blocks[blocks.length - 1][0].length).trim() !== '') return false;
  return blocks.every(([block, label]) => {
    try {
      if (label === 'CERTIFICATE') return parsedCertificate(block) !== undefined;
      // An encrypted key opens only with its password: its structure is what can be checked without it.
      if (label === 'ENCRYPTED PRIVATE KEY') return isEncryptedKeyInfo(block);
      if (label.endsWith('PRIVATE KEY')) return isWholeDer(block);
      return true;
    } catch {
      return false;
    }
  });
}

/** The certificate a PEM text starts with, parsed once per text ({@link parsed}). */
function parsedCertificate(pem: string): CertificateState | undefined {
  if (!parsed.has(pem)) parsed.set(pem, parseCertificate(pem));
  return parsed.get(pem);
}

/** A PEM block (one without headers, as a key's) that holds one BER/DER structure, read to its last byte and no further. */
function isWholeDer(block: string): boolean {
  const der = Buffer.from(block.replace(/^-----(BEGIN|END) [A-Z0-9 ]+-----$/gm, ''), 'base64');
  return asn1js.fromBER(der).offset === der.length;
}
