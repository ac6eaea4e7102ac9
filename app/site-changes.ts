import { X509Certificate, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeAtomically } from './atomic-file';
import { declaredFiles } from './declared-files';

/**
 * Which sites a deploy synthesizes and plans (`siteStates`): a site's engine is started only when something can
 * have changed there, decided without the engine from what was recorded after the site's last good deploy
 * (`<outdir>/sites/sites.json`, no secrets in it):
 * - what its stack is synthesized from differs (app/site-input-digest.ts: a client added or removed, an option
 *   changed, a CA certificate it is signed by or trusts re-issued, another version of this app); only then is the
 *   site synthesized, and planned if its `cdk.tf.json` differs too;
 * - a renewal date is reached: the earliest moment one of its certificates (`cert.pem` on disk) enters its early
 *   renewal window;
 * - a file it writes is missing, edited or has another mode; or its state is not the one left by that deploy: its
 *   state file, or for a site in PostgreSQL its workspace as the engine pulls it (a state changed from another
 *   machine, or a workspace deleted, plans the site).
 * Hashing a site's files costs milliseconds; a missing or unreadable record plans the site.
 */

/** What was recorded of a site after its last good deploy. */
export interface SiteRecord {
  /** SHA-256 of its synthesized `cdk.tf.json`. */
  readonly digest: string;
  /** What its stack was synthesized from (app/site-input-digest.ts). */
  readonly inputs: string;
  /** When its first certificate enters its early renewal window (ISO 8601). */
  readonly renewAt: string;
  /** Each file it declares, by path: its mode and SHA-256. */
  readonly files: Record<string, { readonly mode: number; readonly sha256: string }>;
  /** SHA-256 of its state: its state file, or its workspace as pulled. */
  readonly state: string;
}

/** A site as the detector sees it, before it is synthesized. */
export interface SiteFacts {
  readonly site: string;
  /** What its stack is synthesized from (app/site-input-digest.ts). */
  readonly inputs: string;
  /**
   * Its local state file.
   * @default - none: its state is in PostgreSQL ({@link pulledState})
   */
  readonly stateFile?: string;
  /**
   * SHA-256 of its state in PostgreSQL as the engine pulled it just now (app/site-remote-state.ts).
   * @default - not pulled: a site without a state file is planned
   */
  readonly pulledState?: string;
  /**
   * Its `cdk.tf.json`, as written, once synthesized: then compared instead of `inputs`.
   * @default - not synthesized
   */
  readonly synthesizedText?: string;
}

/** The record file of a deploy's site stacks. */
export function recordFile(sitesOutdir: string): string {
  return path.join(sitesOutdir, 'sites.json');
}

/** The records, by site; none when the file is missing or unreadable (every site is then planned). */
export function readRecords(file: string): Record<string, SiteRecord> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

/** Writes the records atomically (app/atomic-file.ts), so a deploy killed meanwhile leaves the old ones or none; no secrets, 0644. */
export function writeRecords(file: string, records: Record<string, SiteRecord>): void {
  writeAtomically(file, `${JSON.stringify(records, null, 2)}\n`, 0o644);
}

/** What one deploy learnt of its sites, for {@link mergeRecords}. */
export interface RecordChanges {
  /** Every site configured: the record of any other goes. */
  readonly configured: readonly string[];
  /** The sites this deploy planned: their old record no longer holds (one that failed is planned next time). */
  readonly forgotten: readonly string[];
  /** The records of the sites this deploy deployed. */
  readonly deployed: Record<string, SiteRecord>;
}

/**
 * Merges a deploy's record changes into the file as it is now, read again: deploys of other sites at once
 * (`--site`) keep their records. The caller holds the environment's lock (app/environment-lock.ts), which makes the
 * read and the write one step.
 */
export function mergeRecords(file: string, changes: RecordChanges): void {
  const configured = new Set(changes.configured);
  const forgotten = new Set(changes.forgotten);
  const kept = Object.entries(readRecords(file)).filter(([site]) => configured.has(site) && !forgotten.has(site));
  writeRecords(file, { ...Object.fromEntries(kept), ...changes.deployed });
}

