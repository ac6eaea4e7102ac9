import * as fs from 'node:fs';
import * as path from 'node:path';
import { deleteWorkspace, destroyStack } from './engine';
import { EngineDisplay } from './engine-display';
import { StateFileCondition, stateFileCondition } from './existing-pki';
import { recordFile } from './site-changes';
import { SiteSynthOptions, eachSiteAtOnce, signingKeyHandOver, siteDisplay, sitesWithCasInState, synthesizeSites } from './site-states';
import { siteBackend, siteStateName } from './site-stack';

/**
 * `npm run destroy` with `siteStates` (docs/operate.md, "Sites in their own state"): every site's stack is destroyed
 * (its clients' keys, certificates and files) before the CAs', since a site left standing needs its CA's key to be
 * signed or destroyed again. Each site's stack is synthesized from the CAs' state as the deploy does, and its engine
 * gets the signing CA key the deploy's way (`TF_VAR_`, write-only attributes), never a file. A destroyed site's state
 * file goes, or in PostgreSQL its workspace (`site-SITE`, empty by then: the engine deletes no other); the change record (`sites.json`) is cleared, so the next deploy plans every site afresh.
 */

/** What destroying the sites needs besides their synthesis. */
export interface SiteDestroyOptions extends SiteSynthOptions {
  /** The destroy's display: each site's engine logs there. */
  readonly display: EngineDisplay;
}

/** How a site's destroy ended. */
export interface SiteDestroyed {
  readonly site: string;
  /** `undefined` once destroyed; else why not, in words. */
  readonly failure?: string;
}

/** Destroys every site's stack (see above); resolves to each site's outcome, by name. */
export async function destroyEverySite(options: SiteDestroyOptions): Promise<SiteDestroyed[]> {
  const withCas = new Set(sitesWithCasInState(options));
  // A site whose CA never reached the CAs' state was never deployed, unless its state says otherwise.
  const withoutCas = options.pki.sites.map((s) => s.name).filter((site) => !withCas.has(site)).map((site): SiteDestroyed => ({
    site,
    failure: stateHoldsNothing(options, site) ? undefined : `its CA certificate is not in the CAs' state, so its stack cannot be synthesized to destroy what its state holds (${siteStateFile(options, site)})`,
  }));
  const sites = withCas.size === 0 ? [] : synthesizeSites(options, [...withCas]);
  const signal = new AbortController().signal;
  const destroyed = await eachSiteAtOnce(sites, signal, async (site): Promise<SiteDestroyed> => {
    options.display.log(`chariot-tls: site ${site.site}: destroying its own stack (${path.relative(process.cwd(), site.stackDir) || '.'})\n`);
    const engine = { stackDir: site.stackDir, synthesized: site.synthesized, display: siteDisplay(site.site, options.display), workspace: site.workspace };
    const status = await destroyStack({ ...engine, caKeys: signingKeyHandOver(site.site, options) });
    if (status !== 0) return { site: site.site, failure: `its engine ended with status ${status}` };
    if (site.workspace !== undefined && await deleteWorkspace({ ...engine, workspace: undefined }, site.workspace) !== 0) {
      return { site: site.site, failure: `its clients were destroyed, but its empty workspace ${site.workspace} could not be deleted (see the log)` };
    }
    return { site: site.site };
  });
  const outcomes = [...withoutCas, ...destroyed].sort((a, b) => (a.site < b.site ? -1 : 1));
  for (const { site } of outcomes.filter((o) => o.failure === undefined)) removeSiteState(options, site);
  // Cleared whatever happened: a site destroyed, or half destroyed, is not as its record says.
  fs.rmSync(recordFile(path.join(options.outdir, 'sites')), { force: true });
  if (outcomes.every((o) => o.failure === undefined)) fs.rmSync(path.join(options.outdir, 'sites'), { recursive: true, force: true });
  return outcomes;
}

/** Where a site's state lives, in words. */
function siteStateFile(options: SiteSynthOptions, site: string): string {
  return siteStateName(siteBackend(options.config.backend, site));
}

/**
 * A local site state that is missing, empty or lists no resource (an encrypted one is taken to hold some). A site
 * in PostgreSQL is taken to hold nothing: the CAs' deploy creates every site's CA before any site's own deploy, so
 * a site whose CA is not in the CAs' state never had its workspace written.
 */
function stateHoldsNothing(options: SiteSynthOptions, site: string): boolean {
  const backend = siteBackend(options.config.backend, site);
  if (backend.type !== 'local') return true;
  const file = backend.path;
  const condition = stateFileCondition(file);
  if (condition === StateFileCondition.MISSING || condition === StateFileCondition.EMPTY) return true;
  if (condition !== StateFileCondition.READABLE) return false;
  const resources = JSON.parse(fs.readFileSync(file, 'utf8')).resources;
  return Array.isArray(resources) && resources.length === 0;
}

/** Removes a destroyed site's local state file and its backup, then their folder once it is empty. */
function removeSiteState(options: SiteSynthOptions, site: string): void {
  const backend = siteBackend(options.config.backend, site);
  if (backend.type !== 'local') return;
  const file = backend.path;
  for (const f of [file, `${file}.backup`]) fs.rmSync(f, { force: true });
  const folder = path.dirname(file);
  if (fs.existsSync(folder) && fs.readdirSync(folder).length === 0) fs.rmdirSync(folder);
}
