import 'reflect-metadata';
import { X509Certificate as NodeCertificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * The checks of an enterprise chain and of a certificate the enterprise CA returned, before any of it is used
 * (docs/operate.md, "Using an enterprise root"). Extensions are read with @peculiar/x509 (as the CRLs are
 * signed, app/crl.ts); signatures are verified by Node's own X509Certificate, which does it synchronously, so
 * the checks run while the configuration is read, before anything is written.
 */

/** One certificate, as both libraries read it, and what the messages call it. */
export interface CheckedCertificate {
  /** What the messages call it: the configuration field and its file (`externalRoot.certFile "root.pem"`). */
  readonly label: string;
  readonly pem: string;
  readonly node: NodeCertificate;
  readonly x509: x509.X509Certificate;
}

/** Reads one PEM certificate; a problem (what and fix) when the text is not exactly one certificate. */
export function readCertificate(label: string, pem: string): CheckedCertificate | string {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length !== 1) {
    return `${label}: holds ${blocks.length} certificates; give one PEM certificate per file (-----BEGIN CERTIFICATE-----)`;
  }
  try {
    return { label, pem: blocks[0], node: new NodeCertificate(blocks[0]), x509: new x509.X509Certificate(blocks[0]) };
  } catch (e) {
    return `${label}: cannot be read as a certificate (${(e as Error).message}); give the certificate as the CA issued it, PEM`;
  }
}

/** The key usages a CA must have to sign certificates and CRLs. */
const CA_KEY_USAGES: [x509.KeyUsageFlags, string][] = [[x509.KeyUsageFlags.keyCertSign, 'keyCertSign'], [x509.KeyUsageFlags.cRLSign, 'cRLSign']];

/**
 * Checks the enterprise root and intermediates, root first: the root is self-signed, each intermediate is signed by
 * the one above it and lies within its validity, every one is a CA with keyCertSign, none has expired, and each
 * path length leaves room for `depthBelow` CAs of ours below the last one (1, or 2 with site CAs).
 */
export function enterpriseChainProblems(chain: CheckedCertificate[], depthBelow: number, now: Date): string[] {
  const problems: string[] = [];
  chain.forEach((cert, i) => {
    const constraints = cert.x509.getExtension(x509.BasicConstraintsExtension);
    if (!constraints?.ca) problems.push(`${cert.label}: is not a CA certificate (no basicConstraints CA:TRUE); give the enterprise CA's own certificate`);
    const usages = cert.x509.getExtension(x509.KeyUsagesExtension);
    if (usages !== null && !(usages.usages & x509.KeyUsageFlags.keyCertSign)) {
      problems.push(`${cert.label}: its key usage lacks keyCertSign, so it may sign no certificate; give the CA that signs certificates`);
    }
    const below = chain.length - 1 - i + depthBelow;
    if (constraints?.ca && constraints.pathLength !== undefined && constraints.pathLength < below) {
      problems.push(`${cert.label}: has path length ${constraints.pathLength}, but ${below} CA${below === 1 ? '' : 's'} would stand below it; use an enterprise CA whose path length allows ${below}`);
    }
    if (cert.x509.notAfter <= now) problems.push(`${cert.label}: expired on ${day(cert.x509.notAfter)}; give its renewed certificate`);
    const issuer = i === 0 ? cert : chain[i - 1];
    if (!signedBy(cert, issuer)) {
      problems.push(i === 0
        ? `${cert.label}: is not self-signed, so it is no root; give the enterprise root as certFile, and the CAs below it in intermediateFiles, root first`
        : `${cert.label}: is not signed by ${issuer.label} (its issuer is ${cert.x509.issuer}); list intermediateFiles from the root down, each signed by the one before`);
    } else if (i > 0) {
      problems.push(...validityProblems(cert, issuer));
    }
  });
  return problems;
}

/** What an externally signed CA was asked to be. */
export interface RequestedCa {
  /** The construct id (`server-ca`), for the messages. */
  readonly id: string;
  /**
   * The certificate signing request the deploy wrote for it, PEM, and its file (where the deploy writes it).
   * Without it (the output folder is rewritten from the state, and a fresh checkout has none), the key is checked
   * against the request in the state before the engine plans (app/external-root-state.ts).
   */
  readonly csrPem?: string;
  readonly csrFile: string;
  /** The path length asked for. */
  readonly maxPathLength: number;
}

