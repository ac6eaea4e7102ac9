import { X509Certificate } from 'node:crypto';
import { shortName } from './inspect-names';

/** The root of generation 1, relative to the directory inspected. */
export const ROOT_FILE = 'ca/ca.crt';
/** The root files the PKI writes: `ca/ca.crt` (generation 1) and `ca/ca-gN.crt` (generation N, after a root rotation). */
const ROOT_FILE_PATTERN = /^ca\/ca(?:-g([1-9]\d*))?\.crt$/;
/** Why no chain can be verified when there is no root. */
export const NO_ROOT = `neither ${ROOT_FILE} nor a ca/ca-gN.crt holds a self-signed certificate`;
/** Longer chains than this are not followed (ours have three certificates). */
const MAX_CHAIN_LENGTH = 8;

/** A trust anchor: the self-signed certificate of a root file. */
export interface RootCertificate {
  /** `ca/ca.crt` or `ca/ca-gN.crt`. */
  readonly file: string;
  /** The root's generation: 1 for `ca/ca.crt`, N for `ca/ca-gN.crt` (with `--root`, the last named is 1). */
  readonly generation: number;
  readonly certificate: X509Certificate;
}

/** Whether a certificate chains to one of the roots (`ca/ca.crt`, `ca/ca-gN.crt`). */
export interface ChainResult {
  readonly verified: boolean;
  /** Common names from the certificate up to the root it reaches, when verified. */
  readonly path: string[];
  /** Why it does not verify, when it does not. */
  readonly problem?: string;
}

/**
 * The self-signed first certificates of the root files, newest generation first. The root files are `rootFiles`
 * (relative to the directory, in the order given: the first is the newest) when given, else ChariotPki's.
 */
export function findRoots(files: { readonly file: string; readonly certificates: X509Certificate[] }[], rootFiles?: readonly string[]): RootCertificate[] {
  const generation = (file: string): number | undefined => {
    if (rootFiles !== undefined) return rootFiles.includes(file) ? rootFiles.length - rootFiles.indexOf(file) : undefined;
    const match = ROOT_FILE_PATTERN.exec(file);
    return match ? Number(match[1] ?? 1) : undefined;
  };
  return files
    .flatMap((f) => {
      const g = generation(f.file);
      const certificate = f.certificates[0];
      return g !== undefined && isSelfSigned(certificate) ? [{ file: f.file, generation: g, certificate }] : [];
    })
    .sort((a, b) => b.generation - a.generation);
}

/**
 * Checks a certificate's chain: signature by signature, through `cas`, up to one of `roots`, the newest tried
 * first. Times are not part of it.
 */
export function checkChain(cert: X509Certificate, roots: RootCertificate[], cas: X509Certificate[]): ChainResult {
  if (roots.length === 0) return { verified: false, path: [], problem: `no root: ${NO_ROOT}` };
  const found = signaturePath(cert, roots, cas);
  if (found) return { verified: true, path: found.map((c) => shortName(c.subject)) };
  const where = roots.length === 1 ? `the root in ${roots[0].file}` : `a root in ${roots.map((r) => r.file).join(', ')}`;
  return { verified: false, path: [], problem: `no signature path to ${where}` };
}

/** The certificates from `cert` up to one of `roots` (the newest tried first), each signed by the next, or undefined. */
export function signaturePath(cert: X509Certificate, roots: RootCertificate[], cas: X509Certificate[]): X509Certificate[] | undefined {
  for (const root of roots) {
    const found = pathToRoot(cert, root.certificate, cas, 0);
    if (found) return found;
  }
  return undefined;
}

/** One certificate per fingerprint, first seen first. */
export function unique(certs: X509Certificate[]): X509Certificate[] {
  const seen = new Map<string, X509Certificate>();
  for (const c of certs) if (!seen.has(c.fingerprint256)) seen.set(c.fingerprint256, c);
  return [...seen.values()];
}

/** The certificates from `cert` up to `root` (self-signed, checked by `findRoots`), each signed by the next, or undefined. */
function pathToRoot(cert: X509Certificate, root: X509Certificate, cas: X509Certificate[], depth: number): X509Certificate[] | undefined {
  if (cert.fingerprint256 === root.fingerprint256) return [root];
  if (depth >= MAX_CHAIN_LENGTH) return undefined;
  for (const ca of cas) {
    if (ca.fingerprint256 === cert.fingerprint256 || !cert.checkIssued(ca) || !cert.verify(ca.publicKey)) continue;
    const rest = pathToRoot(ca, root, cas, depth + 1);
    if (rest) return [cert, ...rest];
  }
  return undefined;
}

function isSelfSigned(cert: X509Certificate | undefined): cert is X509Certificate {
  return cert !== undefined && cert.checkIssued(cert) && cert.verify(cert.publicKey);
}
