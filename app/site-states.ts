import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Token } from 'cdktf';
import { ChariotPki, ICertificateAuthority } from '../lib';
import { AppConfig } from './config';
import { CertificateChange } from './certificate-change';
import { keyInFile } from './ca-key-files';
import { keyInState, stateResources } from './ca-keys';
import { EngineDisplay } from './engine-display';
import { EngineRunOptions, initStack, planAndApply, readIfExists } from './engine';
import { ExistingPki } from './existing-pki';
import { CertificateReview } from './plan-review';
import { lostSiteWorkspaceRefusal } from './site-lost-state';
import { ChariotTlsSiteStack, SITE_SIGNING_KEY_VARIABLE, SiteInputs, siteBackend, siteInputs, siteStackName, siteWorkspace } from './site-stack';
import { SiteFacts } from './site-changes';
import { siteInputDigest } from './site-input-digest';
import { dropDestroyedKeysFromBackup } from './state-backup';
import { STACK } from './synth';
import { withoutTokenStackTraces } from './token-stack-traces';

/**
 * Sites in their own state (`siteStates`, docs/operate.md): after the CAs' stack is applied, each site's stack is
 * synthesized from the CAs' state (their certificates, public) and deployed, up to one engine per core at once. The
 * site's signing CA key goes from the CAs' state to that engine's environment only (`TF_VAR_`), where it reaches
 * write-only attributes: no site state or plan holds it.
 */

/** A site's stack, synthesized. */
export interface SynthesizedSite {
  readonly site: string;
  /** Its working directory (`<outdir>/sites/stacks/chariot-tls-site-SITE`). */
  readonly stackDir: string;
  /** Its `cdk.tf.json`, parsed. */
  readonly synthesized: any;
  /** Its `cdk.tf.json`, as written: what the change detector digests (app/site-changes.ts). */
  readonly synthesizedText: string;
  /**
   * Its local state file.
   * @default - none: its state is in PostgreSQL ({@link workspace})
   */
  readonly stateFile?: string;
  /**
   * Its engine workspace (`site-SITE`), in the main state's PostgreSQL schema: `TF_WORKSPACE` for each of its
   * engine commands but `init` ({@link EngineRunOptions.workspace}).
   * @default - none: its state is a local file ({@link stateFile})
   */
  readonly workspace?: string;
  /** What it was synthesized from (app/site-input-digest.ts). */
  readonly inputs: string;
  /** The `cdk.tf.json` its stack directory held before this synth (a deploy before): what app/site-targets.ts compares. */
  readonly previousText?: string;
}

/** What a site's deploy did. */
export interface SiteDeployed {
  readonly site: string;
  /** The engine's exit status. */
  readonly status: number;
  /** The review of its plan; empty when nothing changed. */
  readonly review: CertificateReview[];
}

/** What the site deploys share with the CAs' deploy. */
export interface SiteDeployOptions {
  readonly config: AppConfig;
  /** The whole hierarchy (app/synth.ts `pki`). */
  readonly pki: ChariotPki;
  /** The CAs' stack, synthesized. */
  readonly caSynthesized: any;
  /** The CAs' state after its apply, as `show -json` prints it: secrets, in memory only. */
  readonly caState: any;
  /** The cdktf output directory of the deploy. */
  readonly outdir: string;
  readonly productLabels?: ReadonlyMap<string, string>;
  readonly onOutput: (text: string) => void;
  readonly signal: AbortSignal;
  /**
   * The PKI the output directory holds, for the lost state guard.
   * @default - no guard (`npm run plan`, which changes nothing)
   */
  readonly existingPki?: ExistingPki;
  /**
   * Apply each site's reviewed plan; otherwise only plan and review it (`npm run plan`).
   * @default true
   */
  readonly apply?: boolean;
  /** The deploy's display: each site's engine logs there; its progress line and summary are the deploy's. */
  readonly display: EngineDisplay;
  /**
   * The resources to plan in a site, when not all of them (app/site-targets.ts).
   * @default - every site's whole stack
   */
  readonly targetsOf?: (site: SynthesizedSite) => readonly string[] | undefined;
}

