import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CrlFacts, readCrl } from './crl';

/** Files that may hold certificates. */
const CERTIFICATE_FILE = /\.(crt|pem|cer)$/;
/** Private key files: checked for their mode and against their certificate, never printed. */
const KEY_FILE = /\.key$/;
const BEGIN_CERTIFICATE = /-----BEGIN CERTIFICATE-----/g;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----/;
/** CRLs as OpenSSL, Mosquitto, Java and our deploys write them (RFC 7468's label). */
const BEGIN_CRL = /-----BEGIN X509 CRL-----/g;
const PEM_CRL = /-----BEGIN X509 CRL-----[\s\S]+?-----END X509 CRL-----/g;

/** The certificates of one file, in file order. */
export interface CertificateFile {
  /** Path relative to the directory inspected, `/`-separated. */
  readonly file: string;
  readonly certificates: X509Certificate[];
}

/** The CRLs of one file (`crl.pem`, `server-ca.crl.pem`, a bundle), in file order. */
export interface CrlFile {
  /** Path relative to the directory inspected, `/`-separated. */
  readonly file: string;
  readonly crls: CrlFacts[];
}

/** What is wrong with a file. */
export enum FileProblemKind {
  /** A certificate or CRL file that is empty, cut short or unreadable, or a link to nothing. */
  FILE = 'file',
  /** A private key readable by others, or one that does not belong to its certificate. */
  KEY = 'key',
}

/** One file that cannot be trusted as it is. */
export interface FileProblem {
  /** Path relative to the directory inspected. */
  readonly file: string;
  readonly kind: FileProblemKind;
  /** What is wrong and what to do, in words. */
  readonly problem: string;
}

/** The certificates and CRLs under a directory, and what is wrong with its files. */
export interface DirectoryReading {
  /** Files holding at least one certificate, sorted by path. */
  readonly files: CertificateFile[];
  /** Files holding at least one CRL, sorted by path. */
  readonly crlFiles: CrlFile[];
  /** The private keys that are encrypted: checked for their mode only, as their certificate cannot be compared without the password. */
  readonly encryptedKeys: EncryptedKey[];
  readonly problems: FileProblem[];
}


/** A private key file that is encrypted (`encryptedClientKeys`), and the certificate it sits beside. */
export interface EncryptedKey {
  /** Path relative to the directory inspected. */
  readonly file: string;
  /** Its certificate's file (`NAME.crt`, else `cert.pem` beside it), when there is one. */
  readonly certificate?: string;
}

/**
 * Reads every certificate and CRL under `dir` (files ending in `.crt`, `.pem` or `.cer`), and checks the private
 * keys (`.key`): a key any other user can read, or one whose public key is not its certificate's, is a problem; an
 * encrypted key is checked for its mode and listed in `encryptedKeys` (without the password it cannot be compared).
 * A certificate file that is empty, cut short, or holds a block that is no certificate or CRL is a problem, and so
 * is a link to nothing or a link loop. Links to directories are not followed. Only `CERTIFICATE` and `X509 CRL`
 * blocks are read from `.pem` files: a key that sits in one is left alone.
 */
export function readDirectory(dir: string, deployCommand = 'npm run deploy'): DirectoryReading {
  const redeploy = `run \`${deployCommand}\` to write it again`;
  const files: CertificateFile[] = [];
  const crlFiles: CrlFile[] = [];
  const problems: FileProblem[] = [];
  const problem = (file: string, kind: FileProblemKind, text: string) => problems.push({ file, kind, problem: text });
  const keys: string[] = [];
  for (const { file, error } of walk(dir, redeploy)) {
    if (error) {
      if (CERTIFICATE_FILE.test(file) || KEY_FILE.test(file)) problem(file, FileProblemKind.FILE, error);
      continue;
    }
    if (KEY_FILE.test(file)) keys.push(file);
    if (!CERTIFICATE_FILE.test(file)) continue;
    const read = readPemFile(path.join(dir, file), redeploy);
    if (read.problem) problem(file, FileProblemKind.FILE, read.problem);
    if (read.certificates.length > 0) files.push({ file, certificates: read.certificates });
    if (read.crls.length > 0) crlFiles.push({ file, crls: read.crls });
  }
  const encryptedKeys: EncryptedKey[] = [];
  for (const key of keys) {
    const checked = checkKey(dir, key, files, redeploy);
    if (checked.problem) problem(key, FileProblemKind.KEY, checked.problem);
    if (checked.encrypted) encryptedKeys.push({ file: key, certificate: partner(key, files)?.file });
  }
  return { files, crlFiles, encryptedKeys, problems };
}