/** Why a site must be planned, in a few words; `undefined` when nothing can have changed there. */
export function whyPlan(site: SiteFacts, record: SiteRecord | undefined, now: Date): string | undefined {
  if (record === undefined) return 'no record of a deploy';
  const same = site.synthesizedText === undefined ? site.inputs === record.inputs : sha256(site.synthesizedText) === record.digest;
  if (!same) return CONFIGURATION_CHANGED;
  return driftSince(record, site, now);
}

/** What {@link whyPlan} says of a site whose stack (or what it is made from) is not the one recorded. */
const CONFIGURATION_CHANGED = 'its configuration changed';

/**
 * Why a site must be planned whatever its stack: a renewal date reached, its state (file, or workspace as pulled) or
 * one of its files not as its last good deploy left them; `undefined` when none.
 */
export function driftSince(record: SiteRecord, site: Pick<SiteFacts, 'stateFile' | 'pulledState'>, now: Date): string | undefined {
  if (now.getTime() >= Date.parse(record.renewAt)) return 'a certificate is due for renewal';
  const state = stateDigest(site);
  if (state === undefined || state !== record.state) return site.stateFile === undefined ? 'its state in PostgreSQL changed' : 'its state file changed';
  // The same stack declares the same files: those recorded.
  const changed = Object.keys(record.files).find((file) => {
    const was = record.files[file];
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return was === undefined || stat === undefined || (stat.mode & 0o777) !== was.mode || fileSha256(file) !== was.sha256;
  });
  return changed === undefined ? undefined : `${changed} is missing or changed`;
}

/** What to record of a site just deployed: throws when a file it declares or its state is missing (then nothing is recorded). */
export function recordOf(site: SiteFacts & { readonly synthesizedText: string }): SiteRecord {
  const synthesized = JSON.parse(site.synthesizedText);
  const files = Object.fromEntries(declaredFiles(synthesized).map((file) => [file, { mode: fs.statSync(file).mode & 0o777, sha256: fileSha256(file)! }]));
  const state = stateDigest(site);
  if (state === undefined) throw new Error(`site ${site.site}: its state was not read after its deploy, so its deploy is not recorded`);
  return { digest: sha256(site.synthesizedText), inputs: site.inputs, renewAt: renewAt(synthesized).toISOString(), files, state };
}

/** SHA-256 of a site's state: its state file's, or the one pulled from PostgreSQL. */
function stateDigest(site: Pick<SiteFacts, 'stateFile' | 'pulledState'>): string | undefined {
  return site.stateFile === undefined ? site.pulledState : fileSha256(site.stateFile);
}

/**
 * The earliest moment a certificate of the stack enters its early renewal window: its file's notAfter (the file
 * whose content is the certificate) less its `early_renewal_hours`; now for a certificate written to no file, which
 * then has the stack planned every time.
 */
function renewAt(synthesized: any): Date {
  const resources = synthesized?.resource ?? {};
  const files = [...Object.values<any>(resources.local_file ?? {}), ...Object.values<any>(resources.local_sensitive_file ?? {})];
  const fileOf = new Map(files.map((f) => [f.content, f.filename]));
  const times = CERTIFICATE_TYPES.flatMap((type) => Object.entries<any>(resources[type] ?? {}).map(([name, cert]) => {
    const file = fileOf.get(`\${${type}.${name}.cert_pem}`);
    if (file === undefined) return Date.now();
    return Date.parse(new X509Certificate(fs.readFileSync(file)).validTo) - Number(cert.early_renewal_hours ?? 0) * 3_600_000;
  }));
  return new Date(Math.min(8.64e15, ...times));
}

const CERTIFICATE_TYPES = ['tls_self_signed_cert', 'tls_locally_signed_cert'];

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

function fileSha256(file: string): string | undefined {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return undefined;
  }
}