/** What a site's stack is synthesized from. */
export type SiteSynthOptions = Pick<SiteDeployOptions, 'config' | 'pki' | 'caSynthesized' | 'caState' | 'outdir'>;

/**
 * Synthesizes the stacks of `sites` (by default every site) into `<outdir>/sites`, their CA certificates read from
 * the CAs' state; the other sites' stack directories are left as they are (a deploy of them may be running).
 */
export function synthesizeSites(options: SiteSynthOptions, sites: readonly string[] = options.pki.sites.map((s) => s.name)): SynthesizedSite[] {
  // Made here at once: cdktf makes each level only when it finds none, which two deploys at once may both find.
  fs.mkdirSync(path.join(options.outdir, 'sites', 'stacks'), { recursive: true });
  const app = new App({ outdir: path.join(options.outdir, 'sites') });
  const certPemOf = certsInState(options);
  const inputs = sites.map((site) => siteInputs(options.pki, site, certPemOf));
  const previous = sites.map((site) => readIfExists(path.join(app.outdir, 'stacks', siteStackName(STACK, site), 'cdk.tf.json')));
  const stacks = withoutTokenStackTraces(() => {
    const built = inputs.map((input) => new ChariotTlsSiteStack(app, siteStackName(STACK, input.site), options.config, input));
    app.synth();
    return built;
  });
  // The manifest as synthesized, not as read back: a deploy of other sites at once (`--site`) writes its own.
  return stacks.map((stack, i) => {
    const entry = app.manifest.stacks[stack.node.id];
    const synthesizedText = fs.readFileSync(path.join(app.outdir, entry.synthesizedStackPath), 'utf8');
    const { site, inputs: digest, stateFile } = factsOf(options.config, inputs[i]);
    const workspace = stateFile === undefined ? siteWorkspace(site) : undefined;
    return { site, stackDir: path.join(app.outdir, entry.workingDirectory), synthesized: JSON.parse(synthesizedText), synthesizedText, stateFile, workspace, inputs: digest, previousText: previous[i] };
  });
}

/**
 * Each of `sites` (by default every site) as the change detector sees it before synthesis (app/site-changes.ts):
 * what its stack would be synthesized from, and its state file; the CAs' certificates read from the CAs' state.
 */
export function siteFacts(options: SiteSynthOptions, sites: readonly string[] = options.pki.sites.map((s) => s.name)): SiteFacts[] {
  const certPemOf = certsInState(options);
  return sites.map((site) => factsOf(options.config, siteInputs(options.pki, site, certPemOf)));
}

function factsOf(config: AppConfig, inputs: SiteInputs): SiteFacts {
  const backend = siteBackend(config.backend, inputs.site);
  return { site: inputs.site, inputs: siteInputDigest(config, inputs), stateFile: backend.type === 'local' ? backend.path : undefined };
}

/**
 * The sites whose every CA certificate is in the CAs' state: not one whose CA the CAs' stack has not created yet
 * (before their first deploy, or a site CA just configured).
 */
