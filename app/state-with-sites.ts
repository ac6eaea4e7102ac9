import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChariotPki, LeafCertificate } from '../lib';
import { StateReadOptions, readState } from './engine';
import { RevokedClient } from './revocation-config';
import { SiteSynthOptions, SynthesizedSite, eachSiteAtOnce, sitesWithCasInState, synthesizeSites } from './site-states';

/**
 * With `siteStates`, a site client's certificate and key are in its site's state, not the main one: what reads a
 * client from the state (the serial of a revoked client, a key to write encrypted) reads the main state with the
 * sites' merged in. Each site's state is read as the deploy reads the main one (`show -json` in the site's stack
 * directory, so a local or encrypted state alike), up to one engine per core at once, and stays in memory: it holds
 * every key of the site's clients.
 */

/** How the sites' states are read: the engine's hooks of the main stack; `signal` starts no further site once aborted. */
export type SiteStateReadOptions = Omit<StateReadOptions, 'stackDir' | 'synthesized' | 'signal'> & { readonly signal: AbortSignal };

/**
 * The `show -json` state `main` with the state of each site in `sites` merged in: each site's root module as a child
 * module, which every walk of the state (app/ca-keys.ts `stateResources`) reads. A site's clients have the same
 * addresses as in the single stack, so they are found by the same address in the synthesized stack of their site.
 */
export async function stateWithSites(main: any, sites: SynthesizedSite[], options: SiteStateReadOptions): Promise<any> {
  const read = await eachSiteAtOnce(sites, options.signal, async (site) => ({
    site: site.site,
    shown: await readState({ ...options, stackDir: site.stackDir, synthesized: site.synthesized, workspace: site.workspace }),
  }));
  const root = main?.values?.root_module ?? {};
  const siteModules = read.map((r) => r.shown?.values?.root_module).filter((m) => m !== undefined);
  return { ...main, values: { ...main?.values, root_module: { ...root, child_modules: [...(root.child_modules ?? []), ...siteModules] } } };
}

/**
 * Reads the main state (`readMain`) and, merged in ({@link stateWithSites}), the states of the sites `which` picks
 * among those whose CAs are in it (a site whose CA is not created yet has no state to read); the sites' stacks are
 * synthesized from the main state to read them.
 */
export async function readStateWithSites(
  readMain: () => Promise<any>,
  synth: Omit<SiteSynthOptions, 'caState'>,
  options: SiteStateReadOptions,
  which: (sites: string[]) => string[] = (sites) => sites,
): Promise<any> {
  const main = await readMain();
  const withState = { ...synth, caState: main };
  const picked = which(sitesWithCasInState(withState));
  return stateWithSites(main, picked.length === 0 ? [] : synthesizeSites(withState, picked), options);
}

/**
 * The sites that may hold one of the clients `names`: those with a folder `certs/transmission/SITE/NAME`; every site
 * when a name has no folder at all, in a site or the flat lists (its files removed by hand), so its certificate is
 * still found.
 */
export function sitesWithClientFolders(names: readonly string[], sites: string[], outputDirectory: string): string[] {
  const certs = path.join(outputDirectory, 'certs');
  const inSite = (site: string, name: string) => fs.existsSync(path.join(certs, 'transmission', site, name));
  const flat = (name: string) => ['engine', 'transmission'].some((kind) => fs.existsSync(path.join(certs, kind, name)));
  if (names.some((name) => !flat(name) && !sites.some((site) => inSite(site, name)))) return sites;
  return sites.filter((site) => names.some((name) => inSite(site, name)));
}

/**
 * The revoked clients a deploy of the sites `own` records (`--site`): not one whose folder is in another site only,
 * which that site's own deploy records, as its engine destroys the client; every one when `own` is every site.
 */
export function revokedInOwnSites(revoked: RevokedClient[], own: readonly string[], sites: readonly string[], outputDirectory: string): RevokedClient[] {
  const mine = new Set(own);
  const others = sites.filter((site) => !mine.has(site));
  return revoked.filter((r) => !others.some((site) => fs.existsSync(path.join(outputDirectory, 'certs', 'transmission', site, r.name))));
}

/** The names of the sites whose clients include one of `clients`. */
export function sitesOfClients(pki: ChariotPki, clients: readonly LeafCertificate[]): Set<string> {
  const wanted = new Set(clients);
  return new Set(pki.sites.filter((site) => site.transmissionClients.some((c) => wanted.has(c))).map((site) => site.name));
}
