import { CertificateChange, formatChangedCounts } from './certificate-change';
import { EngineDisplay } from './engine-display';
import { CertificateReview } from './plan-review';
import { lostSiteStateRefusal } from './site-lost-state';
import { SiteSynthOptions, deploySites, sitesWithCasInState, synthesizeSites } from './site-states';

/**
 * `npm run plan` with `siteStates` (docs/operate.md, "Sites in their own state"): after the CAs' plan, each site's
 * stack is synthesized from the CAs' state as the deploy does and planned, never applied: no state, no change record
 * (`sites.json`) is written, and the signing CA key reaches each site's engine as the deploy hands it over (`TF_VAR_`,
 * write-only attributes), never a file. Every site is planned, not only those the deploy's change detector would
 * pick: that record is per machine and blind to a state changed elsewhere, and a plan is asked for to see everything.
 */

/** What the sites' plan needs besides the sites' synthesis. */
export interface SitePlanOptions extends SiteSynthOptions {
  readonly productLabels?: ReadonlyMap<string, string>;
  /** The plan's display: each site's review is printed whole under the site's name, then the total. */
  readonly display: EngineDisplay;
  /** The review of the CAs' plan, for the total. */
  readonly caReview: CertificateReview[];
  /** Where a failed or refused site is named. */
  readonly stderr: (text: string) => void;
  /**
   * The sites to plan (`--site`), configured ones.
   * @default - every site
   */
  readonly sites?: readonly string[];
}

/** What the plan says of a site it cannot plan yet. */
export interface SiteNotPlanned {
  readonly site: string;
  /** Why, in words; a refusal fails the plan. */
  readonly reason: string;
  readonly refused: boolean;
}

/** Plans every site's stack, or those of `sites` (see above); resolves to the plan's exit status: 0 planned, 1 a site failed or was refused. */
export async function planEverySite(options: SitePlanOptions): Promise<number> {
  const chosen = new Set(options.sites ?? options.pki.sites.map((s) => s.name));
  const withCas = new Set(sitesWithCasInState(options).filter((site) => chosen.has(site)));
  const notPlanned: SiteNotPlanned[] = options.pki.sites.filter((s) => chosen.has(s.name) && !withCas.has(s.name)).map((s) => ({
    site: s.name,
    reason: `its ${options.config.pki.sites?.[s.name]?.transmissionClients?.length ?? 0} client(s) are created with the CAs: its CA certificate is not in the CAs' state yet (the deploy creates it first).`,
    refused: false,
  }));
  const sites = withCas.size === 0 ? [] : synthesizeSites(options, [...withCas]);
  // The deploy's own guard: a site whose state is lost while its keys are on disk is refused, not planned.
  const lost = new Map(sites.map((site) => [site.site, lostSiteStateRefusal(site, options.pki.outputDirectory)]));
  for (const [site, refusal] of lost) if (refusal !== undefined) notPlanned.push({ site, reason: refusal, refused: true });
  const planned = await deploySites(sites.filter((site) => lost.get(site.site) === undefined), {
    ...options, apply: false, onOutput: () => {}, signal: new AbortController().signal,
  });
  for (const { site, reason } of notPlanned) options.display.summary(`chariot-tls: site ${site} (its own state):\n${reason}\n`);
  const reviews = [options.caReview, ...planned.map((p) => p.review)];
  options.display.summary(formatTotal(reviews, planned.length, notPlanned.filter((n) => !n.refused).length, caChangesReachSites(options.caReview)));
  const failed = planned.filter((p) => p.status !== 0).map((p) => p.site);
  const refused = notPlanned.filter((n) => n.refused).map((n) => n.site);
  if (failed.length > 0) options.stderr(`chariot-tls: the plan of site(s) ${failed.join(', ')} failed or was refused (see above).\n`);
  return failed.length > 0 || refused.length > 0 ? 1 : 0;
}

/** The plan's last line: what changes in every stack, and how many sites are created with the CAs. */
export function formatTotal(reviews: CertificateReview[][], sitesPlanned: number, createdWithCas: number, caNote: string | undefined): string {
  const changed = formatChangedCounts(reviews.flat().map((c) => c.action).filter((a) => a !== CertificateChange.UNCHANGED));
  const withCas = createdWithCas > 0 ? `; ${createdWithCas} site(s) created with the CAs` : '';
  const note = caNote === undefined ? '' : `\n${caNote}`;
  return `chariot-tls: every stack (the CAs' and ${sitesPlanned} site(s)'): ${changed === '' ? 'no change' : changed}${withCas}.${note}\n`;
}

/**
 * The sites are planned against the CA certificates in the CAs' state now: a CA the CAs' plan signs again reaches
 * them only at the deploy, which re-signs (or re-trusts) their clients then.
 */
export function caChangesReachSites(caReview: CertificateReview[]): string | undefined {
  const cas = caReview.filter((c) => c.isCa && c.action !== CertificateChange.UNCHANGED && c.action !== CertificateChange.FILES_REWRITTEN);
  if (cas.length === 0) return undefined;
  return `chariot-tls: the sites were planned against the CA certificates in the state now; ${cas.map((c) => c.id).join(', ')} change above, and the deploy signs or trusts the sites' clients with the new ones.`;
}
