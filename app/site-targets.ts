/**
 * The resources a site's plan needs to look at (`siteStates`), when the change detector found only its stack
 * changed since its last good deploy (app/site-changes.ts: its files, state and renewal date as recorded): those
 * whose block is new or differs from the stack that deploy applied. The engine plans them with `-target`, leaving
 * out the refresh and evaluation of the site's other resources, which the detector has already checked against what
 * that deploy left: a client added to a site of 100 plans 7 resources, not 700.
 *
 * `undefined` asks for a plan of the whole stack: a resource removed (its destroy must be planned), or anything but
 * resources changed (a variable, a provider, the backend).
 */
export function changedResources(applied: any, synthesized: any): string[] | undefined {
  // `//` is cdktf's metadata (it lists every override, so it grows with each client): the engine reads none of it.
  const { resource: before = {}, '//': _metadataBefore, ...restBefore } = applied;
  const { resource: after = {}, '//': _metadataAfter, ...restAfter } = synthesized;
  if (JSON.stringify(restBefore) !== JSON.stringify(restAfter)) return undefined;
  const addresses = (resources: any) => Object.entries<any>(resources).flatMap(([type, blocks]) => Object.keys(blocks).map((name) => `${type}.${name}`));
  const now = new Set(addresses(after));
  if (addresses(before).some((address) => !now.has(address))) return undefined;
  const changed = [...now].filter((address) => {
    const [type, name] = split(address);
    return JSON.stringify(before[type]?.[name]) !== JSON.stringify(after[type][name]);
  });
  return withDependents(changed, after);
}

/**
 * `changed` and every resource that refers to one of them, however indirectly: `-target` plans what a target
 * uses, not what uses it, so a file whose block is the same but whose certificate is signed again is a target too.
 */
function withDependents(changed: string[], resources: any): string[] {
  const referrers = new Map<string, string[]>();
  for (const [type, blocks] of Object.entries<any>(resources)) {
    for (const [name, block] of Object.entries<any>(blocks)) {
      for (const [, used] of JSON.stringify(block).matchAll(REFERENCE)) {
        if (!referrers.has(used)) referrers.set(used, []);
        referrers.get(used)!.push(`${type}.${name}`);
      }
    }
  }
  const targets = new Set(changed);
  for (const address of targets) for (const referrer of referrers.get(address) ?? []) targets.add(referrer);
  return [...targets];
}

/** A reference to a resource in an expression: `${tls_locally_signed_cert.NAME.cert_pem}`, `depends_on` entries. */
const REFERENCE = /\b((?:tls|local)_[a-z_]+\.[A-Za-z0-9_-]+)\b/g;

/** `type.name` as its type and name (a name never holds a dot). */
function split(address: string): [string, string] {
  const dot = address.indexOf('.');
  return [address.slice(0, dot), address.slice(dot + 1)];
}
