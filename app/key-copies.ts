import { ResourceChange } from './plan-facts';

/**
 * Copies of keys in state written before keys were handed to the tls resources write-only
 * (lib/private/issuance.ts, `passKeyWriteOnly`). Each certificate, request and self-signed certificate kept
 * a copy of the key it was made with: a CA key once more per certificate it signed. The configuration now
 * names no such attribute, and the tls provider answers a known key attribute turning null with a
 * replacement, which would re-sign every certificate for nothing. So the deploy removes the copies from the
 * state itself (`tofu state pull`, this, `tofu state push`): what the provider would have stored had the
 * resource been created write-only. No certificate, key or file changes.
 */

/** The attribute that held the copy, by resource type; its write-only twin is `<attribute>_wo`. */
const KEY_ATTRIBUTE: Readonly<Record<string, string>> = {
  tls_cert_request: 'private_key_pem',
  tls_self_signed_cert: 'private_key_pem',
  tls_locally_signed_cert: 'ca_private_key_pem',
};

/**
 * Whether a plan replaces a resource only because the state still holds its key copy: its key attribute or
 * the write-only version (null in old state) is among the reasons.
 */
export function replacedForKeyCopy(change: ResourceChange): boolean {
  const attribute = KEY_ATTRIBUTE[change.type];
  return attribute !== undefined && change.replacePaths.some((p) => p === attribute || p === `${attribute}_wo_version`);
}

/**
 * Removes the key copies from `state` (the JSON `tofu state pull` prints) for every resource whose block in
 * `synthesized` hands its key write-only: the attribute becomes null and the version the configured one, as
 * a resource created write-only has them. Raises the serial when it changed anything, so `state push`
 * accepts it. Returns the number of resource instances changed.
 */
export function removeKeyCopies(state: any, synthesized: any): number {
  let removed = 0;
  for (const resource of state.resources ?? []) {
    const attribute = KEY_ATTRIBUTE[resource.type];
    const block = attribute && resource.mode === 'managed' ? synthesized?.resource?.[resource.type]?.[resource.name] : undefined;
    if (block?.[`${attribute}_wo`] === undefined) continue;
    for (const instance of resource.instances ?? []) {
      const values = instance.attributes ?? {};
      if (values[attribute] === null || values[attribute] === undefined) continue;
      values[attribute] = null;
      values[`${attribute}_wo`] = null;
      values[`${attribute}_wo_version`] = block[`${attribute}_wo_version`];
      instance.sensitive_attributes = (instance.sensitive_attributes ?? []).filter(
        (p: any[]) => !(p.length === 1 && p[0]?.type === 'get_attr' && p[0]?.value === attribute),
      );
      removed += 1;
    }
  }
  if (removed > 0) state.serial += 1;
  return removed;
}
