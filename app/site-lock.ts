import * as path from 'node:path';
import { takeDeployLock } from './deploy-lock';
import { UserError } from './user-error';

/**
 * One deploy of a site at a time (`siteStates`, docs/operate.md, "Sites in their own state"): a deploy holds the
 * lock of each site it deploys from before it synthesizes that site's stack directory until the site's record is
 * merged into `sites.json`, while the environment's lock (app/environment-lock.ts) is held only for the CAs' part and
 * that merge. Two deploys of different sites so run their sites at once; a second deploy of a site waits for the
 * first, then finds it deployed. The locks are taken in name order, before the environment's, by every deploy: no
 * two deploys can each hold what the other waits for.
 */

/** The lock of a site: `<outdir>.site-locks/SITE.lock`, beside the environment's lock. */
export function siteLockFile(outdir: string, site: string): string {
  return path.join(`${path.resolve(outdir)}.site-locks`, `${site}.lock`);
}

/** A deploy of the site that did not finish within the lock timeout. */
export class SiteBusyError extends UserError {}

/**
 * Waits for the lock of each of `sites`, in name order, up to `timeoutMs` each, and resolves to the release of them
 * all; `onWait` is told once per site another deploy holds, with who holds it. Takes none when `sites` is empty.
 */
export async function lockSites(outdir: string, sites: readonly string[], timeoutMs: number, onWait: (site: string, holder: string | undefined) => void): Promise<() => Promise<void>> {
  const releases: (() => Promise<void>)[] = [];
  const releaseAll = async () => {
    for (const release of releases.splice(0).reverse()) await release();
  };
  try {
    for (const site of [...new Set(sites)].sort()) {
      releases.push(await takeDeployLock({
        lockFile: siteLockFile(outdir, site),
        timeoutMs,
        onWait: (holder) => onWait(site, holder),
        busy: (seconds) => new SiteBusyError(
          `chariot-tls: deploy refused: another deploy of site ${site} (${siteLockFile(outdir, site)}) did not finish within ${seconds} s; nothing was written. Wait for it and deploy again.`),
      }));
    }
  } catch (e) {
    await releaseAll();
    throw e;
  }
  return releaseAll;
}
