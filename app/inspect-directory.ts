import * as fs from 'node:fs';
import { InvalidArgumentError } from 'commander';
import * as path from 'node:path';
import { INCOMPLETE_MARKER } from './incomplete-marker';
import { ExitCode, distinctCertificates, exitCodeOf, expiringWithin, inspect } from './inspect';
import { NO_ROOT } from './inspect-chain';
import { ConnectTarget, DEFAULT_CONNECT_TIMEOUT_SECONDS } from './inspect-connect';
import { formatCrls } from './inspect-crl-table';
import { DEFAULT_CRL_WARN_DAYS, crlsDueWithin, distinctCrls, withCrls } from './inspect-crls';
import { readDirectory } from './inspect-files';
import { errorJson, formatTable, toJson } from './inspect-report';
import { inspectServed, servedExpiringWithin } from './inspect-served';
import { formatServed, servedJson } from './inspect-served-report';
import { formatSites, siteSummaries } from './inspect-sites';
import { folderOwner } from './owner-file';

/** How {@link inspectDirectory} prints. */
export interface InspectOptions {
  /** Print JSON instead of a table: every certificate of every file, and every problem. Always a document. */
  readonly json?: boolean;
  /** List every certificate of every file in the table, bundles included. */
  readonly all?: boolean;
  /** Every column in full: the SHA-256 fingerprint and why a chain fails; the table may pass 120 columns. */
  readonly wide?: boolean;
  /** Exit {@link ExitCode.EXPIRING} when a certificate expires within this many days (or has expired). */
  readonly warnDays?: number;
  /**
   * Exit {@link ExitCode.EXPIRING} when a CRL's nextUpdate is within this many days (or has passed).
   * @default - {@link DEFAULT_CRL_WARN_DAYS} when `warnDays` is given; else CRL dates set no exit code
   */
  readonly crlWarnDays?: number;
  /**
   * The root files, relative to the directory, newest first: for a PKI that names its roots otherwise than ChariotPki.
   * @default - `ca/ca.crt` and `ca/ca-gN.crt`
   */
  readonly root?: string[];
  /**
   * A live server to read the chain from and compare with the files (app/inspect-served.ts).
   * @default - none: the files only
   */
  readonly connect?: ConnectTarget;
  /**
   * With `connect`: the name clients use, checked against the served subjectAltName and sent as SNI.
   * @default - the host of `connect`
   */
  readonly servername?: string;
  /**
   * With `connect`: how long to wait for the server's certificate, in seconds.
   * @default DEFAULT_CONNECT_TIMEOUT_SECONDS
   */
  readonly timeout?: number;
}

/** Where {@link inspectDirectory} prints. */
export interface InspectOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The first line, saying what is read (not printed with `json`). */
  readonly using?: string;
  /** The configuration the directory comes from, when it does: named in the JSON. */
  readonly configuration?: string;
  /** Prints a line unless the user asked for quiet. */
  readonly say: (text: string) => void;
  /** How to name another directory, for the errors: `--dir DIR`, or `DIR`. */
  readonly dirArgument: string;
  /** What deploys, for the errors: `npm run deploy`, `cdktf deploy`. */
  readonly deployCommand: string;
}

/**
 * Inspects the certificates deployed under `dir` and prints them (a table, or with `json` always a JSON document):
 * reports the files of an unfinished deploy (`DEPLOY-INCOMPLETE`), damaged files and links, loose or foreign keys,
 * chains that reach no root, CRLs no CA here signed, the certificates that expire within `warnDays` and the CRLs
 * due within `crlWarnDays`; with `connect`, what that server serves against the files and the roots. Resolves to
 * the exit code ({@link exitCodeOf}; {@link ExitCode.ERROR} when the server sent no certificate).
 */
