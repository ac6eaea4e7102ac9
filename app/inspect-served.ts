import { X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { DAY_MS, Inspection, InspectedCertificate, distinctCertificates } from './inspect';
import { ChainResult, checkChain, signaturePath, unique } from './inspect-chain';
import { CertificateFile } from './inspect-files';
import { commonName, distinguishedName, shortName } from './inspect-names';
import { ConnectTarget, ServedChain, readServedChain, targetText } from './inspect-connect';

/** The extended key usage of a TLS server certificate. */
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/** What can be wrong with what a server serves: each makes `inspect --connect` exit 7 (ExitCode.SERVED). */
export enum ServedProblemKind {
  /** The server's own certificate is in no file under the directory: not uploaded yet, or another PKI's. */
  LEAF = 'leaf',
  /** The server sends a CA certificate that is in no file under the directory. */
  FOREIGN_CA = 'foreign-ca',
  /** The server's certificate chains to our root only through a CA certificate the server does not send. */
  CHAIN_INCOMPLETE = 'chain-incomplete',
  /** The served chain reaches none of the directory's roots. */
  CHAIN = 'chain',
  /** The name clients connect with is not in the certificate's subjectAltName: they refuse the server. */
  NAME = 'name',
}

/** One thing wrong with what is served. */
export interface ServedProblem {
  readonly kind: ServedProblemKind;
  /** What is wrong and what to do, in words. */
  readonly problem: string;
}

/** One certificate as the server sent it. */
export interface ServedCertificate {
  /** Its place in what was sent, from 1 (the server's own). */
  readonly position: number;
  readonly subject: string;
  readonly subjectCommonName: string;
  readonly issuer: string;
  /** `DNS:chariot.example.com, IP Address:10.0.0.5`; none for a CA without one. */
  readonly subjectAltName?: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Whole days until it expires, rounded down: negative once expired. */
  readonly daysLeft: number;
  readonly expired: boolean;
  readonly fingerprint256: string;
  readonly isCa: boolean;
  /** The files under the directory that hold it, its own file first; none when it is in none. */
  readonly files: string[];
}

/** What a server serves, compared with the files and the roots of a directory. */
export interface ServedCheck {
  /** `HOST:PORT` as given. */
  readonly target: string;
  /** The name checked against the subjectAltName (`--servername`, else the host), and sent as SNI unless an IP address. */
  readonly name: string;
  readonly protocol?: string;
  /** As sent, the server's own first. */
  readonly certificates: ServedCertificate[];
  /** The file holding the server's own certificate (its own file, e.g. `certs/server/server.crt`), if any does. */
  readonly leafFile?: string;
  /** The served chain (the server's own certificate and the CAs it sends) up to one of the directory's roots. */
  readonly chain: ChainResult;
  /** The root the served chain reaches, when it does. */
  readonly rootFile?: string;
  /** Whether `name` is in the server certificate's subjectAltName (`tls.checkServerIdentity`). */
  readonly nameMatches: boolean;
  /** Every problem found, in the order of {@link ServedProblemKind}. */
  readonly problems: ServedProblem[];
}

/** What `--connect` came to: the check of the served chain, or why there is none. */
export interface ServedOutcome {
  /** `HOST:PORT` as given. */
  readonly target: string;
  /** The name checked. */
  readonly name: string;
  /** The check, when the server sent its certificate. */
  readonly check?: ServedCheck;
  /** Why nothing was read (no connection, no certificate within the timeout), when so. */
  readonly error?: string;
}

/**
 * Reads the chain `target` serves ({@link readServedChain}) and checks it against the directory ({@link checkServed}):
 * `name` is the name clients use (and the SNI), `target`'s host unless given.
 */
export async function inspectServed(target: ConnectTarget, name: string | undefined, timeoutMs: number, inspection: Inspection, files: CertificateFile[]): Promise<ServedOutcome> {
  const checked = name ?? target.host;
  const outcome = { target: targetText(target), name: checked };
  try {
    return { ...outcome, check: checkServed(await readServedChain(target, checked, timeoutMs), inspection, files, checked) };
  } catch (e) {
    return { ...outcome, error: (e as Error).message };
  }
}

/**
 * Compares a served chain with a directory: the server's certificate must be one of the files (by SHA-256
 * fingerprint), each CA certificate it sends must be one of the files too, what it sends must chain to one of the
 * directory's roots without the help of the files (a client has only what the server sends and its trust bundle),
 * and `name` must be in the subjectAltName as a client checks it.
 */
export function checkServed(served: ServedChain, inspection: Inspection, files: CertificateFile[], name: string): ServedCheck {
  const [leaf, ...sentCas] = served.certificates;
  const certificates = served.certificates.map((c, i) => describe(c, i + 1, inspection));
  const problems: ServedProblem[] = [];
  const problem = (kind: ServedProblemKind, text: string) => problems.push({ kind, problem: text });

  // A client has what the server sends and its trust bundle (our roots), not the other files.
  const clientHas = [...sentCas, ...inspection.roots.map((r) => r.certificate)];
  const folderCas = unique(files.flatMap((f) => f.certificates).filter((c) => c.ca));
  const throughFiles = signaturePath(leaf, inspection.roots, [...clientHas, ...folderCas]);
  const leafFile = certificates[0].files[0];
  if (leafFile === undefined) problem(ServedProblemKind.LEAF, leafProblem(certificates[0], serverCertificates(files, inspection), throughFiles !== undefined));
  for (const ca of certificates.slice(1).filter((c) => c.files.length === 0)) {
    problem(ServedProblemKind.FOREIGN_CA, `the server sends ${ca.subject} (certificate ${ca.position}, SHA-256 ${ca.fingerprint256}), which is in no file here`);
  }
  const chain = checkChain(leaf, inspection.roots, clientHas);
  const reached = chain.verified ? signaturePath(leaf, inspection.roots, clientHas)!.at(-1)! : undefined;
  const root = inspection.roots.find((r) => r.certificate.fingerprint256 === reached?.fingerprint256);
  if (!chain.verified) problems.push(chainProblem(leaf, sentCas, throughFiles, chain, inspection));
  const nameError = tls.checkServerIdentity(name, leaf.toLegacyObject());
  if (nameError) problem(ServedProblemKind.NAME, `${name} is not a name of the served certificate (${leaf.subjectAltName ?? 'no subjectAltName'}): clients connecting as ${name} refuse it`);
  return { target: served.target, name, protocol: served.protocol, certificates, leafFile, chain, rootFile: root?.file, nameMatches: nameError === undefined, problems };
}

/**
 * Why the served chain does not verify: it reaches our root only through CAs in the files (chain incomplete, naming
 * those the server does not send and the bundle that serves them), or not at all.
 */
function chainProblem(leaf: X509Certificate, sentCas: X509Certificate[], throughFiles: X509Certificate[] | undefined, chain: ChainResult, inspection: Inspection): ServedProblem {
  if (inspection.roots.length === 0) return { kind: ServedProblemKind.CHAIN, problem: `the served chain cannot be checked: ${chain.problem}` };
  if (throughFiles === undefined) {
    return { kind: ServedProblemKind.CHAIN, problem: `the served chain does not reach our root: ${chain.problem}; the server serves another PKI's certificate` };
  }
  const missing = throughFiles.slice(1, -1).filter((c) => !sentCas.some((s) => s.fingerprint256 === c.fingerprint256));
  // The bundles that start with the served certificate: fullchain.pem is what a server sending its chain reads.
  const chainFiles = inspection.certificates.filter((c) => c.fingerprint256 === leaf.fingerprint256 && c.count > 1 && c.index === 1).map((c) => c.file);
  const fix = chainFiles.length > 0 ? `serve the chain: ${chainFiles.join(', ')}, or the chain field of the server's upload screen` : 'give the server its chain (the chain field of its upload screen)';
  const names = missing.map((c) => shortName(c.subject)).join(', ');
  return { kind: ServedProblemKind.CHAIN_INCOMPLETE, problem: `chain incomplete: the server does not send ${names}, so a client with only the trust bundle cannot verify it; ${fix}` };
}

/** The served certificates that expire within `days` days of `now` (or have expired). */
export function servedExpiringWithin(check: ServedCheck, days: number, now: Date): ServedCertificate[] {
  return check.certificates.filter((c) => c.notAfter.getTime() <= now.getTime() + days * DAY_MS);
}

function describe(cert: X509Certificate, position: number, inspection: Inspection): ServedCertificate {
  const notAfter = new Date(cert.validTo);
  const msLeft = notAfter.getTime() - inspection.checkedAt.getTime();
  const copies = inspection.certificates.filter((c) => c.fingerprint256 === cert.fingerprint256);
  const own = distinctCertificates(copies)[0]?.certificate;
  return {
    position,
    subject: distinguishedName(cert.subject),
    subjectCommonName: commonName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    subjectAltName: cert.subjectAltName,
    serialNumber: cert.serialNumber,
    notBefore: new Date(cert.validFrom),
    notAfter,
    daysLeft: Math.floor(msLeft / DAY_MS),
    expired: msLeft <= 0,
    fingerprint256: cert.fingerprint256,
    isCa: cert.ca,
    files: own === undefined ? [] : [own.label, ...copies.filter((c) => c !== own).map((c) => c.label)],
  };
}

/** The server certificates in their own files (not a bundle's copies): TLS server usage, no CA. */
function serverCertificates(files: CertificateFile[], inspection: Inspection): InspectedCertificate[] {
  const servers = new Set(files.flatMap((f) => f.certificates).filter((c) => !c.ca && (c.keyUsage ?? []).includes(SERVER_AUTH)).map((c) => c.fingerprint256));
  return distinctCertificates(inspection.certificates.filter((c) => servers.has(c.fingerprint256))).map((d) => d.certificate);
}

/**
 * Why the served certificate is not in the files: of our PKI (`ours`: it chains to our root), the file with its
 * subject and whether the served one is older (not yet replaced by the files' renewal) or newer; else the server
 * certificates there are.
 */
function leafProblem(served: ServedCertificate, servers: InspectedCertificate[], ours: boolean): string {
  const what = `the server serves ${served.subject} (not after ${day(served.notAfter)}, SHA-256 ${served.fingerprint256}), which is in no file here`;
  const same = ours ? servers.find((s) => s.subject === served.subject) : undefined;
  if (same) {
    // A renewal expires later than what it renews: a server still serving the one before it was not given the new files.
    const older = served.notAfter.getTime() < same.notAfter.getTime();
    const fix = older ? `upload ${same.label} (and its chain) to the server, or reload it` : "deploy, or check which PKI's files the server has";
    return `${what}: it is ${older ? 'older' : 'newer'} than ${same.label} (not after ${day(same.notAfter)}, SHA-256 ${same.fingerprint256}); ${fix}`;
  }
  const here = servers.length === 0 ? 'and no server certificate is here' : `nor is it ${servers.map((s) => s.label).join(' or ')}`;
  if (ours) return `${what}, ${here}: a certificate of our CA that the files no longer hold (replaced since?); upload the server's files again`;
  return `${what}, ${here}: the server serves another PKI's certificate`;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
