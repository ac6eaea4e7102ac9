import { X509Certificate, createHash } from 'node:crypto';
import * as path from 'node:path';
import { CertificateChange } from './certificate-change';

/**
 * Reviews a saved engine plan (`tofu show -json PLAN`) in the PKI's own words: which certificates are
 * created, renewed, re-issued, replaced or destroyed and why, and whether a CA would lose its identity
 * (its key or its subject), which a deploy refuses unless the CA is named in `CHARIOT_TLS_ALLOW_CA_CHANGE`.
 */

/** Names the CAs (construct ids such as `server-ca`, comma-separated) a deploy may replace in place. */
export const ALLOW_CA_CHANGE_ENV = 'CHARIOT_TLS_ALLOW_CA_CHANGE';

/**
 * The only attributes a reduced plan keeps: none is secret. A plan holds private keys (in `before`,
 * `after` and `prior_state`); reducing to this list is what makes it safe to print, log or commit.
 */
const KEPT_ATTRIBUTES = [
  'algorithm', 'rsa_bits', 'ecdsa_curve', 'subject', 'dns_names', 'ip_addresses', 'is_ca_certificate',
  'allowed_uses', 'validity_period_hours', 'early_renewal_hours', 'max_path_length', 'filename',
] as const;

const CERTIFICATE_TYPES = ['tls_self_signed_cert', 'tls_locally_signed_cert'];
const FILE_TYPES = ['local_file', 'local_sensitive_file'];
/** cdktf names a resource `<construct path joined by _>_<8 hex digits>`. */
const CDKTF_NAME = /^(.*)_[0-9A-F]{8}$/;

/**
 * The non-secret values of one resource, by attribute, and `issuer_key`: the SHA-256 of the issuer's public key,
 * derived from `ca_cert_pem`. With CA keys handed over write-only, the plan no longer shows the CA key that signs a
 * certificate; the issuer's public key tells a move to another CA from a re-signed issuer, without keeping its PEM.
 */
export type Facts = Partial<Record<(typeof KEPT_ATTRIBUTES)[number] | 'issuer_key', unknown>>;

/** What the engine plans for one resource, without any secret. */
export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  /** The construct path under the stack, e.g. `pki/server-ca/key`. */
  readonly path: string;
  /** The engine's actions: `["create"]`, `["delete", "create"]`, `["update"]`, `["delete"]`, `["no-op"]`. */
  readonly actions: string[];
  /** The top-level attributes whose change forces a replacement. */
  readonly replacePaths: string[];
  readonly before: Facts | null;
  readonly after: Facts | null;
}

/** A plan reduced to what the review needs: secret-free, stable, small. */
export interface ReducedPlan {
  readonly formatVersion: 1;
  readonly changes: ResourceChange[];
}

/**
 * Reduces `tofu show -json` output to the review's facts. `synthesized` (the stack's `cdk.tf.json`) maps
 * addresses to construct paths; a resource no longer in it (being destroyed) gets its path from its name.
 * File names under `outputDirectory` become relative to it, so the same change reduces the same on any machine.
 */
export function reducePlan(plan: any, synthesized?: any, outputDirectory?: string): ReducedPlan {
  const paths = constructPaths(synthesized);
  const changes: ResourceChange[] = (plan.resource_changes ?? [])
    .filter((rc: any) => rc.mode === 'managed')
    .map((rc: any) => ({
      address: rc.address,
      type: rc.type,
      path: paths.get(rc.address) ?? pathFromName(rc.name),
      actions: [...rc.change.actions],
      replacePaths: [...new Set<string>((rc.change.replace_paths ?? []).map((p: unknown[]) => String(p[0])))].sort(),
      before: keep(rc.change.before, outputDirectory),
      after: keep(rc.change.after, outputDirectory),
    }))
    .sort((a: ResourceChange, b: ResourceChange) => a.address.localeCompare(b.address));
  return { formatVersion: 1, changes };
}

/** Construct paths (without the stack) by address, from the `//` metadata cdktf writes. */
export function constructPaths(synthesized?: any): Map<string, string> {
  const paths = new Map<string, string>();
  for (const [type, blocks] of Object.entries<any>(synthesized?.resource ?? {})) {
    for (const [name, block] of Object.entries<any>(blocks)) {
      const full: string | undefined = block?.['//']?.metadata?.path;
      if (full) paths.set(`${type}.${name}`, full.split('/').slice(1).join('/'));
    }
  }
  return paths;
}