export async function inspectDirectory(dir: string, options: InspectOptions, out: InspectOutput, now: Date): Promise<ExitCode> {
  const say = (text: string) => out.stderr(`inspect: ${text}\n`);
  const refuse = (text: string) => {
    if (options.json) out.stdout(`${JSON.stringify(errorJson(dir, text, now), null, 2)}\n`);
    say(text);
    return ExitCode.ERROR;
  };
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    return refuse(`${dir} is not a directory; deploy first (${out.deployCommand}) or name one with ${out.dirArgument}`);
  }
  const marker = path.join(dir, INCOMPLETE_MARKER);
  const deployIncomplete = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : undefined;
  if (deployIncomplete !== undefined && !options.json) {
    out.stderr(`inspect: ${dir} holds the files of a deploy that has not finished; they may be a mix of old and new. ${marker} says:\n\n${deployIncomplete}`);
    return ExitCode.INCOMPLETE;
  }
  const reading = readDirectory(dir, out.deployCommand);
  if (reading.files.length === 0 && reading.problems.length === 0) {
    return refuse(`no certificates under ${dir} (no .crt, .pem or .cer file holds one); deploy first or check ${out.dirArgument}`);
  }

  const rootFiles = options.root?.map((f) => path.relative(dir, path.resolve(dir, f)).split(path.sep).join('/'));
  const inspection = await withCrls(inspect(dir, reading.files, now, reading.problems, rootFiles, reading.encryptedKeys), reading.files, reading.crlFiles);
  const expiring = options.warnDays === undefined ? [] : distinctCertificates(expiringWithin(inspection, options.warnDays));
  const crlWarnDays = options.crlWarnDays ?? (options.warnDays === undefined ? undefined : DEFAULT_CRL_WARN_DAYS);
  const crlsDue = crlWarnDays === undefined ? [] : crlsDueWithin(inspection, crlWarnDays);
  const timeoutMs = (options.timeout ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000;
  const served = options.connect && await inspectServed(options.connect, options.servername, timeoutMs, inspection, reading.files);
  const servedExpiring = served?.check && options.warnDays !== undefined ? servedExpiringWithin(served.check, options.warnDays, now) : [];
  const exitCode = served && !served.check ? ExitCode.ERROR : exitCodeOf({
    incomplete: deployIncomplete !== undefined, inspection, expiring: expiring.length + crlsDue.length + servedExpiring.length,
    served: served?.check && served.check.problems.length === 0,
  });
  const owner = folderOwner(dir);
  if (options.json) {
    const facts = { warnDays: options.warnDays, crlWarnDays, deployIncomplete, configuration: out.configuration, owner: owner.owner, exitCode };
    const connect = served === undefined ? {} : { connect: servedJson(served) };
    out.stdout(`${JSON.stringify({ ...(toJson(inspection, facts) as object), ...connect }, null, 2)}\n`);
  } else {
    if (out.using) out.say(`${out.using}${owner.text}`);
    out.stdout(formatTable(inspection, { all: options.all, wide: options.wide }));
    out.stdout(formatSites(siteSummaries(inspection.certificates)));
    out.stdout(formatCrls(inspection.crls, { all: options.all, wide: options.wide }));
    if (served) out.stdout(formatServed(served, options.wide));
  }
  if (deployIncomplete !== undefined) say(`${dir} holds the files of a deploy that has not finished (${marker})`);
  for (const p of inspection.problems) say(`${p.file} ${p.problem}`);
  if (!inspection.root) say(`warning: no root under ${dir}: ${rootFiles ? `none of ${rootFiles.join(', ')} holds a self-signed certificate` : NO_ROOT}, so no chain can be verified`);
  else for (const { certificate: c } of distinctCertificates(inspection.certificates.filter((x) => !x.chain.verified))) say(`${c.label} does not chain: ${c.chain.problem}`);
  for (const { certificate: c, copies } of expiring) {
    const when = c.expired ? `expired ${c.notAfter.toISOString()}` : `expires ${c.notAfter.toISOString()} (${c.daysLeft} days left)`;
    say(`${c.subject} ${when}, within ${options.warnDays} days: ${copies.map((copy) => copy.label).join(', ')}`);
  }
  for (const { crl: c, copies } of distinctCrls(inspection.crls.filter((x) => !x.signature.verified))) {
    say(`the CRL of ${c.issuer} is not to be trusted: ${c.signature.problem}: ${copies.map((copy) => copy.label).join(', ')}`);
  }
  for (const { crl: c, copies } of crlsDue) {
    const files = copies.map((copy) => copy.label).join(', ');
    say(c.expired
      ? `the CRL of ${c.issuer} has expired (nextUpdate ${c.nextUpdate.toISOString()}): peers that check CRLs refuse every certificate this CA issued, and every chain through it, until ${out.deployCommand} signs it again: ${files}`
      : `the CRL of ${c.issuer} is due: nextUpdate ${c.nextUpdate.toISOString()} (${c.daysLeft} days left), within ${crlWarnDays} days: ${files}`);
  }
  if (served?.error !== undefined) say(served.error);
  for (const p of served?.check?.problems ?? []) say(`${served!.target}: ${p.problem}`);
  for (const c of servedExpiring) {
    say(`${served!.target} serves ${c.subject}, which ${c.expired ? 'has expired' : `expires ${c.notAfter.toISOString()} (${c.daysLeft} days left)`}, within ${options.warnDays} days`);
  }
  return exitCode;
}

