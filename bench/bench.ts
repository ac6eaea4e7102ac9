/**
 * `npm run bench [-- --n 1,10,100,500] [--site-size S [--site-ca] [--site-states]] [--synth-only] [--no-serial] [--repeats 1] [--results bench/RESULTS.md] [--keep]`
 *
 * For each N (Transmission clients, beside the default server and one Engine client) it times,
 * with the project's own commands and engine (`npm run synth`, `npm run deploy`): synth, a cold
 * deploy, a deploy with nothing to change, and a deploy that adds one client; with each step's
 * peak memory and the state file's size. It checks that the no-change deploy changed nothing
 * and that adding a client created only that client's key, CSR, certificate and files.
 * In the same run: the openssl procedure for the same hierarchy, one step after another
 * (bench/openssl-baseline.sh), and the floor: the same RSA keys from `openssl genrsa` on all
 * cores (bench/keygen-floor.sh); and what the openssl procedure needs for the day-2 change (one key
 * and certificate for the added client). Prints a table with each of ours as a ratio to them, and
 * writes it to the results file. With `--site-size S` the clients are in sites of S (`sites` in the
 * configuration; the added client joins the last site), e.g. `--n 2000 --site-size 100`. With `--site-ca` too, each
 * site has its own issuing CA, and the round also rotates the first site's CA (its three deploys), each against
 * the same steps by hand. With `--site-states` too, the configuration sets `"siteStates": true` (each site in its own
 * state; the checks and the state size take every state file). With `--synth-only` it only synthesizes each N (no engine, no openssl), and prints
 * the synth's time, CPU time and memory. See bench/README.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Measurement, SAMPLE_INTERVAL_MS, measure } from './measure';

const PROJECT = path.resolve(__dirname, '..');
const STACK = 'chariot-tls';

interface Options {
  readonly ns: number[];
  /** Clients per site; undefined for the flat `transmissionClients` list. */
  readonly siteSize?: number;
  /** Each site has its own issuing CA, and the first site's CA is rotated. */
  readonly siteCa: boolean;
  /** `"siteStates": true`: each site in its own stack and state. */
  readonly siteStates: boolean;
  readonly repeats: number;
  readonly results?: string;
  readonly keep: boolean;
  /** Only `npm run synth` for each N: no deploy, no openssl. */
  readonly synthOnly: boolean;
  /**
   * The openssl procedure for the whole fleet is skipped (it takes most of a run at N = 2,000): only its CAs and
   * the day-2 change are done by hand, and the "openssl serial" column is left empty.
   */
  readonly noSerial: boolean;
}

/** One step's result over the repeats: median time, largest peak memory. */
interface Step {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMib: number;
  /** The largest one process's peak (the app's node, for a synth). */
  readonly maxProcessRssMib: number;
}

interface Row {
  readonly n: number;
  readonly synth: Step;
  readonly cold: Step;
  readonly noChange: Step;
  readonly addOne: Step;
  readonly baseline: Step;
  /** Whether `baseline` is the whole fleet by hand (not `--no-serial`). */
  readonly serial: boolean;
  readonly baselineAddOne: Step;
  readonly floor: Step;
  readonly rotation?: Rotation<Step>;
  readonly renewal?: Renewal<Step>;
  readonly stateBytes: number;
  readonly addedOnAddOne: string;
  readonly loadBefore: string;
}