function pathFromName(name: string): string {
  return (CDKTF_NAME.exec(name)?.[1] ?? name).split('_').join('/');
}

function keep(values: any, outputDirectory?: string): Facts | null {
  if (!values || typeof values !== 'object') return null;
  const facts: Facts = Object.fromEntries(KEPT_ATTRIBUTES.filter((k) => values[k] !== undefined).map((k) => [k, values[k]]));
  const issuer = issuerKey(values.ca_cert_pem);
  if (issuer !== undefined) facts.issuer_key = issuer;
  const file = facts.filename;
  if (outputDirectory && typeof file === 'string' && file.startsWith(`${outputDirectory}${path.sep}`)) {
    facts.filename = path.relative(outputDirectory, file).split(path.sep).join('/');
  }
  return facts;
}

/** The review of one certificate construct. */
export interface CertificateReview {
  /** Its construct path under the stack, e.g. `pki/server-ca`. */
  readonly construct: string;
  /** Its construct id, e.g. `server-ca`. */
  readonly id: string;
  readonly isCa: boolean;
  readonly commonName?: string;
  /** The product its files are for (`MQTT Transmission`); none for a CA. */
  readonly product?: string;
  readonly action: CertificateChange;
  /** Why, in words. */
  readonly reasons: string[];
  /** The names of the files it writes again or removes. */
  readonly files: string[];
  /** For a CA whose key or subject would change: what changes. Such a plan is refused unless allowed. */
  readonly identityChanges: string[];
}

/**
 * Groups the changes by certificate construct and says what happens to each, in construct path order;
 * `productLabels` (by construct path) names the product of each server and client certificate.
 */
export function reviewPlan(plan: ReducedPlan, productLabels: ReadonlyMap<string, string> = new Map()): CertificateReview[] {
  const groups = new Map<string, ResourceChange[]>();
  for (const change of plan.changes) {
    const construct = path.posix.dirname(change.path);
    groups.set(construct, [...(groups.get(construct) ?? []), change]);
  }
  return [...groups.entries()]
    .filter(([, changes]) => changes.some((c) => CERTIFICATE_TYPES.includes(c.type)))
    .map(([construct, changes]) => ({ ...reviewCertificate(construct, changes), product: productLabels.get(construct) }))
    .sort((a, b) => a.construct.localeCompare(b.construct));
}

function reviewCertificate(construct: string, changes: ResourceChange[]): CertificateReview {
  const find = (child: string) => changes.find((c) => path.posix.basename(c.path) === child);
  const key = find('key');
  const csr = find('csr');
  const cert = changes.find((c) => CERTIFICATE_TYPES.includes(c.type))!;
  const isCa = Boolean(cert.after?.is_ca_certificate ?? cert.before?.is_ca_certificate);
  const subjectSource = cert.type === 'tls_self_signed_cert' ? cert : csr;
  const subject = (subjectSource?.after?.subject ?? subjectSource?.before?.subject) as any[] | undefined;
  const fileChanges = changes.filter((c) => FILE_TYPES.includes(c.type) && !isNoOp(c));
  const files = fileChanges
    .map((c) => String(c.after?.filename ?? c.before?.filename ?? c.path))
    .map((f) => path.basename(f))
    .sort();
  const identityChanges = [...keyReasons(key), ...subjectReasons(subjectSource)];
  const base = { construct, id: path.posix.basename(construct), isCa, commonName: subject?.[0]?.common_name, files };
  const { action, reasons } = decide(cert, csr, identityChanges, isCa, fileChanges);
  return { ...base, action, reasons, identityChanges: isCa && action === CertificateChange.REPLACED ? identityChanges : [] };
}