/** Where a request to check a key against was read, for the messages: its file, or the state. */
export interface RequestSource {
  readonly id: string;
  readonly csrPem: string;
  /** Where the deploy writes the request: the one to have signed. */
  readonly csrFile: string;
  /** Where `csrPem` was read: the file itself, or `the request of server-ca in the state`. */
  readonly readFrom: string;
}

/** The returned certificate is for the key of our request (the one place both the file and the state check it). */
export function requestKeyProblems(cert: CheckedCertificate, request: RequestSource): string[] {
  let parsed: x509.Pkcs10CertificateRequest;
  try {
    parsed = new x509.Pkcs10CertificateRequest(request.csrPem);
  } catch (e) {
    return [`${request.readFrom}: cannot be read as a certificate signing request (${(e as Error).message}); remove it, deploy again to write it anew, and have the new request signed`];
  }
  const certKey = Buffer.from(cert.x509.publicKey.rawData).toString('hex');
  if (certKey === Buffer.from(parsed.publicKey.rawData).toString('hex')) return [];
  return [`${cert.label}: is not for the key of ${request.id} (its public key is not the one in ${request.readFrom}); have ${request.csrFile} itself signed, not another request`];
}

/**
 * Checks a certificate the enterprise CA returned for one of our CAs: it is for the key of our request (when the
 * request file is there; see {@link RequestedCa.csrPem}), a CA with exactly the path length asked for, with
 * keyCertSign and cRLSign, signed by the enterprise issuing CA, within its validity, and not expired.
 */
export function signedCaProblems(cert: CheckedCertificate, requested: RequestedCa, issuer: CheckedCertificate, now: Date): string[] {
  const { id, csrPem, csrFile } = requested;
  const problems = csrPem === undefined ? [] : requestKeyProblems(cert, { id, csrPem, csrFile, readFrom: csrFile });
  const constraints = cert.x509.getExtension(x509.BasicConstraintsExtension);
  if (!constraints?.ca) {
    problems.push(`${cert.label}: is not a CA certificate (basicConstraints CA:TRUE is missing), so nothing it signs would be trusted; ask for basicConstraints = critical, CA:TRUE, pathlen:${requested.maxPathLength}`);
  } else if (constraints.pathLength !== requested.maxPathLength) {
    const has = constraints.pathLength === undefined ? 'no path length limit' : `path length ${constraints.pathLength}`;
    problems.push(`${cert.label}: has ${has}, but ${requested.id} asked for pathlen:${requested.maxPathLength}; ask for basicConstraints = critical, CA:TRUE, pathlen:${requested.maxPathLength}`);
  }
  const usages = cert.x509.getExtension(x509.KeyUsagesExtension);
  const missing = CA_KEY_USAGES.filter(([flag]) => usages === null || !(usages.usages & flag)).map(([, name]) => name);
  if (missing.length > 0) {
    problems.push(`${cert.label}: its key usage lacks ${missing.join(' and ')} (it signs certificates and CRLs); ask for keyUsage = critical, keyCertSign, cRLSign`);
  }
  if (!signedBy(cert, issuer)) {
    problems.push(`${cert.label}: is not signed by the enterprise issuing CA ${issuer.label} (its issuer is ${cert.x509.issuer}); have it signed by that CA, or name the CA that signed it in externalRoot`);
  } else {
    problems.push(...validityProblems(cert, issuer));
  }
  if (cert.x509.notAfter <= now) problems.push(`${cert.label}: expired on ${day(cert.x509.notAfter)}; have ${requested.csrFile} signed again`);
  return problems;
}

/** A certificate valid outside its issuer's validity is refused by strict peers, and would outlive its issuer. */
function validityProblems(cert: CheckedCertificate, issuer: CheckedCertificate): string[] {
  const problems: string[] = [];
  if (cert.x509.notAfter > issuer.x509.notAfter) {
    problems.push(`${cert.label}: is valid until ${day(cert.x509.notAfter)}, after its issuer ${issuer.label} expires (${day(issuer.x509.notAfter)}); have it signed again with a validity that ends by then`);
  }
  if (cert.x509.notBefore < issuer.x509.notBefore) {
    problems.push(`${cert.label}: is valid from ${day(cert.x509.notBefore)}, before its issuer ${issuer.label} (${day(issuer.x509.notBefore)}); have it signed again`);
  }
  return problems;
}

/** Whether `issuer` signed `cert`: its subject is the certificate's issuer, and its key verifies the signature. */
function signedBy(cert: CheckedCertificate, issuer: CheckedCertificate): boolean {
  return cert.node.checkIssued(issuer.node) && cert.node.verify(issuer.node.publicKey);
}

function day(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}