/** Every regular file under `dir`, relative and sorted; a link that leads nowhere comes with why. */
function walk(dir: string, redeploy: string, relative = ''): { file: string; error?: string }[] {
  const found: { file: string; error?: string }[] = [];
  for (const name of fs.readdirSync(path.join(dir, relative)).sort()) {
    const file = relative ? `${relative}/${name}` : name;
    const full = path.join(dir, file);
    const entry = fs.lstatSync(full);
    if (entry.isDirectory()) {
      found.push(...walk(dir, redeploy, file));
    } else if (entry.isSymbolicLink()) {
      const target = fs.readlinkSync(full);
      try {
        if (fs.statSync(full).isFile()) found.push({ file });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        found.push({ file, error: code === 'ELOOP' ? `is a loop of symbolic links (via ${target}); replace it with the file` : `is a symbolic link to ${target}, which does not exist; ${redeploy} or fix the link` });
      }
    } else if (entry.isFile()) {
      found.push({ file });
    }
  }
  return found;
}

/** The certificates and CRLs of a file, and what is wrong with it. */
function readPemFile(file: string, redeploy: string): { certificates: X509Certificate[]; crls: CrlFacts[]; problem?: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { certificates: [], crls: [], problem: `cannot be read (${(e as NodeJS.ErrnoException).code})` };
  }
  if (text.trim() === '') return { certificates: [], crls: [], problem: `is empty (a full disk or a copy that stopped?); ${redeploy}` };
  const bad: string[] = [];
  const certificates = parseBlocks(text, PEM_CERTIFICATE, 'certificate', bad, (block) => new X509Certificate(block));
  const crls = parseBlocks(text, PEM_CRL, 'CRL', bad, (block) => {
    const crl = readCrl(block);
    if (!crl) throw new Error('its DER is not a CertificateList');
    return crl;
  });
  const begun = (text.match(BEGIN_CERTIFICATE) ?? []).length;
  const begunCrls = (text.match(BEGIN_CRL) ?? []).length;
  if (begun > (text.match(PEM_CERTIFICATE) ?? []).length) bad.push(`is cut short: a certificate has no END line; ${redeploy}`);
  else if (begunCrls > (text.match(PEM_CRL) ?? []).length) bad.push(`is cut short: a CRL has no END line; ${redeploy}`);
  else if (begun === 0 && begunCrls === 0 && (file.endsWith('.pem') ? !PEM_BLOCK.test(text) : true)) bad.push('holds no certificate');
  return { certificates, crls, problem: bad.length > 0 ? bad.join('; ') : undefined };
}

/** Each complete PEM block of `pattern` in `text`, parsed; a block that does not parse is named in `bad`. */
function parseBlocks<T>(text: string, pattern: RegExp, kind: string, bad: string[], parse: (block: string) => T): T[] {
  const blocks = text.match(pattern) ?? [];
  const parsed: T[] = [];
  blocks.forEach((block, i) => {
    try {
      parsed.push(parse(block));
    } catch (e) {
      bad.push(`${kind} ${i + 1} of ${blocks.length} is not a valid ${kind} (${(e as Error).message})`);
    }
  });
  return parsed;
}

/** What is wrong with key `file`, if anything (its mode, and whether it belongs to its certificate), and whether it is encrypted. */
function checkKey(dir: string, file: string, files: CertificateFile[], redeploy: string): { problem?: string; encrypted?: boolean } {
  const full = path.join(dir, file);
  const mode = fs.statSync(full).mode & 0o777;
  if ((mode & 0o077) !== 0) return { problem: `has mode 0${mode.toString(8)}: other users can read this private key; chmod 600 ${full}` };
  const text = fs.readFileSync(full, 'utf8');
  if (/ENCRYPTED/.test(text)) return { encrypted: true };
  const certificate = partner(file, files);
  if (!certificate) return {};
  let publicKey: string;
  try {
    publicKey = createPublicKey(createPrivateKey(text)).export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    return { problem: `is not a readable private key; ${redeploy}` };
  }
  const certificateKey = certificate.cert.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return publicKey === certificateKey ? {} : { problem: `does not belong to ${certificate.file}: the key and the certificate are of different pairs; ${redeploy}` };
}

/** The certificate a key belongs to: `NAME.crt` for `NAME.key` (and `NAME.pkcs8.key`), else `cert.pem` beside it. */
function partner(file: string, files: CertificateFile[]): { file: string; cert: X509Certificate } | undefined {
  const dir = path.posix.dirname(file);
  const stem = path.posix.basename(file).replace(/(\.pkcs8)?\.key$/, '');
  for (const name of [`${stem}.crt`, 'cert.pem']) {
    const candidate = dir === '.' ? name : `${dir}/${name}`;
    const found = files.find((f) => f.file === candidate);
    if (found) return { file: candidate, cert: found.certificates[0] };
  }
  return undefined;
}