function decide(cert: ResourceChange, csr: ResourceChange | undefined, identity: string[], isCa: boolean, fileChanges: ResourceChange[]) {
  if (isCreate(cert)) return { action: CertificateChange.CREATED, reasons: [isCa ? 'new CA' : 'new certificate'] };
  if (isDelete(cert)) return { action: CertificateChange.DESTROYED, reasons: [isCa ? 'CA retired: no longer in the configuration' : 'no longer in the configuration'] };
  if (isReplace(cert)) {
    const reasons = [...identity, ...sanReasons(csr), ...certificateReasons(cert)];
    if (identity.length > 0) return { action: CertificateChange.REPLACED, reasons };
    const renewalOnly = cert.replacePaths.every((p) => p === 'ready_for_renewal');
    return { action: renewalOnly ? CertificateChange.RENEWED : CertificateChange.REISSUED, reasons };
  }
  if (cert.actions.includes('update')) return { action: CertificateChange.UPDATED, reasons: changedAttributes(cert).map((a) => `${a} changes`) };
  if (fileChanges.length > 0) return { action: CertificateChange.FILES_REWRITTEN, reasons: fileReasons(fileChanges) };
  return { action: CertificateChange.UNCHANGED, reasons: [] };
}

/** Why files are written again while their certificate stays: a bundle's content changed, or a file went missing. */
function fileReasons(fileChanges: ResourceChange[]): string[] {
  return [
    ...(fileChanges.some((c) => c.replacePaths.includes('content')) ? ['content changes (a bundle or chain gains or loses a CA certificate)'] : []),
    ...(fileChanges.some(isCreate) ? ['missing on disk: written again'] : []),
  ];
}

const isNoOp = (c: ResourceChange) => c.actions.every((a) => a === 'no-op' || a === 'read');
const isCreate = (c: ResourceChange) => c.actions.length === 1 && c.actions[0] === 'create';
const isDelete = (c: ResourceChange) => c.actions.length === 1 && c.actions[0] === 'delete';
const isReplace = (c: ResourceChange) => c.actions.includes('delete') && c.actions.includes('create');

function keyReasons(key?: ResourceChange): string[] {
  if (!key || !isReplace(key)) return [];
  return [`new key: ${keyText(key.before)} → ${keyText(key.after)}`];
}

function keyText(facts: Facts | null): string {
  if (!facts) return '?';
  return facts.algorithm === 'ECDSA' ? `ECDSA ${facts.ecdsa_curve}` : `${facts.algorithm} ${facts.rsa_bits}`;
}

function subjectReasons(source?: ResourceChange): string[] {
  if (!source || !isReplace(source) || !source.replacePaths.includes('subject')) return [];
  return [`subject changes: ${subjectText(source.before?.subject)} → ${subjectText(source.after?.subject)}`];
}

/** `CN=..., OU=..., O=..., C=...`, most specific first, as the inventory shows it. */
export function subjectText(subject: unknown): string {
  const s = (Array.isArray(subject) ? subject[0] : undefined) as Record<string, string | null> | undefined;
  if (!s) return '?';
  const parts: [string, string][] = [['CN', 'common_name'], ['OU', 'organizational_unit'], ['O', 'organization'], ['L', 'locality'], ['ST', 'province'], ['C', 'country']];
  return parts.filter(([, k]) => s[k]).map(([label, k]) => `${label}=${s[k]}`).join(', ');
}

function sanReasons(csr?: ResourceChange): string[] {
  if (!csr || !isReplace(csr)) return [];
  const names = (facts: Facts | null) => [
    ...((facts?.dns_names as string[] | null) ?? []).map((n) => `DNS:${n}`),
    ...((facts?.ip_addresses as string[] | null) ?? []).map((n) => `IP:${n}`),
  ];
  const before = names(csr.before);
  const after = names(csr.after);
  const diff = [...after.filter((n) => !before.includes(n)).map((n) => `+${n}`), ...before.filter((n) => !after.includes(n)).map((n) => `-${n}`)];
  return diff.length > 0 ? [`SAN changes: ${diff.join(', ')}`] : [];
}

/** Why the engine must sign the certificate again, beyond its request's changes. */
const CERTIFICATE_REPLACE_REASONS: Record<string, (c: ResourceChange) => string> = {
  ready_for_renewal: () => 'renewal due',
  ca_private_key_pem: () => 'signed by another CA',
  ca_cert_pem: () => "its issuer's certificate changes",
  validity_period_hours: (c) => `validity changes: ${c.before?.validity_period_hours} → ${c.after?.validity_period_hours} hours`,
  allowed_uses: () => 'key usages change',
  is_ca_certificate: () => 'CA flag changes',
  max_path_length: (c) => `path length changes: ${c.before?.max_path_length ?? 'none'} → ${c.after?.max_path_length ?? 'none'}`,
};

