import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChariotPkiProps, ExternalRootOptions } from '../lib';
import { generationId, liveGenerations } from '../lib/ca-generations';
import { CheckedCertificate, RequestedCa, enterpriseChainProblems, readCertificate, signedCaProblems } from './external-root-checks';

/** The CAs an enterprise CA signs: their folder under `ca/` and their field in `caGenerations`. */
const SIGNED_KINDS = [
  { kind: 'server', generations: 'serverCa' },
  { kind: 'engine', generations: 'engineCa' },
  { kind: 'transmission', generations: 'transmissionCa' },
] as const;
/** What a deploy asks an intermediate's certificate to be renewed by, unless configured (`intermediateEarlyRenewalHours`). */
const DEFAULT_RENEWAL_HOURS = 8760;

/** `externalRoot` as the configuration file gives it: paths from the file's folder. */
export interface ExternalRootConfig {
  readonly certFile: string;
  readonly intermediateFiles?: string[];
  readonly signedCertDirectory?: string;
}

/** One of our CAs under the enterprise root: its request, and where its signed certificate goes. */
export interface ExternallySignedFiles {
  /** The construct id, `server-ca` or `server-ca-g2`. */
  readonly id: string;
  /** The request the deploy writes (absolute). */
  readonly csrFile: string;
  /** Where the person deploying puts the certificate the enterprise CA returns (absolute). */
  readonly signedCertFile: string;
  /** The path length to ask for. */
  readonly maxPathLength: number;
  /** The returned certificate's notAfter, when there is one. */
  readonly notAfter?: Date;
  /** True when the certificate is within its renewal window: the request is to be signed again. */
  readonly renewalDue: boolean;
  /**
   * The returned certificate, when its request file is absent: every other check has passed, and its key is checked
   * against the request in the state before the engine plans (app/external-root-state.ts).
   */
  readonly keyUnchecked?: CheckedCertificate;
}

/** The enterprise root as read and checked: what the hierarchy gets, and what the deploy says about it. */
export interface ExternalRoot {
  readonly options: ExternalRootOptions;
  /** The enterprise CA that signs ours (the last intermediate, or the root): its subject and notAfter, for the instructions. */
  readonly issuingSubject: string;
  readonly issuingNotAfter: Date;
  /** Each of our CAs under it, in server, engine, transmission order, oldest generation first. */
  readonly cas: ExternallySignedFiles[];
}

/**
 * Reads the enterprise root, its intermediates and the certificates returned so far (`<signedCertDirectory>/<id>.crt`,
 * by default beside the root's file), and checks them all (app/external-root-checks.ts) before anything is written;
 * a certificate whose request file is absent has its key checked later, against the state ({@link ExternallySignedFiles.keyUnchecked}).
 * Returns the problems, each naming the field or file and the fix, or the enterprise root.
 */
export function loadExternalRoot(config: ExternalRootConfig, baseDir: string, pki: ChariotPkiProps, now: Date): ExternalRoot | string[] {
  const read = (field: string, file: string): CheckedCertificate | string => {
    const absolute = path.resolve(baseDir, file);
    let text: string;
    try {
      text = fs.readFileSync(absolute, 'utf8');
    } catch (e) {
      return `${field} ${JSON.stringify(file)}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give the path of the PEM file, from the configuration's folder`;
    }
    return readCertificate(`${field} ${JSON.stringify(file)}`, text);
  };
  const chain = [read('externalRoot.certFile', config.certFile), ...(config.intermediateFiles ?? []).map((f, i) => read(`externalRoot.intermediateFiles[${i}]`, f))];
  const unread = chain.filter((c): c is string => typeof c === 'string');
  if (unread.length > 0) return unread;
  const certificates = chain as CheckedCertificate[];
  const sitesWithCa = Object.values(pki.sites ?? {}).some((site) => site.issuingCa);
  const problems = enterpriseChainProblems(certificates, sitesWithCa ? 2 : 1, now);
  const issuing = certificates[certificates.length - 1];

  const signedDir = path.resolve(baseDir, config.signedCertDirectory ?? path.dirname(config.certFile));
  const outputDirectory = pki.outputDirectory ?? path.resolve(baseDir, 'pki');
  const renewalHours = pki.intermediateEarlyRenewalHours ?? DEFAULT_RENEWAL_HOURS;
  const signedCertPems: Record<string, string> = {};
  const cas: ExternallySignedFiles[] = [];
  for (const { kind, generations } of SIGNED_KINDS) {
    const ids = liveGenerations(pki.caGenerations?.[generations], (n) => generationId(`${kind}-ca`, n)).live;
    for (const id of ids) {
      const files = { id, csrFile: path.join(outputDirectory, 'ca', kind, `${id}.csr`), signedCertFile: path.join(signedDir, `${id}.crt`) };
      const maxPathLength = kind === 'transmission' && sitesWithCa ? 1 : 0;
      if (!fs.existsSync(files.signedCertFile)) {
        cas.push({ ...files, maxPathLength, renewalDue: false });
        continue;
      }
      const label = path.relative(baseDir, files.signedCertFile) || files.signedCertFile;
      const cert = readCertificate(`${label} (the certificate returned for ${id})`, fs.readFileSync(files.signedCertFile, 'utf8'));
      if (typeof cert === 'string') {
        problems.push(cert);
        continue;
      }
      // A fresh checkout (a hosted runner) has no output folder: its key is checked against the state's request instead.
      const csrPem = fs.existsSync(files.csrFile) ? fs.readFileSync(files.csrFile, 'utf8') : undefined;
      const requested: RequestedCa = { id, csrPem, csrFile: files.csrFile, maxPathLength };
      problems.push(...signedCaProblems(cert, requested, issuing, now));
      signedCertPems[id] = cert.pem;
      const notAfter = cert.x509.notAfter;
      const keyUnchecked = csrPem === undefined ? cert : undefined;
      cas.push({ ...files, maxPathLength, notAfter, renewalDue: notAfter.getTime() - now.getTime() <= renewalHours * 3_600_000, keyUnchecked });
    }
  }
  if (problems.length > 0) return problems;
  return {
    options: { rootCertPem: certificates[0].pem, intermediateCertPems: certificates.slice(1).map((c) => c.pem), signedCertPems },
    issuingSubject: issuing.x509.subject,
    issuingNotAfter: issuing.x509.notAfter,
    cas,
  };
}