function parseArgs(argv: string[]): Options {
  let ns = [1, 10, 100, 500];
  let repeats = 1;
  let siteSize: number | undefined;
  let results: string | undefined = path.join(PROJECT, 'bench', 'RESULTS.md');
  let keep = false;
  let siteCa = false;
  let synthOnly = false;
  let siteStates = false;
  let noSerial = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--n') ns = value().split(',').map((s) => positiveInt(s, '--n'));
    else if (arg === '--repeats') repeats = positiveInt(value(), '--repeats');
    else if (arg === '--site-size') siteSize = positiveInt(value(), '--site-size');
    else if (arg === '--results') results = value() === '-' ? undefined : path.resolve(argv[i]);
    else if (arg === '--keep') keep = true;
    else if (arg === '--site-ca') siteCa = true;
    else if (arg === '--synth-only') synthOnly = true;
    else if (arg === '--site-states') siteStates = true;
    else if (arg === '--no-serial') noSerial = true;
    else throw new Error(`unknown option ${arg}; use --n 1,10,100,500 --site-size S --site-ca --site-states --synth-only --no-serial --repeats R --results FILE|- --keep`);
  }
  if (siteCa && siteSize === undefined) throw new Error('--site-ca needs --site-size S: the sites whose CAs it gives and rotates');
  if (noSerial && siteCa) throw new Error('--no-serial cannot go with --site-ca: the rotation by hand signs again the requests the whole openssl procedure made');
  if (siteStates && siteSize === undefined) throw new Error('--site-states needs --site-size S: siteStates puts each site in its own state');
  return { ns, siteSize, siteCa, siteStates, repeats, results, keep, synthOnly, noSerial };
}

function positiveInt(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${option} ${JSON.stringify(text)}: use whole numbers of 1 or more`);
  return n;
}

/** The site whose CA the round rotates (with `--site-ca`). */
const ROTATED_SITE = 'site-001';

/** How the bench lays out the clients: the options that shape the configuration. */
type Layout = Pick<Options, 'siteSize' | 'siteCa' | 'siteStates'>;

/**
 * The configuration for `total` Transmission clients, with everything written inside `dir`: a flat list, or sites
 * of `siteSize` for the first `n`, clients beyond `n` in the last of them; with `siteCa` each site has its own CA,
 * and `rotation` is the step the first site's CA rotation is at; with `siteStates` each site in its own state.
 */
function config(total: number, n: number, { siteSize, siteCa, siteStates }: Layout, rotation?: string): Record<string, unknown> {
  const names = Array.from({ length: total }, (_, i) => clientName(i + 1));
  const common = {
    outputDirectory: 'pki',
    inventoryDirectory: '.',
    backend: { type: 'local', path: 'terraform.tfstate' },
    server: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
    engineClients: ['engine'],
  };
  if (siteSize === undefined) return { ...common, transmissionClients: names };
  const sites: Record<string, { transmissionClients: string[]; issuingCa?: boolean; caGeneration?: unknown }> = {};
  names.forEach((name, i) => {
    const site = `site-${String(Math.ceil(Math.min(i + 1, n) / siteSize)).padStart(3, '0')}`;
    (sites[site] ??= { transmissionClients: [], ...(siteCa ? { issuingCa: true } : {}) }).transmissionClients.push(name);
  });
  if (rotation !== undefined) sites[ROTATED_SITE].caGeneration = { generation: 2, previous: rotation };
  // Said either way: with sites, siteStates is on unless the file says false.
  return { ...common, siteStates, sites };
}

function clientName(i: number): string {
  return `edge-${String(i).padStart(4, '0')}`;
}

/** A project command (`npm run synth|deploy`) for the configuration in `dir`, checked to succeed. */
async function npm(dir: string, script: string, log: string): Promise<Measurement> {
  const env = { ...process.env, CHARIOT_TLS_CONFIG: path.join(dir, 'chariot-tls.json') };
  const outdir = path.join(dir, 'cdktf.out');
  const run = await measure('npm', ['run', '--silent', script, '--', '--output', outdir], { cwd: PROJECT, env });
  // The engine's output is in the command's log (<outdir>/<command>.log), not on the terminal.
  const engineLog = path.join(outdir, `${script}.log`);
  const m = { ...run, output: `${run.output}${fs.existsSync(engineLog) ? fs.readFileSync(engineLog, 'utf8') : ''}` };
  fs.writeFileSync(path.join(dir, `${log}.log`), m.output);
  if (m.status !== 0) throw new Error(`npm run ${script} (${log}) exited ${m.status}; see ${path.join(dir, `${log}.log`)}`);
  return m;
}

async function script(name: string, args: string[], dir: string): Promise<Measurement> {
  const m = await measure(path.join(PROJECT, 'bench', name), args);
  fs.writeFileSync(path.join(dir, `${path.basename(name, '.sh')}.log`), m.output);
  if (m.status !== 0) throw new Error(`bench/${name} exited ${m.status}: ${m.output.slice(-2000)}`);
  return m;
}

/** The state files of the deploy in `dir`: the main one, then each site's (`siteStates`), by name. */
function stateFiles(dir: string): string[] {
  const sites = path.join(dir, 'terraform.sites');
  const own = fs.existsSync(sites) ? fs.readdirSync(sites).filter((f) => f.endsWith('.tfstate')).sort().map((f) => path.join(sites, f)) : [];
  return [path.join(dir, 'terraform.tfstate'), ...own];
}

/** Resource address -> id, for every resource in every state file of `dir`; a site's addresses start with `SITE/`. */
function stateIds(dir: string): Map<string, string> {
  return new Map(stateFiles(dir).flatMap((file, i) => {
    const prefix = i === 0 ? '' : `${path.basename(file, '.tfstate')}/`;
    return [...stateFileIds(file)].map(([address, id]) => [`${prefix}${address}`, id] as const);
  }));
}

/** Whether a stateIds/synthAddresses address is of resource `type`; a site's start with `SITE/` (siteStates), the type after it. */
function isOfType(address: string, type: string): boolean {
  return address.slice(address.indexOf('/') + 1).startsWith(`${type}.`);
}

/** Resource address -> id, for every resource in one state file. */
function stateFileIds(file: string): Map<string, string> {
  const state = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    resources: { mode: string; type: string; name: string; instances: { attributes: { id: string } }[] }[];
  };
  return new Map(state.resources.filter((r) => r.mode === 'managed').map((r) => [`${r.type}.${r.name}`, r.instances[0].attributes.id]));
}

/**
 * Resource addresses in the synthesized stacks: the main one, and each site's that a `siteStates` deploy synthesized
 * (`cdktf.out/sites/stacks/chariot-tls-site-SITE`), as `SITE/address` like stateIds.
 */
function synthAddresses(dir: string): Set<string> {
  const sites = path.join(dir, 'cdktf.out', 'sites', 'stacks');
  const siteStacks = fs.existsSync(sites) ? fs.readdirSync(sites).map((name) => [`${name.replace(`${STACK}-site-`, '')}/`, path.join(sites, name)]) : [];
  return new Set([['', path.join(dir, 'cdktf.out', 'stacks', STACK)], ...siteStacks].flatMap(([prefix, stackDir]) => {
    const stack = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as { resource: Record<string, Record<string, unknown>> };
    return Object.entries(stack.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${prefix}${type}.${name}`));
  }));
}

