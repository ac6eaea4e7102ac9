import * as path from 'node:path';
import { AppConfig } from './config';
import { EngineHooks, SynthesizedForDeploy } from './deploy-hooks';
import { applyDeclaredModes } from './file-modes';
import { CertificateReview } from './plan-review';
import { SiteRecord, driftSince, mergeRecords, readRecords, recordFile, recordOf, sha256, whyPlan } from './site-changes';
import { lostSiteStateRefusal } from './site-lost-state';
import { pullSiteStates, withPulledStates } from './site-remote-state';
import { SynthesizedSite, deploySites, siteFacts, synthesizeSites } from './site-states';
import { changedResources } from './site-targets';

/**
 * {@link deploySites} after the CAs' apply: the deploy's sites the change detector names (app/site-changes.ts)
 * synthesized from the CAs' state, those whose stack changed or may have planned and applied, and recorded once
 * deployed. The environment's lock is let go of meanwhile (the deploy holds its sites' locks, app/site-lock.ts) and
 * taken again for the records.
 */
export async function deployEverySite(app: SynthesizedForDeploy, { config, sites: names }: { config: AppConfig; sites: string[] }, hooks: EngineHooks, readEngineState: () => Promise<any>): Promise<{ status: number; review: CertificateReview[] }> {
  const caState = await readEngineState();
  const outdir = path.dirname(path.dirname(app.stackDir));
  const options = { config, pki: app.pki, caSynthesized: app.synthesized, caState, outdir };
  await hooks.environment.letGo();
  const records = readRecords(recordFile(path.join(outdir, 'sites')));
  const now = new Date();
  // A site made from what it was made from at its last good deploy is not synthesized again.
  const main = { stackDir: app.stackDir, synthesized: app.synthesized, signal: hooks.signal, display: hooks.display };
  const unread = siteFacts(options, names);
  const pulled = await pullSiteStates(unread, main);
  const facts = withPulledStates(unread, pulled);
  const sites = withPulledStates(synthesizeSites(options, facts.filter((f) => whyPlan(f, records[f.site], now) !== undefined).map((f) => f.site)), pulled);
  const reasons = new Map(sites.map((site) => [site.site, whyPlan(site, records[site.site], now)]));
  const due = sites.filter((site) => reasons.get(site.site) !== undefined).map((site) => ({ site, refusal: lostSiteStateRefusal(site, app.pki.outputDirectory) }));
  const refused = due.filter((d) => d.refusal !== undefined);
  for (const { refusal } of refused) process.stderr.write(`${refusal}\n`);
  const planned = due.filter((d) => d.refusal === undefined).map((d) => d.site);
  hooks.display.log(`chariot-tls: sites in their own state: ${planned.length} of ${facts.length} to plan${facts.map((f) => `; ${f.site}: ${reasons.get(f.site) ?? 'unchanged'}`).join('')}\n`);
  const targetsOf = (site: SynthesizedSite) => resourcesToPlan({ ...site, pulledState: pulled.get(site.site) }, records[site.site], now);
  const deployed = await deploySites(planned, { ...options, productLabels: app.productLabels, targetsOf, ...hooks });
  for (const site of planned) applyDeclaredModes(site.synthesized, app.pki.outputDirectory);
  // Only what this deploy knows: sites no longer configured drop out, a failed site is planned next time; a site
  // synthesized but not planned is recorded with what it was made from now. The records of other deploys' sites are
  // kept as they are now (read again under the environment's lock).
  const ok = new Set([...deployed.filter((d) => d.status === 0).map((d) => d.site), ...sites.filter((s) => reasons.get(s.site) === undefined).map((s) => s.site)]);
  // A site in PostgreSQL is read again: its deploy changed its state.
  const after = await pullSiteStates(deployed.filter((d) => d.status === 0).map((d) => sites.find((s) => s.site === d.site)!), main);
  const recorded = withPulledStates(sites.filter((s) => ok.has(s.site)), after).map((s) => [s.site, recordOf(s)]);
  await hooks.environment.take();
  mergeRecords(recordFile(path.join(outdir, 'sites')), {
    configured: app.pki.sites.map((s) => s.name),
    forgotten: sites.filter((s) => !ok.has(s.site)).map((s) => s.site),
    deployed: Object.fromEntries(recorded),
  });
  hooks.display.log(`chariot-tls: sites deployed in their own state: ${deployed.length} of ${facts.length}${deployed.map((d) => ` ${d.site}:${d.status === 0 ? 'ok' : 'failed'}`).join('')}\n`);
  const failed = deployed.filter((d) => d.status !== 0).map((d) => d.site);
  if (failed.length > 0) process.stderr.write(`chariot-tls: the deploy of site(s) ${failed.join(', ')} failed; the CAs and the other sites were deployed.\n`);
  return { status: failed.length > 0 || refused.length > 0 || deployed.length < planned.length ? 1 : 0, review: deployed.flatMap((d) => d.review) };
}

/**
 * The resources of `site` to plan (app/site-targets.ts), or `undefined` for its whole stack: only a site whose stack
 * alone changed since its last good deploy, the stack that deploy applied still in its directory, is planned in part.
 */
function resourcesToPlan(site: SynthesizedSite & { readonly pulledState?: string }, record: SiteRecord | undefined, now: Date): string[] | undefined {
  if (record === undefined || site.previousText === undefined || sha256(site.previousText) !== record.digest) return undefined;
  if (driftSince(record, site, now) !== undefined) return undefined;
  const targets = changedResources(JSON.parse(site.previousText), site.synthesized);
  return targets?.length === 0 ? undefined : targets;
}

