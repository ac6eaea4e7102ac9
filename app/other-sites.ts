import { PkiInventory } from '../lib';

/**
 * A deploy of some sites (`--site`) runs beside deploys of the others, which may write their sites' files meanwhile
 * (app/site-lock.ts): its summary and hand-outs leave those files to them, as they are at its end.
 */

/**
 * The construct paths and files of the clients of every site not in `own`: none when `own` is `undefined` (no site
 * in its own state) or holds every site.
 */
export function otherSitesKeys(inventory: PkiInventory, own: readonly string[] | undefined): ReadonlySet<string> {
  if (own === undefined) return new Set();
  const mine = new Set(own);
  const others = inventory.certificates.filter((c) => c.site !== undefined && !c.isCa && !mine.has(c.site));
  return new Set(others.flatMap((c) => [c.constructPath, ...c.files.map((f) => f.path)]));
}

/** `before` with the entries of `others` as they are `after`: unchanged by this deploy. */
export function leftToOtherDeploys<T>(before: ReadonlyMap<string, T>, after: ReadonlyMap<string, T>, others: ReadonlySet<string>): Map<string, T> {
  const left = new Map([...before].filter(([key]) => !others.has(key)));
  for (const [key, value] of after) if (others.has(key)) left.set(key, value);
  return left;
}