interface ApplySummary {
  readonly added: number;
  readonly changed: number;
  readonly destroyed: number;
  /** The plan said "No changes." */
  readonly noChanges: boolean;
}

/**
 * What the engine said it did, from its output, summed over its applies (one a stack with `siteStates`); a deploy
 * whose plan finds nothing to change does not apply.
 */
function applySummary(output: string): ApplySummary {
  const text = output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  // With siteStates a deploy may start no engine at all: the CAs' stack and every site as their last deploy left them.
  const noChanges = /\bNo changes\./.test(text) || /the CAs' stack: .* not planned/.test(text);
  const applies = [...text.matchAll(/Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed/g)];
  if (applies.length === 0 && !noChanges) throw new Error('the deploy printed neither "Apply complete!" nor "No changes."');
  const sum = (i: number) => applies.reduce((total, m) => total + Number(m[i]), 0);
  return { added: sum(1), changed: sum(2), destroyed: sum(3), noChanges: noChanges && applies.every((m) => m[1] === '0' && m[2] === '0' && m[3] === '0') };
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`check failed: ${message}`);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function summarize(ms: Measurement[]): Step {
  return {
    seconds: median(ms.map((m) => m.seconds)),
    cpuSeconds: median(ms.map((m) => m.cpuSeconds)),
    peakRssMib: Math.max(...ms.map((m) => m.peakRssMib)),
    maxProcessRssMib: Math.max(...ms.map((m) => m.maxProcessRssMib)),
  };
}