/** The exit codes, as both CLIs' `inspect --help` states them. */
export const EXIT_CODES_HELP = [
  'Exit codes: 0 all fine, 1 error, 2 a certificate expires within --warn-days, or a CRL\'s nextUpdate is within',
  `--crl-warn-days (default ${DEFAULT_CRL_WARN_DAYS} with --warn-days) or has passed,`,
  '3 the files are from a deploy that has not finished (DIR/DEPLOY-INCOMPLETE exists),',
  '4 a certificate does not chain to a root, or a CRL is not signed by a CA certificate under DIR,',
  '5 a certificate or CRL file is empty, cut short or a broken link (or a loop),',
  '6 a private key is readable by others or does not match its certificate,',
  '7 (--connect) the server serves a certificate that is in no file under DIR, a CA certificate that is in none,',
  'a chain without its intermediate or to another root, or is not valid for the name (--servername, else the host).',
  '--connect exits 1 when no certificate comes (no connection, or none within --timeout).',
  'When several apply: 3, then 5, 6, 4, 7, 2. With --json, stdout is always one JSON document naming its exitCode.',
].join('\n');

/** What inspect reads, as both CLIs' `inspect --help` states it. */
export const READS_HELP = [
  'Reads every .crt, .pem and .cer file under DIR, and checks each private key (.key) against its certificate',
  'and for its mode; keys are never printed. The table shows each certificate once, by its own file, "(+N)"',
  'counting the bundles that also hold it, and fits 120 columns (--wide: every column in full). Under it, one',
  'line per CRL (X509 CRL blocks: crl.pem, *.crl.pem): issuer, nextUpdate, revoked count and the CA that signed',
  'it (--wide: every revoked serial with its date and reason).',
  'Every root file (ca/ca.crt, ca/ca-gN.crt, or each --root FILE) is a trust anchor.',
].join('\n');

/** `--warn-days N`: a whole number of days. */
export const wholeDays = wholeDaysOf('--warn-days', 30);

/** `--crl-warn-days N`: a whole number of days. */
export const wholeCrlDays = wholeDaysOf('--crl-warn-days', DEFAULT_CRL_WARN_DAYS);

function wholeDaysOf(option: string, example: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole number of days; use e.g. ${option} ${example}`);
    return Number(value);
  };
}

/** The `--crl-warn-days` option as both CLIs' `inspect --help` states it. */
export const CRL_WARN_DAYS_OPTION = ['--crl-warn-days <n>', `exit 2 when a CRL's nextUpdate is within N days (or has passed), naming it on stderr (default: ${DEFAULT_CRL_WARN_DAYS} with --warn-days)`] as const;

/** `--root FILE`, repeatable: the list so far and this one. */
export function rootFiles(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
