import * as fs from 'node:fs';
import * as path from 'node:path';
import { declaredFiles } from './declared-files';
import { CertificateChange } from './certificate-change';
import { AppConfig } from './config';
import { StateFileCondition, stateFileCondition } from './existing-pki';
import { CertificateReview } from './plan-review';
import { SynthesizedSite } from './site-states';

/** A site client's construct path, `pki/sites/SITE/clients/NAME`: the site's name in group 1. */
const SITE_CLIENT = /^pki\/sites\/([^/]+)\/clients\//;

/**
 * The lost state guard of a site in its own state (`siteStates`), as app/existing-pki.ts is the main state's: a
 * site whose state file is missing or empty while its client keys are on disk was deployed, and its state lost.
 * Planning it would create every client key again and write the new files over the ones the gateways hold. The
 * keys on disk are the evidence because the site's state and its output folder live on the same machine. A site in
 * PostgreSQL has no file to look at: {@link lostSiteWorkspaceRefusal} reads its plan instead.
 */
export function lostSiteStateRefusal(site: SynthesizedSite, outputDirectory: string): string | undefined {
  if (site.stateFile === undefined) return undefined;
  const condition = stateFileCondition(site.stateFile);
  if (condition !== StateFileCondition.MISSING && condition !== StateFileCondition.EMPTY) return undefined;
  // The client keys: the stack's sensitive files.
  const keys = declaredFiles(site.synthesized, ['local_sensitive_file']).filter((file) => fs.existsSync(file));
  if (keys.length === 0) return undefined;
  return [
    `chariot-tls: refused: site ${site.site}: its state file ${site.stateFile} is ${condition}, but ${keys.length} of its client keys are on disk (${shown(keys)}).`,
    `Deploying it would create every client key of ${site.site} again and write new files over the ones its gateways hold.`,
    `Restore ${site.stateFile} from its backup (the engine's ${path.basename(site.stateFile)}.backup beside it, or your own), then deploy again.`,
    reKeyText(site, outputDirectory),
  ].join('\n');
}

/**
 * The lost state guard of a site whose state is in PostgreSQL (its workspace `site-SITE`), after its plan: a plan
 * that would create a client whose `private.key` is on disk means the workspace was lost, emptied, or is in another
 * database than the one that signed those keys. Applying it would write new keys over the ones the gateways hold.
 */
export function lostSiteWorkspaceRefusal(site: SynthesizedSite, review: CertificateReview[], outputDirectory: string): string | undefined {
  if (site.workspace === undefined) return undefined;
  const keys = createdKeysOnDisk(site.synthesized, review);
  if (keys.length === 0) return undefined;
  return [
    `chariot-tls: refused: site ${site.site}: its plan would create ${keys.length} client key(s) that are on disk already (${shown(keys)}): its state, the workspace ${site.workspace} in PostgreSQL, is lost or empty, or this is not the database that deployed it.`,
    `Deploying it would write new keys over the ones its gateways hold. Nothing of ${site.site} was changed.`,
    `Restore the database (or the workspace ${site.workspace}) from your backup, or point the backend at the database that deployed it, then deploy again.`,
    reKeyText(site, outputDirectory),
  ].join('\n');
}

/**
 * With `siteStates` off and the pg backend, the main plan may not create a site's client whose `private.key` is on
 * disk: that site was deployed into its own workspace (`site-SITE`) with `siteStates` on, and the main stack would
 * re-key it. (Site state files left behind are refused before the engine runs, app/site-states.ts.)
 */
export function siteWorkspacesLeftBehind(config: AppConfig, synthesized: any): ((review: CertificateReview[]) => string | undefined) | undefined {
  if (config.siteStates || config.backend.type !== 'pg') return undefined;
  return (review) => {
    const siteClients = review.filter((c) => SITE_CLIENT.test(c.construct));
    const keys = createdKeysOnDisk(synthesized, siteClients);
    if (keys.length === 0) return undefined;
    const sites = [...new Set(siteClients.filter((c) => c.action === CertificateChange.CREATED).flatMap((c) => SITE_CLIENT.exec(c.construct)?.[1] ?? []))];
    return [
      `chariot-tls: refused: the plan would create ${keys.length} site client key(s) that are on disk already (${shown(keys)}): with "siteStates": false the main state does not hold them.`,
      `They are likely in their sites' own workspaces in PostgreSQL (${sites.map((s) => `site-${s}`).join(', ')}), deployed with "siteStates": true; deploying them into the main state would re-key them, and moving them back is not built yet.`,
      'Set "siteStates": true again. Nothing was changed.',
    ].join('\n');
  };
}

/** The `private.key` files on disk of the clients `review` creates, as the stack `synthesized` declares them. */
function createdKeysOnDisk(synthesized: any, review: CertificateReview[]): string[] {
  const created = new Set(review.filter((c) => c.action === CertificateChange.CREATED).map((c) => c.construct));
  // A client's key file, by its construct path under the stack (`pki/sites/SITE/clients/NAME/key-file`).
  return Object.values<any>(synthesized?.resource?.local_sensitive_file ?? {})
    .filter((f) => created.has(path.posix.dirname(String(f['//']?.metadata?.path ?? '').replace(/^[^/]+\//, ''))))
    .map((f) => f.filename as string).filter((file) => fs.existsSync(file)).sort();
}

/** A few of `files`, relative to the working directory. */
function shown(files: string[]): string {
  return files.slice(0, 2).map((file) => path.relative(process.cwd(), file)).join(', ') + (files.length > 2 ? ', ...' : '');
}

/** How to re-key a site on purpose. */
function reKeyText(site: SynthesizedSite, outputDirectory: string): string {
  const folder = path.relative(process.cwd(), path.join(outputDirectory, 'certs', 'transmission', site.site)) || '.';
  return `To re-key the site's clients on purpose (each gateway then needs its new files), remove the folder ${folder} first.`;
}