export function sitesWithCasInState(options: SiteSynthOptions): string[] {
  const certPemOf = certsInState(options);
  return options.pki.sites.map((s) => s.name).filter((site) => {
    try {
      siteInputs(options.pki, site, certPemOf);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Plans and (unless `apply` is false) applies each site's stack in `sites`, up to `os.availableParallelism()` at
 * once; the sites' plans are reviewed and refused each on its own, as the CAs' plan is. Resolves once every started
 * site has ended.
 */
export async function deploySites(sites: SynthesizedSite[], options: SiteDeployOptions): Promise<SiteDeployed[]> {
  const initialised: SynthesizedSite[] = [];
  const failed: SiteDeployed[] = [];
  for (const site of sites) {
    const status = await initStack({ ...options, stackDir: site.stackDir, synthesized: site.synthesized, display: siteDisplay(site.site, options.display) });
    if (status === 0) initialised.push(site);
    else failed.push({ site: site.site, status, review: [] });
  }
  const deployed = await eachSiteAtOnce(initialised, options.signal, (site) => deploySite(site, options));
  return [...deployed, ...failed].sort((a, b) => (a.site < b.site ? -1 : 1));
}

/**
 * `run` on each site, up to `os.availableParallelism()` at once (each is an engine); none started once `signal` is
 * aborted. Resolves, by site name, once every started site has ended.
 */
export async function eachSiteAtOnce<S, T extends { readonly site: string }>(sites: readonly S[], signal: AbortSignal, run: (site: S) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  const queue = [...sites];
  if (sites.length === 0) return [];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (signal.aborted) return;
      results.push(await run(next));
    }
  };
  await Promise.all(Array.from({ length: Math.min(os.availableParallelism(), sites.length) }, worker));
  return results.sort((a, b) => (a.site < b.site ? -1 : 1));
}

async function deploySite(site: SynthesizedSite, options: SiteDeployOptions): Promise<SiteDeployed> {
  let review: CertificateReview[] = [];
  const targets = options.targetsOf?.(site);
  const what = targets === undefined ? 'its own stack' : `the ${targets.length} resource(s) of its stack that changed, and what they use`;
  options.display.log(`chariot-tls: site ${site.site}: planning ${what} (${path.relative(process.cwd(), site.stackDir) || '.'})\n`);
  const engineOptions: EngineRunOptions = {
    targets,
    stackDir: site.stackDir,
    synthesized: site.synthesized,
    outputDirectory: options.pki.outputDirectory,
    productLabels: options.productLabels,
    apply: options.apply ?? true,
    onOutput: options.onOutput,
    signal: options.signal,
    existingPki: options.existingPki,
    onReview: (reviewed) => { review = reviewed; },
    display: siteDisplay(site.site, options.display, targets === undefined ? 'whole' : 'changed'),
    caKeys: signingKeyHandOver(site.site, options),
    workspace: site.workspace,
    // A site in PostgreSQL has no state file to check before its plan: its plan tells a lost workspace.
    refuse: (reviewed) => lostSiteWorkspaceRefusal(site, reviewed, options.pki.outputDirectory),
  };
  const status = await planAndApply(engineOptions);
  // A revoked or removed client's key stays destroyed: not in the engine's .backup of the site's state either.
  if (status === 0 && engineOptions.apply && review.some((c) => c.action === CertificateChange.DESTROYED)) dropDestroyedKeysFromBackup(site.stateFile);
  return { site: site.site, status, review };
}

/**
 * The site's signing CA key for its engine, as `TF_VAR_` in that engine's environment only (it reaches write-only
 * attributes): read only when the engine is about to run, from the CA's key file when `caKeyFiles` names it and the
 * file is there (app/ca-key-files.ts), else from the CAs' state. Deploy, plan and destroy alike.
 */
export function signingKeyHandOver(site: string, options: Pick<SiteDeployOptions, 'config' | 'pki' | 'caState' | 'caSynthesized'>): NonNullable<EngineRunOptions['caKeys']> {
  const built = options.pki.sites.find((s) => s.name === site)!;
  const signer = built.issuingCa ?? options.pki.transmissionCa;
  const key = () => keyInFile(options.config.caKeyFiles, signer, process.env)
    ?? keyInState(options.caState, options.caSynthesized, signer.node.path, `so site ${site} cannot be signed`);
  return {
    directory: '',
    handOver: async () => ({
      env: { [`TF_VAR_${SITE_SIGNING_KEY_VARIABLE}`]: key() },
      offline: new Map(),
      notes: [],
    }),
  };
}

/**
 * A site's engine on the deploy's display: its output goes to the deploy's log (the engine names each resource by
 * address); its plan summary is printed whole, under the site's name, as the CAs' is (so sites deployed at once do
 * not mix their lines); a failure is shown as the deploy shows one. The progress line is the CAs' deploy's.
 */
export function siteDisplay(site: string, display: EngineDisplay, planned: 'whole' | 'changed' = 'whole'): EngineDisplay {
  const heading = planned === 'whole' ? 'its own state' : 'its own state; only what changed was planned, the rest is as its last deploy left it';
  return {
    color: display.color,
    listLimit: display.listLimit,
    log: (text) => display.log(text),
    live: () => {},
    applyFailed: (stderr) => display.applyFailed(`chariot-tls: site ${site}:\n${stderr}`),
    summary: (text) => display.summary(`chariot-tls: site ${site} (${heading}):\n${text}`),
    planning: () => {},
    applying: () => {},
  };
}

/**
 * Each CA's certificate as the CAs' state holds it; throws for one not in it. A certificate the configuration gives
 * (an enterprise root or intermediate, a CA the enterprise signed: `externalRoot`) is the configuration's.
 */
function certsInState(options: Pick<SiteSynthOptions, 'caState' | 'caSynthesized'>): (ca: ICertificateAuthority) => string {
  return (ca) => (!Token.isUnresolved(ca.certPem) && ca.certPem !== '' ? ca.certPem : certInState(options.caState, options.caSynthesized, ca.node.path));
}

/** The certificate PEM of the CA at `constructPath` (its `cert` resource), in a `show -json` state. */
export function certInState(shown: any, synthesized: any, constructPath: string): string {
  const resources = synthesized?.resource ?? {};
  const address = Object.entries<any>(resources).flatMap(([type, blocks]) =>
    Object.entries<any>(blocks).filter(([, b]) => b?.['//']?.metadata?.path === `${constructPath}/cert`).map(([name]) => `${type}.${name}`))[0];
  const pem = stateResources(shown).find((r) => r.address === address)?.values?.cert_pem;
  if (typeof pem !== 'string' || pem === '') throw new Error(`the certificate of ${constructPath} (${address ?? 'no cert resource'}) is not in the state, so the sites it signs or trusts cannot be deployed`);
  return pem;
}

/**
 * With `siteStates`, the CAs' plan may not destroy a site's client: the deploy moved every site's clients out of the
 * main state before it planned (app/site-migration.ts), so one still there was not recognised as a site's, and
 * destroying it would lose its key.
 */
export function siteClientsLeavingMainState(review: CertificateReview[]): string | undefined {
  const leaving = review.filter((c) => c.action === CertificateChange.DESTROYED && /^pki\/sites\/[^/]+\/clients\//.test(c.construct));
  if (leaving.length === 0) return undefined;
  return `chariot-tls: refused: with "siteStates": true the main state would lose ${leaving.length} site client(s) (${leaving.slice(0, 3).map((c) => c.construct).join(', ')}${leaving.length > 3 ? ', ...' : ''}): they are still in the main state, not moved into their sites' states. Set "siteStates": false and report this (docs/operate.md, "Sites in their own state"). Nothing was changed.`;
}

/**
 * With `siteStates` off, a site state left from a deploy with it on: the main stack would give those clients new keys
 * while their site states still hold the old ones. Refused until moving back is built.
 */
export function siteStatesLeftBehind(config: AppConfig): string | undefined {
  if (config.siteStates || config.backend.type !== 'local') return undefined;
  const left = Object.keys(config.pki.sites ?? {}).map((site) => siteBackend(config.backend, site))
    .flatMap((b) => (b.type === 'local' && fs.existsSync(b.path) ? [b.path] : []));
  if (left.length === 0) return undefined;
  return `chariot-tls: refused: ${left.join(', ')} hold sites deployed with "siteStates": true; deploying them into the main state would re-key their clients, and moving them back is not built yet. Set "siteStates": true again. Nothing was changed.`;
}
