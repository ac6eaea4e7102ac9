import * as path from 'node:path';
import { CertificateChange } from './certificate-change';
import { Facts, KEPT_ATTRIBUTES, ResourceChange, ReducedPlan, keyText, subjectText } from './plan-facts';

/**
 * Reviews a saved engine plan (`tofu show -json PLAN`) in the PKI's own words: which certificates are
 * created, renewed, re-issued, replaced or destroyed and why, and whether a CA would lose its identity
 * (its key or its subject), which a deploy refuses unless allowed (app/ca-refusals.ts).
 */

const CERTIFICATE_TYPES = ['tls_self_signed_cert', 'tls_locally_signed_cert'];
const FILE_TYPES = ['local_file', 'local_sensitive_file'];

/** The review of one certificate construct. */
export interface CertificateReview {
  /** Its construct path under the stack, e.g. `pki/server-ca`. */
  readonly construct: string;
  /** Its construct id, e.g. `server-ca`; a site's CA with its site, e.g. `sites/north-sea/ca` (every site CA's id is `ca`). */
  readonly id: string;
  readonly isCa: boolean;
  /**
   * A self-signed root CA.
   * @default false
   */
  readonly isRoot?: boolean;
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

/**
 * A certificate's id in messages and in `CHARIOT_TLS_ALLOW_CA_CHANGE`: its construct id, except a site's CA, whose
 * construct id (`ca`, `ca-g2`) every site CA shares: it keeps its site (`sites/north-sea/ca`).
 */
export function certificateId(construct: string): string {
  return /(?:^|\/)(sites\/[^/]+\/ca(?:-g\d+)?)$/.exec(construct)?.[1] ?? path.posix.basename(construct);
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
  const base = { construct, id: certificateId(construct), isCa, isRoot: cert.type === 'tls_self_signed_cert', commonName: subject?.[0]?.common_name, files };
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
    ...(fileChanges.some(isCreate) ? ['missing or changed on disk: written again from the state'] : []),
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

function subjectReasons(source?: ResourceChange): string[] {
  if (!source || !isReplace(source) || !source.replacePaths.includes('subject')) return [];
  return [`subject changes: ${subjectText(source.before?.subject)} → ${subjectText(source.after?.subject)}`];
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

function changedAttributes(change: ResourceChange): string[] {
  return KEPT_ATTRIBUTES.filter((k) => JSON.stringify(change.before?.[k]) !== JSON.stringify(change.after?.[k]));
}