function load(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

/** The three deploys of a site CA rotation, and the same steps by hand. */
interface Rotation<T> {
  readonly issuing: T;
  readonly trusted: T;
  readonly retired: T;
  /** By hand, step 1: the new site CA (key, request, certificate) and the server's bundle. */
  readonly baselineNewCa: T;
  /** By hand, step 2: the site's clients' requests signed again by the new CA. */
  readonly baselineResign: T;
}

/** With `--site-states`: the first site's certificates renewed in the fleet, and the same site deployed alone. */
interface Renewal<T> {
  readonly fleet: T;
  readonly alone: T;
  /** How many certificates the renewal signed again (the site's clients). */
  readonly renewed: number;
}

/** One round's measurements. */
interface Round {
  readonly synth: Measurement;
  readonly cold: Measurement;
  readonly noChange: Measurement;
  readonly addOne: Measurement;
  readonly baseline: Measurement;
  readonly baselineAddOne: Measurement;
  readonly floor: Measurement;
  readonly rotation?: Rotation<Measurement>;
  readonly renewal?: Renewal<Measurement>;
  readonly stateBytes: number;
  /** The resource addresses the one-client-added deploy created. */
  readonly added: string[];
}

/** One full round for N in a fresh directory: every step, with its checks. */
async function round(n: number, options: Options): Promise<Round> {
  const { keep, siteCa } = options;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chariot-tls-bench-${n}-`));
  try {
    const configFile = path.join(dir, 'chariot-tls.json');
    fs.writeFileSync(configFile, JSON.stringify(config(n, n, options), null, 2));

    const synth = await npm(dir, 'synth', 'synth');

    const cold = await npm(dir, 'deploy', 'cold');
    // After the deploy: with siteStates the sites' stacks are synthesized by the deploy, not by `npm run synth`.
    const resources = synthAddresses(dir);
    const afterCold = stateIds(dir);
    check(applySummary(cold.output).added === resources.size, `cold deploy created all ${resources.size} resources`);
    check(afterCold.size === resources.size, `state holds all ${resources.size} resources after the cold deploy`);
    const stateBytes = stateFiles(dir).reduce((total, file) => total + fs.statSync(file).size, 0);

    const noChange = await npm(dir, 'deploy', 'no-change');
    const unchanged = applySummary(noChange.output);
    check(unchanged.noChanges && unchanged.added + unchanged.changed + unchanged.destroyed === 0, 'the second deploy found no changes');
    check(sameIds(afterCold, stateIds(dir)), 'no resource changed id on the no-change deploy');

    fs.writeFileSync(configFile, JSON.stringify(config(n + 1, n, options), null, 2));
    const addOne = await npm(dir, 'deploy', 'add-one');
    const added = [...synthAddresses(dir)].filter((a) => !resources.has(a));
    const summary = applySummary(addOne.output);
    check(summary.added === added.length && summary.changed === 0 && summary.destroyed === 0,
      `adding one client adds ${added.length} resources and changes or destroys none (engine said ${JSON.stringify(summary)})`);
    const afterAdd = stateIds(dir);
    check([...afterCold].every(([address, id]) => afterAdd.get(address) === id), 'every existing resource kept its id');
    const ofType = (type: string) => added.filter((a) => isOfType(a, type));
    const newKeys = ofType('tls_private_key');
    const newCerts = ofType('tls_locally_signed_cert');
    check(newKeys.length === 1 && newCerts.length === 1 && added.every((a) => a.includes(`_${clientName(n + 1)}_`)),
      `only ${clientName(n + 1)}'s key and certificate are new: ${added.join(', ')}`);

    const baseline = await script('openssl-baseline.sh', [path.join(dir, 'openssl'), String(options.noSerial ? 1 : n)], dir);
    // The same day-2 change by hand: one key and certificate for client N+1, from the CAs just made.
    const baselineAddOne = await script('openssl-baseline.sh', ['--add-client', clientName(n + 1), path.join(dir, 'openssl')], dir);
    const floor = await script('keygen-floor.sh', [path.join(dir, 'floor'), String(n)], dir);
    const renewal = options.siteStates ? await renewSite(dir, n, options) : undefined;
    const rotation = siteCa ? await rotateSite(dir, n, options) : undefined;
    return { synth, cold, noChange, addOne, baseline, baselineAddOne, floor, rotation, renewal, stateBytes, added };
  } finally {
    if (keep) console.error(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The first site's CA rotated in its three deploys, checking that nothing outside the site changes but the server's
 * client-ca.pem (which trusts the site's CAs), and that step 2 re-issues exactly the site's clients; then the same
 * steps by hand on the openssl procedure's PKI.
 */
async function rotateSite(dir: string, n: number, layout: Layout): Promise<Rotation<Measurement>> {
  const configFile = path.join(dir, 'chariot-tls.json');
  const inSite = (address: string) => address.includes(`_sites_${ROTATED_SITE}_`) || address.includes('_server_client-ca-file_');
  const outside = (ids: Map<string, string>) => new Map([...ids].filter(([address]) => !inSite(address)));
  const before = stateIds(dir);
  const step = async (previous: string) => {
    fs.writeFileSync(configFile, JSON.stringify(config(n + 1, n, layout, previous), null, 2));
    const m = await npm(dir, 'deploy', `site-ca-${previous}`);
    check(sameIds(outside(before), outside(stateIds(dir))), `step "${previous}" of the ${ROTATED_SITE} CA rotation changed nothing outside the site`);
    return m;
  };
  const issuing = await step('issuing');
  const afterIssuing = stateIds(dir);
  const trusted = await step('trusted');
  const afterTrusted = stateIds(dir);
  const reissued = [...afterIssuing].filter(([address, id]) => isOfType(address, 'tls_locally_signed_cert') && afterTrusted.get(address) !== id);
  const clients = (config(n + 1, n, layout).sites as Record<string, { transmissionClients: string[] }>)[ROTATED_SITE].transmissionClients;
  check(reissued.length === clients.length && reissued.every(([address]) => address.includes(`_sites_${ROTATED_SITE}_clients_`)),
    `step "trusted" re-issued the ${clients.length} certificates of ${ROTATED_SITE} only (${reissued.length} re-issued)`);
  const retired = await step('retired');
  const openssl = path.join(dir, 'openssl');
  const baselineNewCa = await script('openssl-baseline.sh', ['--new-site-ca', ROTATED_SITE, openssl], dir);
  const baselineResign = await script('openssl-baseline.sh', ['--resign-site', ROTATED_SITE, openssl, ...clients], dir);
  return { issuing, trusted, retired, baselineNewCa, baselineResign };
}

/**
 * The first site's certificates renewed: their `validity_end_time` in the site's state moved to an hour from now,
 * inside their early renewal window, then a deploy, checked to sign again exactly that site's certificates; and the
 * same for a PKI of that site alone (deployed first, not timed), the time the renewal is compared with.
 */
async function renewSite(dir: string, n: number, layout: Layout): Promise<Renewal<Measurement>> {
  const renew = async (at: string, label: string) => {
    const before = stateIds(at);
    bringIntoRenewal(path.join(at, 'terraform.sites', `${ROTATED_SITE}.tfstate`));
    const m = await npm(at, 'deploy', label);
    const after = stateIds(at);
    const changed = [...before].filter(([address, id]) => after.get(address) !== id);
    const certs = changed.filter(([address]) => isOfType(address, 'tls_locally_signed_cert'));
    check(certs.length > 0 && changed.every(([address]) => address.startsWith(`${ROTATED_SITE}/`)) && !changed.some(([address]) => isOfType(address, 'tls_private_key')),
      `the renewal of ${ROTATED_SITE} signed its certificates again, no key and nothing outside the site (${changed.length} changed)`);
    return { m, renewed: certs.length };
  };
  const fleet = await renew(dir, 'renew-site');
  const alone = path.join(dir, 'alone');
  fs.mkdirSync(alone);
  const { sites } = config(n + 1, n, layout) as { sites: Record<string, unknown> };
  fs.writeFileSync(path.join(alone, 'chariot-tls.json'), JSON.stringify({ ...config(n + 1, n, layout), sites: { [ROTATED_SITE]: sites[ROTATED_SITE] } }, null, 2));
  await npm(alone, 'deploy', 'alone-cold');
  const single = await renew(alone, 'renew-site-alone');
  check(single.renewed === fleet.renewed, `the site alone renewed as many certificates (${single.renewed}) as in the fleet (${fleet.renewed})`);
  return { fleet: fleet.m, alone: single.m, renewed: fleet.renewed };
}

/** Every certificate in a state file made to end an hour from now: inside its early renewal window at the next plan. */
function bringIntoRenewal(stateFile: string): void {
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  const soon = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const r of state.resources.filter((x: { type: string }) => x.type === 'tls_locally_signed_cert')) {
    for (const instance of r.instances) instance.attributes.validity_end_time = soon;
  }
  state.serial += 1;
  fs.writeFileSync(stateFile, JSON.stringify(state, null, 2), { mode: 0o600 });
}

function sameIds(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([address, id]) => b.get(address) === id);
}

async function benchmark(n: number, options: Options): Promise<Row> {
  const loadBefore = load();
  const rounds: Round[] = [];
  for (let r = 0; r < options.repeats; r++) {
    console.error(`N=${n}: round ${r + 1}/${options.repeats} (load ${load()})`);
    rounds.push(await round(n, options));
  }
  const step = (pick: (x: Round) => Measurement) => summarize(rounds.map(pick));
  return {
    n,
    synth: step((x) => x.synth),
    cold: step((x) => x.cold),
    noChange: step((x) => x.noChange),
    addOne: step((x) => x.addOne),
    baseline: step((x) => x.baseline),
    serial: !options.noSerial,
    baselineAddOne: step((x) => x.baselineAddOne),
    floor: step((x) => x.floor),
    rotation: rounds[0].rotation && {
      issuing: step((x) => x.rotation!.issuing),
      trusted: step((x) => x.rotation!.trusted),
      retired: step((x) => x.rotation!.retired),
      baselineNewCa: step((x) => x.rotation!.baselineNewCa),
      baselineResign: step((x) => x.rotation!.baselineResign),
    },
    renewal: rounds[0].renewal && { fleet: step((x) => x.renewal!.fleet), alone: step((x) => x.renewal!.alone), renewed: rounds[0].renewal.renewed },
    stateBytes: rounds[rounds.length - 1].stateBytes,
    addedOnAddOne: `${rounds[0].added.length} resources: 1 key, 1 CSR, 1 certificate, ${rounds[0].added.length - 3} files`,
    loadBefore,
  };
}

const s = (step: Step) => `${step.seconds.toFixed(1)} s`;
const cpu = (step: Step) => `${step.cpuSeconds.toFixed(1)} s`;
const mib = (step: Step) => `${Math.round(step.peakRssMib)}`;
const ratio = (ours: Step, theirs: Step) => `${(ours.seconds / theirs.seconds).toFixed(2)}x`;
/** The ratio to the whole fleet by hand, when it was run (not with `--no-serial`). */
const serialRatio = (ours: Step, row: Row) => (row.serial ? ratio(ours, row.baseline) : '');

/**
 * The "change" column: a day-2 deploy against what the openssl procedure needs for the same change. Adding a client
 * is one key and certificate by hand; a deploy with nothing to change has nothing to compare with (by hand it is no
 * work at all, so any time of ours is overhead).
 */
function changeRatio(step: 'synth' | 'cold' | 'noChange' | 'addOne', row: Row): string {
  if (step === 'addOne') return `${ratio(row.addOne, row.baselineAddOne)} (by hand ${s(row.baselineAddOne)})`;
  return step === 'noChange' ? 'nothing by hand' : '';
}

/**
 * The site CA rotation's three deploys, each against the same step by hand: step 1 is one CA key and certificate
 * (and a bundle line), step 2 the site's requests signed again, step 3 a bundle without the old CA (no key work).
 */
function rotationLines(row: Row, r: Rotation<Step>, layout: string): string[] {
  const line = (name: string, step: Step, change: string) =>
    `| ${row.n}${layout} | ${name} | ${s(step)} | ${cpu(step)} | ${mib(step)} | ${serialRatio(step, row)} | ${change} | ${ratio(step, row.floor)} |`;
  return [
    line(`${ROTATED_SITE} CA rotation, step 1 (issuing)`, r.issuing, `${ratio(r.issuing, r.baselineNewCa)} (by hand ${s(r.baselineNewCa)})`),
    line(`${ROTATED_SITE} CA rotation, step 2 (trusted): its clients re-issued`, r.trusted, `${ratio(r.trusted, r.baselineResign)} (by hand ${s(r.baselineResign)})`),
    line(`${ROTATED_SITE} CA rotation, step 3 (retired)`, r.retired, 'a bundle by hand'),
    `| ${row.n} | openssl, new site CA | ${s(r.baselineNewCa)} | ${cpu(r.baselineNewCa)} | ${mib(r.baselineNewCa)} | | 1.00x | |`,
    `| ${row.n} | openssl, site's requests signed again | ${s(r.baselineResign)} | ${cpu(r.baselineResign)} | ${mib(r.baselineResign)} | | 1.00x | |`,
  ];
}

function table(rows: Row[], { siteSize, siteStates }: Layout): string {
  const lines = [
    `| N | step | time | CPU time | peak MiB | time / openssl serial | change: time / openssl for the same change | time / keygen floor |`,
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  const layout = siteSize === undefined ? '' : ` (sites of ${siteSize}${rows[0]?.rotation ? ', own CAs' : ''}${siteStates ? ', own states' : ''})`;
  for (const row of rows) {
    const steps: [string, 'synth' | 'cold' | 'noChange' | 'addOne'][] = [
      ['synth', 'synth'],
      ['cold deploy', 'cold'],
      ['no-change deploy', 'noChange'],
      ['one-client-added deploy', 'addOne'],
    ];
    for (const [name, key] of steps) {
      const step = row[key];
      lines.push(`| ${row.n}${layout} | ${name} | ${s(step)} | ${cpu(step)} | ${mib(step)} | ${serialRatio(step, row)} | ${changeRatio(key, row)} | ${ratio(step, row.floor)} |`);
    }
    if (row.rotation) lines.push(...rotationLines(row, row.rotation, layout));
    if (row.renewal) {
      const { fleet, alone, renewed } = row.renewal;
      lines.push(`| ${row.n}${layout} | ${ROTATED_SITE} renewed (${renewed} certificates) | ${s(fleet)} | ${cpu(fleet)} | ${mib(fleet)} | | ${ratio(fleet, alone)} of the site alone (${s(alone)}) | |`);
      lines.push(`| ${ROTATED_SITE} alone | ${ROTATED_SITE} renewed, a PKI of that site only | ${s(alone)} | ${cpu(alone)} | ${mib(alone)} | | 1.00x | |`);
    }
    if (row.serial) lines.push(`| ${row.n} | openssl procedure, serial | ${s(row.baseline)} | ${cpu(row.baseline)} | ${mib(row.baseline)} | 1.00x | | ${ratio(row.baseline, row.floor)} |`);
    lines.push(`| ${row.n} | openssl, one client added | ${s(row.baselineAddOne)} | ${cpu(row.baselineAddOne)} | ${mib(row.baselineAddOne)} | | 1.00x | |`);
    lines.push(`| ${row.n} | keygen floor, ${os.cpus().length} cores | ${s(row.floor)} | ${cpu(row.floor)} | ${mib(row.floor)} | | | 1.00x |`);
  }
  lines.push('', '| N | state files | one client added | load average before (1, 5, 15 min) |', '|---:|---:|---|---|');
  for (const row of rows) {
    lines.push(`| ${row.n} | ${(row.stateBytes / 2 ** 20).toFixed(1)} MiB | ${row.addedOnAddOne} | ${row.loadBefore} |`);
  }
  return lines.join('\n');
}

/** The synth target of issue 18 (N = 2,000 in sites of 100), in seconds. */
const SYNTH_TARGET_SECONDS = 5;

/** One synth of N clients in a fresh directory, checked to succeed. */
async function synthRound(n: number, options: Options): Promise<Measurement> {
  const { keep } = options;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chariot-tls-bench-synth-${n}-`));
  try {
    fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify(config(n, n, options), null, 2));
    const m = await npm(dir, 'synth', 'synth');
    check(synthAddresses(dir).size > 0, 'the synth wrote a stack with resources');
    return m;
  } finally {
    if (keep) console.error(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `--synth-only`: each N synthesized `repeats` times (the first run builds the app if a source changed: not timed). */
async function synthOnly(options: Options): Promise<string> {
  await synthRound(1, { ...options, keep: false });
  const layout = options.siteSize === undefined ? 'flat list' : `sites of ${options.siteSize}${options.siteCa ? ', own CAs' : ''}${options.siteStates ? ', own states' : ''}`;
  const lines = [
    `| N | layout | synth time | CPU time | app peak MiB | tree peak MiB | load average before |`,
    '|---:|---|---:|---:|---:|---:|---|',
  ];
  for (const n of options.ns) {
    const loadBefore = load();
    const runs: Measurement[] = [];
    for (let r = 0; r < options.repeats; r++) {
      console.error(`N=${n}: synth ${r + 1}/${options.repeats} (load ${load()})`);
      runs.push(await synthRound(n, options));
    }
    const step = summarize(runs);
    lines.push(`| ${n} | ${layout} | ${s(step)} | ${cpu(step)} | ${Math.round(step.maxProcessRssMib)} | ${mib(step)} | ${loadBefore} |`);
  }
  return [
    lines.join('\n'),
    '',
    `Target (issue 18): synth of N = 2,000 in sites of 100 under ${SYNTH_TARGET_SECONDS} s. App peak: the largest process's maximum RSS (GNU time), the app's node;`,
    'tree peak: npm, the shell and the app summed (sampled). Wall time follows the load; CPU time less so.',
  ].join('\n');
}

function machine(options: Options): string {
  const engine = execFileSync(path.join(PROJECT, 'scripts', 'engine', 'run.sh'), ['tofu', 'version'], { cwd: PROJECT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}`,
    `- engine: ${engine}; openssl: ${execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim()}; node ${process.version}`,
    `- command: \`npm run bench -- --n ${options.ns.join(',')}${options.siteSize === undefined ? '' : ` --site-size ${options.siteSize}`}${options.siteCa ? ' --site-ca' : ''}${options.siteStates ? ' --site-states' : ''}${options.synthOnly ? ' --synth-only' : ''}${options.noSerial ? ' --no-serial' : ''} --repeats ${options.repeats}\` (times: median of the repeats; memory: the largest peak)`,
    options.synthOnly ? '- steps: `npm run synth`, as a user runs it' : '- steps: `npm run synth` and `npm run deploy`, as a user runs them',
    `- memory: the summed RSS of the step's whole process tree (npm, the app, tofu, providers), sampled every ${SAMPLE_INTERVAL_MS} ms`,
  ].join('\n');
}

/** Where a run goes in the results file: the full run's markers, or the synth-only run's. */
const MARKERS = {
  full: ['<!-- bench:begin (written by npm run bench) -->', '<!-- bench:end -->'],
  synth: ['<!-- bench-synth:begin (written by npm run bench -- --synth-only) -->', '<!-- bench-synth:end -->'],
} as const;

/** Puts the report between the markers of the results file, keeping the notes around them. */
function writeResults(file: string, report: string, [begin, end]: readonly [string, string]): void {
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `# Benchmark results\n\n${begin}\n${end}\n`;
  const startAt = old.indexOf(begin);
  const endAt = old.indexOf(end);
  if (startAt < 0 || endAt < startAt) throw new Error(`${file} lacks the ${begin} ... ${end} markers; add them where the run goes`);
  fs.writeFileSync(file, `${old.slice(0, startAt + begin.length)}\n${report}${old.slice(endAt)}`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const body = options.synthOnly ? await synthOnly(options) : await fullRun(options);
  const report = `${machine(options)}\n- load average after: ${load()}\n\n${body}\n`;
  console.log(report);
  if (options.results) {
    writeResults(options.results, report, options.synthOnly ? MARKERS.synth : MARKERS.full);
    console.error(`wrote ${path.relative(PROJECT, options.results)}`);
  }
}

/** Every step for each N: the table of the full run. */
async function fullRun(options: Options): Promise<string> {
  const rows: Row[] = [];
  for (const n of options.ns) {
    rows.push(await benchmark(n, options));
    console.error(`N=${n} done (load ${load()})`);
  }
  return table(rows, options);
}

main().catch((e: Error) => {
  console.error(`bench: ${e.message}`);
  process.exit(1);
});