function certificateReasons(cert: ResourceChange): string[] {
  // A new issuer key is the one reason: that its certificate changes too goes without saying.
  const newIssuer = cert.replacePaths.includes('ca_private_key_pem') || issuerKeyChanges(cert);
  const paths = newIssuer ? [...new Set(cert.replacePaths.map((p) => (p === 'ca_cert_pem' ? 'ca_private_key_pem' : p)))] : cert.replacePaths;
  return paths.flatMap((p) => (CERTIFICATE_REPLACE_REASONS[p] ? [CERTIFICATE_REPLACE_REASONS[p](cert)] : []));
}

/** Both issuer keys are known (the new issuer exists already) and differ. */
function issuerKeyChanges(cert: ResourceChange): boolean {
  const [before, after] = [cert.before?.issuer_key, cert.after?.issuer_key];
  return before !== undefined && after !== undefined && before !== after;
}

/** The SHA-256 of a CA certificate's public key, or undefined when the PEM is not known yet (or is not one). */
function issuerKey(caCertPem: unknown): string | undefined {
  if (typeof caCertPem !== 'string' || !caCertPem.includes('-----BEGIN CERTIFICATE-----')) return undefined;
  try {
    return createHash('sha256').update(new X509Certificate(caCertPem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
  } catch {
    return undefined;
  }
}

function changedAttributes(change: ResourceChange): string[] {
  return KEPT_ATTRIBUTES.filter((k) => JSON.stringify(change.before?.[k]) !== JSON.stringify(change.after?.[k]));
}

/** The CAs whose identity would change and that `allowed` (ids or construct paths) does not name. */
export function refusedCaChanges(review: CertificateReview[], allowed: string[]): CertificateReview[] {
  return review.filter((c) => c.identityChanges.length > 0 && !allowed.includes(c.id) && !allowed.includes(c.construct));
}

/** The CA ids and paths named in `CHARIOT_TLS_ALLOW_CA_CHANGE`. */
export function allowedCaChanges(env: NodeJS.ProcessEnv): string[] {
  return (env[ALLOW_CA_CHANGE_ENV] ?? '').split(/[\s,]+/).filter(Boolean);
}

/** The `caGenerations` field that rotates a CA of the ready app, by construct id. */
function rotationField(id: string): string | undefined {
  const base = /^(root|server|engine|transmission)-ca(-g\d+)?$/.exec(id)?.[1];
  return base && `caGenerations.${base}Ca`;
}

function rotationAdvice(ids: string[]): string {
  const fields = ids.map(rotationField).filter(Boolean);
  const where = fields.length > 0 ? ` (${[...new Set(fields)].join(', ')} in chariot-tls.json)` : '';
  return `To change a CA without an outage, rotate it: create a new generation beside it${where}; see docs/operate.md, "Rotating a CA".`;
}

/** The words of a refused deploy: which CA, what changes, how to rotate, how to force. */
export function formatRefusal(refused: CertificateReview[]): string {
  const ids = refused.map((c) => c.id);
  return [
    `chariot-tls: refused: this plan would give ${refused.length === 1 ? 'a CA a new identity' : `${refused.length} CAs a new identity`} (a new key or subject), not renew ${refused.length === 1 ? 'it' : 'them'}:`,
    ...refused.map((c) => `  - CA ${c.id} (${c.construct}): ${c.identityChanges.join('; ')}`),
    'Every bundle that trusts the old CA would stop verifying what the new one signs: every product would need new files at once.',
    rotationAdvice(ids),
    `To replace it in place anyway, run the deploy again with ${ALLOW_CA_CHANGE_ENV}=${ids.join(',')}.`,
    'Nothing was changed.',
  ].join('\n');
}

/** A CA key the engine refused to destroy (`prevent_destroy`), with what the configuration changes. */
export interface ProtectedKeyRefusal {
  /** The CA's construct path, e.g. `pki/server-ca`. */
  readonly construct: string;
  /** What changes, e.g. `RSA 2048 → RSA 4096`, when known. */
  readonly change?: string;
}

/**
 * The addresses in the engine's `prevent_destroy` errors: "Resource instance ADDRESS has prevent_destroy set"
 * (OpenTofu, wrapped over lines) or "Resource ADDRESS has lifecycle.prevent_destroy set" (Terraform).
 */
export function preventDestroyAddresses(engineOutput: string): string[] {
  const plain = engineOutput.replace(/\x1b\[[0-9;]*m/g, '');
  const found = plain.matchAll(/Resource (?:instance\s+)?([\w.\-\[\]"]+)\s+has\s+(?:lifecycle\.)?prevent_destroy\s+set/g);
  return [...new Set([...found].map((m) => m[1]))];
}

/** The key facts of `address` in a state (`tofu show -json`) or a synthesized stack. */
export function keyFactsInState(state: any, address: string): Facts | null {
  const resources: any[] = state?.values?.root_module?.resources ?? [];
  return keep(resources.find((r) => r.address === address)?.values);
}

export function keyFactsInSynthesized(synthesized: any, address: string): Facts | null {
  const [type, name] = address.split('.');
  return keep(synthesized?.resource?.[type]?.[name]);
}

/** Describes a key change from its facts before and after. */
export function keyChange(before: Facts | null, after: Facts | null): string | undefined {
  return before && after ? `${keyText(before)} → ${keyText(after)}` : undefined;
}

/** The engine's `prevent_destroy` error in our words. */
export function formatProtectedKeyRefusal(refused: ProtectedKeyRefusal[]): string {
  const ids = refused.map((r) => path.posix.basename(r.construct));
  return [
    `chariot-tls: refused: this plan would replace the private key of ${refused.length === 1 ? 'a CA' : `${refused.length} CAs`}, and CA keys are protected:`,
    ...refused.map((r, i) => `  - CA ${ids[i]} (${r.construct}): new key${r.change ? `: ${r.change}` : ''} (key options changed: caRsaBits, caKey)`),
    'A new CA key breaks every bundle and certificate that depends on the old one.',
    'To keep this CA, restore its key options. ' + rotationAdvice(ids),
    'Nothing was changed.',
  ].join('\n');
}

/** The summary printed after the engine's plan: a loud first line for any CA change, then one line per certificate. */
export function formatSummary(review: CertificateReview[], listLimit = Infinity): string {
  const changed = review.filter((c) => c.action !== CertificateChange.UNCHANGED);
  const unchanged = review.length - changed.length;
  const cas = changed.filter((c) => c.isCa && c.action !== CertificateChange.FILES_REWRITTEN);
  const lines: string[] = [];
  if (cas.length > 0) {
    const list = cas.map((c) => `${c.id} ${c.action}`).join(', ');
    lines.push(`!!! CA CHANGE: ${list}. Check the trust bundles before deploying (docs/operate.md, "Rotating a CA") !!!`);
  }
  lines.push(changed.length === 0 ? 'Certificates: no change.' : `Certificates: ${counts(changed)}; ${unchanged} unchanged.`);
  const width = Math.max(0, ...changed.map((c) => c.action.length));
  for (const c of changed.slice(0, listLimit)) {
    const what = c.isCa ? ' (CA)' : c.product ? ` (${c.product})` : '';
    const name = c.commonName ? `${c.construct} "${c.commonName}"${what}` : c.construct;
    const files = c.files.length > 0 ? ` [files: ${c.files.join(', ')}]` : '';
    lines.push(`  ${c.action.padEnd(width)}  ${name}: ${c.reasons.join('; ')}${files}`);
  }
  if (changed.length > listLimit) lines.push(`  ... and ${changed.length - listLimit} more: ${counts(changed.slice(listLimit))} (--verbose lists every one)`);
  return `${lines.join('\n')}\n`;
}

function counts(changed: CertificateReview[]): string {
  const byAction = new Map<string, number>();
  for (const c of changed) byAction.set(c.action, (byAction.get(c.action) ?? 0) + 1);
  return [...byAction.entries()].map(([action, n]) => `${n} ${action}`).join(', ');
}
