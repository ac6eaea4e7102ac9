import { X509Certificate, createHash } from 'node:crypto';
import * as path from 'node:path';

/**
 * A saved engine plan (`tofu show -json PLAN`) reduced to the facts the review needs, none of them secret, and
 * the words for those facts (a key, a subject).
 */

/**
 * The only attributes a reduced plan keeps: none is secret. A plan holds private keys (in `before`,
 * `after` and `prior_state`); reducing to this list is what makes it safe to print, log or commit.
 */
export const KEPT_ATTRIBUTES = [
  'algorithm', 'rsa_bits', 'ecdsa_curve', 'subject', 'dns_names', 'ip_addresses', 'is_ca_certificate',
  'allowed_uses', 'validity_period_hours', 'early_renewal_hours', 'max_path_length', 'filename',
] as const;


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

/** The SHA-256 of a CA certificate's public key, or undefined when the PEM is not known yet (or is not one). */
function issuerKey(caCertPem: unknown): string | undefined {
  if (typeof caCertPem !== 'string' || !caCertPem.includes('-----BEGIN CERTIFICATE-----')) return undefined;
  try {
    return createHash('sha256').update(new X509Certificate(caCertPem).publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
  } catch {
    return undefined;
  }
}

export function keyText(facts: Facts | null): string {
  if (!facts) return '?';
  return facts.algorithm === 'ECDSA' ? `ECDSA ${facts.ecdsa_curve}` : `${facts.algorithm} ${facts.rsa_bits}`;
}

/** `CN=..., OU=..., O=..., C=...`, most specific first, as the inventory shows it. */
export function subjectText(subject: unknown): string {
  const s = (Array.isArray(subject) ? subject[0] : undefined) as Record<string, string | null> | undefined;
  if (!s) return '?';
  const parts: [string, string][] = [['CN', 'common_name'], ['OU', 'organizational_unit'], ['O', 'organization'], ['L', 'locality'], ['ST', 'province'], ['C', 'country']];
  return parts.filter(([, k]) => s[k]).map(([label, k]) => `${label}=${s[k]}`).join(', ');
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
