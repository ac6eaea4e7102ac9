import { createHash } from 'node:crypto';
import { StateReadOptions, pullRawState } from './engine';
import { eachSiteAtOnce } from './site-states';
import { siteWorkspace } from './site-stack';

/**
 * The state of each site in PostgreSQL (`siteStates` with the pg backend), as the change detector compares it
 * (app/site-changes.ts): its workspace pulled by the engine (`state pull`, in memory only) and digested, since no
 * file on this machine tells whether another machine changed it or someone deleted it. Pulled in the CAs' stack's
 * directory, which has the same backend and is initialised by then, so a site need not be synthesized to be
 * checked. Sites with a local state file are not read: their file is digested where it lies.
 */

/** The SHA-256 of the state of each of `sites` without a state file, by site, up to one engine per core at once. */
export async function pullSiteStates(sites: readonly { readonly site: string; readonly stateFile?: string }[], main: StateReadOptions & { readonly signal: AbortSignal }): Promise<Map<string, string>> {
  const remote = sites.filter((site) => site.stateFile === undefined);
  const pulled = await eachSiteAtOnce(remote, main.signal, async ({ site }) => {
    const state = await pullRawState({ ...main, workspace: siteWorkspace(site) });
    return { site, digest: createHash('sha256').update(JSON.stringify(state)).digest('hex') };
  });
  return new Map(pulled.map((p) => [p.site, p.digest]));
}

/** `sites`, each with the digest of its state pulled (`digests`, {@link pullSiteStates}) when it has one. */
export function withPulledStates<T extends { readonly site: string }>(sites: readonly T[], digests: ReadonlyMap<string, string>): (T & { readonly pulledState?: string })[] {
  return sites.map((site) => (digests.has(site.site) ? { ...site, pulledState: digests.get(site.site) } : site));
}
