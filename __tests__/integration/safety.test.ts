/**
 * Unlucky operators, with real deploys (issue #12): a deploy under umask 022, an output directory inside a git
 * repository, certificate and key files left empty or cut short, a state file deleted, emptied or cut short, the
 * deploy driver killed with SIGKILL, and deploys that run at the same time. One deployment goes through the file;
 * the first deploys at once get their own.
 */
import { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { finished, run } from './helpers/run';
import { verifyPki } from './helpers/verify';

jest.setTimeout(15 * 60_000);

const MARKER = 'DEPLOY-INCOMPLETE';
const BASE = { server: { dnsNames: ['localhost'] }, engineClients: ['engine'], transmissionClients: ['edge-1'], caRsaBits: 2048, outputDirectory: 'tls' };
const CLIENTS = ['engine/engine', 'transmission/edge-1'];

let pki: Deployment;
let stateFile: string;

beforeAll(() => {
  pki = Deployment.create(BASE);
  stateFile = path.join(pki.dir, 'terraform.tfstate');
  run('git', ['-C', pki.dir, 'init', '--quiet']);
});

/** SHA-256 of every file of the deployment but its cdktf output, by path. */
function hashes(): Record<string, string> {
  const files = (fs.readdirSync(pki.dir, { recursive: true }) as string[])
    .filter((f) => !/^(cdktf[^/]*\.out|\.git)(\/|$)/.test(f) && fs.lstatSync(path.join(pki.dir, f)).isFile())
    .sort();
  return Object.fromEntries(files.map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(pki.dir, f))).digest('hex')]));
}

/** The processes started for a configuration file: they inherit CHARIOT_TLS_CONFIG. */
function processesOf(configFile: string): { pid: number; argv: string[] }[] {
  const found: { pid: number; argv: string[] }[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`CHARIOT_TLS_CONFIG=${configFile}`)) continue;
      found.push({ pid: Number(entry), argv: fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0') });
    } catch {
      // Gone while we looked.
    }
  }
  return found;
}

/** The engine and its providers: every process of the configuration but node, npm and shells. */
const engineProcesses = (configFile: string) => processesOf(configFile).filter((p) => /(^|\/)(tofu|terraform[^/]*)$/.test(p.argv[0]));

/** Files that hold keys: the state and its backup, `errored.tfstate`, and the key files of the output directory. */
function keyFiles(): string[] {
  const state = fs.readdirSync(pki.dir).filter((f) => f.includes('tfstate')).map((f) => path.join(pki.dir, f));
  const errored = path.join(pki.stackDir, 'errored.tfstate');
  const out = fs.existsSync(pki.file('')) ? (fs.readdirSync(pki.file(''), { recursive: true }) as string[]).filter((f) => /\.(key|p12)$/.test(f)).map((f) => pki.file(f)) : [];
  return [...state, ...(fs.existsSync(errored) ? [errored] : []), ...out];
}

/** What was seen while a deploy ran: the engine processes' umasks, and key files readable by others. */
interface Watched {
  readonly umasks: Set<string>;
  readonly readableByOthers: Set<string>;
}

/** Runs a deploy under umask 022 and looks every 20 ms at the engine's umask and the key files' modes. */
async function watchedDeploy(deployment: Deployment): Promise<Watched & { status: number | null; output: string }> {
  const umask = process.umask(0o022);
  const child = deployment.startDeploy({}, ['--verbose']);
  process.umask(umask);
  const watched: Watched = { umasks: new Set(), readableByOthers: new Set() };
  const look = () => {
    for (const p of engineProcesses(deployment.configFile)) {
      const line = fs.readFileSync(`/proc/${p.pid}/status`, { encoding: 'utf8', flag: 'r' }).split('\n').find((l) => l.startsWith('Umask:'));
      if (line) watched.umasks.add(line.split(/\s+/)[1]);
    }
    for (const file of keyFiles()) {
      const mode = fs.statSync(file, { throwIfNoEntry: false })?.mode;
      if (mode !== undefined && (mode & 0o077) !== 0) watched.readableByOthers.add(`${file} ${(mode & 0o777).toString(8)}`);
    }
  };
  const timer = setInterval(() => {
    try {
      look();
    } catch {
      // A process or file went away while we looked.
    }
  }, 20);
  const ended = await finished(child);
  clearInterval(timer);
  return { ...watched, ...ended };
}

describe('a first deploy under umask 022 (finding 7)', () => {
  let watched: Watched & { status: number | null; output: string };
  beforeAll(async () => {
    watched = await watchedDeploy(pki);
  });

  test('succeeds', () => {
    expect([watched.status, watched.output.slice(-2000)]).toEqual([0, expect.stringContaining('chariot-tls: deployed 7 certificates')]);
  });

  test('every engine and provider process runs under umask 077', () => {
    expect([...watched.umasks]).toEqual(['0077']);
  });

  test('no file that holds a key is ever readable by others, from its first byte', () => {
    expect([...watched.readableByOthers]).toEqual([]);
    expect(keyFiles().length).toBeGreaterThan(3);
  });

  test('certificates and folders still get their modes: 0644 and 0755', () => {
    expect((fs.statSync(pki.file('certs/server/server.crt')).mode & 0o777).toString(8)).toBe('644');
    expect((fs.statSync(pki.file('certs/server')).mode & 0o777).toString(8)).toBe('755');
  });
});

describe('"outputDirectory": "tls" in a git repository', () => {
  test('git status lists no file of it: the deploy wrote a .gitignore into it', () => {
    const listed = run('git', ['-C', pki.dir, 'status', '--porcelain', '--untracked-files=all']).stdout.split('\n').filter(Boolean).map((l) => l.slice(3));
    expect(listed.filter((f) => f.startsWith('tls/'))).toEqual([]);
    expect(listed).toContain('chariot-tls.json');
    expect(fs.readFileSync(pki.file('.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });
});

describe('certificate, bundle and key files left empty or cut short (finding 3)', () => {
  const damaged = ['certs/engine/engine/private.key', 'certs/server/server.crt', 'certs/transmission/edge-1/ca.pem'];

  test('the next deploy writes them again, byte for byte, and its summary says so; no key file is readable by others meanwhile', async () => {
    const before = Object.fromEntries(damaged.map((f) => [f, pki.read(f)]));
    fs.writeFileSync(pki.file(damaged[0]), before[damaged[0]].slice(0, 200));
    fs.writeFileSync(pki.file(damaged[1]), '');
    fs.writeFileSync(pki.file(damaged[2]), before[damaged[2]].slice(0, 700));

    const deploy = await watchedDeploy(pki);
    expect([deploy.status, deploy.output.slice(-3000)]).toEqual([0, expect.stringContaining(`restored       3 files that were empty or cut short, written again: ${damaged.join(', ')}\n`)]);
    expect(deploy.output).toContain('  certificates   3 restored; 4 unchanged\n');
    expect([...deploy.readableByOthers]).toEqual([]);
    for (const f of damaged) expect([f, pki.read(f)]).toEqual([f, before[f]]);
    verifyPki(pki, CLIENTS);
  });
});

describe('a lost state (finding 2): the deploy refuses to create a new PKI over the files', () => {
  const backup = () => path.join(pki.dir, 'state-backup.json');
  beforeAll(() => {
    fs.copyFileSync(stateFile, backup());
  });

  test.each([
    ['deleted', () => fs.rmSync(stateFile), 'is missing'],
    ['emptied', () => fs.writeFileSync(stateFile, ''), 'is empty'],
  ])('state %s: refused, naming what happened, how to restore and the override; every file stays byte-identical', (_, damage, what) => {
    damage();
    const files = hashes();
    const deploy = pki.deploy({ allowFailure: true });
    expect(deploy.status).toBe(1);
    expect(deploy.stderr).toContain(`chariot-tls: refused: ${pki.file('')} holds a deployed PKI (ca/ca.crt, `);
    expect(deploy.stderr).toContain(`but the state file ${stateFile} ${what}:`);
    expect(deploy.stderr).toContain('Restore the state from its backup: copy your latest backup of the state to');
    expect(deploy.stderr).toContain('run the deploy with CHARIOT_TLS_ALLOW_NEW_PKI=1');
    expect(hashes()).toEqual(files);
  });

  test('state cut short: refused before the engine runs, saying so and how to restore it; every file stays byte-identical', () => {
    fs.writeFileSync(stateFile, fs.readFileSync(backup(), 'utf8').slice(0, 5000));
    const files = hashes();
    const deploy = pki.deploy({ allowFailure: true });
    expect(deploy.status).toBe(1);
    expect(deploy.stderr).toContain(`the state file ${stateFile} is not valid JSON: cut short`);
    expect(deploy.stderr).toContain(`Restore it from its backup: copy your latest backup of the state to ${stateFile}`);
    expect(deploy.stderr).not.toContain('Another deploy holds the state lock');
    expect(hashes()).toEqual(files);
  });

  test('the state restored from its backup: the deploy changes nothing', () => {
    const files = hashes();
    fs.copyFileSync(backup(), stateFile);
    const deploy = pki.deploy();
    expect(deploy.stdout).toContain('Certificates: no change.');
    expect(hashes()).toEqual({ ...files, 'terraform.tfstate': expect.any(String) });
    expect(fs.readFileSync(stateFile, 'utf8')).toBe(fs.readFileSync(backup(), 'utf8'));
  });
});

describe('the deploy driver killed with SIGKILL while the engine applies', () => {
  let driver: number;
  let killed: { status: number | null; output: string };

  beforeAll(async () => {
    pki.configure({ ...BASE, transmissionClients: ['edge-1', 'edge-2', 'edge-3'] });
    let sent = false;
    killed = await finished(pki.startDeploy({}, ['--verbose']), (output) => {
      if (sent || !/: Creating\.\.\./.test(output)) return;
      const node = processesOf(pki.configFile).find((p) => /(^|\/)node$/.test(p.argv[0]) && p.argv.some((a) => a.includes('.app/')));
      if (node === undefined) return;
      sent = true;
      driver = node.pid;
      process.kill(driver, 'SIGKILL');
    });
    if (!sent) throw new Error(`the deploy was never seen applying:\n${killed.output.slice(-3000)}`);
  });

  test('no engine or provider process is left behind (the engine\'s process group is ended)', async () => {
    let left = engineProcesses(pki.configFile);
    for (let i = 0; i < 60 && left.length > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      left = engineProcesses(pki.configFile);
    }
    expect(left.map((p) => p.argv.join(' '))).toEqual([]);
  });

  test('the next deploy removes the saved plan it left, completes the files and removes the marker', () => {
    const plans = () => fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith(`chariot-tls-plan-${driver}-`));
    expect(plans()).toHaveLength(1);
    expect(fs.existsSync(pki.file(MARKER))).toBe(true);
    pki.deploy();
    expect(plans()).toEqual([]);
    expect(fs.existsSync(pki.file(MARKER))).toBe(false);
    verifyPki(pki, [...CLIENTS, 'transmission/edge-2', 'transmission/edge-3']);
  });
});

/** The deploy driver (the node process of the app) that a started `npm run deploy` runs, once it runs. */
function driverOf(child: ChildProcess): number | undefined {
  const parentOf = (pid: number) => {
    try {
      // The fields after the command's parenthesis: state, then the parent's pid.
      return Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
    } catch {
      return 0;
    }
  };
  const descends = (pid: number) => {
    for (let p = pid, i = 0; p > 1 && i < 20; p = parentOf(p), i++) if (p === child.pid) return true;
    return false;
  };
  return processesOf(pki.configFile).find((p) => /(^|\/)node$/.test(p.argv[0]) && p.argv.some((a) => a.includes('.app/')) && descends(p.pid))?.pid;
}

/** The deploy drivers DEPLOY-INCOMPLETE lists (`deploy PID on HOST started ...`), in its order. */
/** What a deploy says while another deploy of its environment runs. */
const WAITING = 'chariot-tls: another deploy of this environment is running; waiting for it to finish';

const listedDeploys = (): number[] =>
  fs.existsSync(pki.file(MARKER)) ? [...fs.readFileSync(pki.file(MARKER), 'utf8').matchAll(/^deploy (\d+) on /gm)].map((m) => Number(m[1])) : [];

describe('two deploys of one environment at once: B waits for A while A applies (finding 4)', () => {
  const many = ['edge-1', 'edge-2', 'edge-3', 'site-1', 'site-2', 'site-3'];
  let a: { status: number | null; output: string; endedAt: number };
  let b: { status: number | null; output: string };
  const drivers: { a?: number; b?: number } = {};
  let listedWhileAApplied: number[] = [];
  let bWaited = false;
  const bWrote: { at: number; listed: number[] }[] = [];

  beforeAll(async () => {
    pki.configure({ ...BASE, transmissionClients: many });
    let aEngine: number | undefined;
    const aChild = pki.startDeploy({}, ['--verbose']);
    const aDone = finished(aChild, (output) => {
      drivers.a ??= driverOf(aChild);
      if (aEngine !== undefined || !/: Creating\.\.\./.test(output)) return;
      aEngine = engineProcesses(pki.configFile).find((p) => p.argv[1] === 'apply')?.pid;
      // A's engine (the leader of its process group) stops mid-apply, holding the state lock, until B has begun.
      if (aEngine !== undefined) process.kill(-aEngine, 'SIGSTOP');
    }).then((r) => ({ ...r, endedAt: Date.now() }));
    for (let i = 0; i < 600 && aEngine === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    if (aEngine === undefined) throw new Error(`A was never seen applying:\n${(await aDone).output.slice(-3000)}`);
    // The same environment: its one configuration file, now with a gateway more (A read the file before it planned).
    pki.configure({ ...BASE, transmissionClients: [...many, 'edge-b'] });
    const bChild = pki.startDeploy({}, ['--verbose']);
    const bDone = finished(bChild, (out) => {
      drivers.b ??= driverOf(bChild);
      bWaited ||= out.includes(WAITING);
      const lines = out.split('\n').filter((l) => /: (Creating|Creation complete)/.test(l)).length;
      while (bWrote.length < lines) bWrote.push({ at: Date.now(), listed: listedDeploys() });
    });
    try {
      for (let i = 0; i < 600 && !bWaited; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      listedWhileAApplied = listedDeploys();
    } finally {
      process.kill(-aEngine, 'SIGCONT');
    }
    a = await aDone;
    b = await bDone;
  });

  test('both succeed; B had begun while A applied, said it waits for A, and wrote after A had finished', () => {
    expect([a.status, b.status]).toEqual([0, 0]);
    expect(bWaited).toBe(true);
    expect(bWrote.length).toBeGreaterThan(0);
    expect(bWrote[0].at).toBeGreaterThan(a.endedAt);
  });

  test('DEPLOY-INCOMPLETE listed A alone, by its process id, while A applied and B waited (B could write nothing)', () => {
    expect(drivers.a).toBeDefined();
    expect(drivers.b).toBeDefined();
    expect(listedWhileAApplied).toEqual([drivers.a]);
  });

  test('DEPLOY-INCOMPLETE was there each time B wrote a file, listing B alone once A had finished; it is gone at the end', () => {
    expect(bWrote.filter((w) => w.listed.length !== 1 || w.listed[0] !== drivers.b)).toEqual([]);
    expect(fs.existsSync(pki.file(MARKER))).toBe(false);
    verifyPki(pki, ['transmission/edge-b', 'transmission/site-3']);
  });
});

// Both would plan against no state, and the engine would apply both create-everything plans (a plan without a prior
// state is never stale): the environment's deploy lock makes the second wait for the first.
describe('two first deploys into one new directory at once (misleading messages)', () => {
  let results: { status: number | null; output: string }[];
  let fresh: Deployment;

  beforeAll(async () => {
    fresh = Deployment.create({ ...BASE, outputDirectory: 'pki' });
    results = await Promise.all([finished(fresh.startDeploy({}, ['--verbose'])), finished(fresh.startDeploy({}, ['--verbose']))]);
  });

  test('no Go stack trace: init runs once at a time', () => {
    for (const r of results) expect(r.output).not.toMatch(/goroutine \d+|panic:/);
  });

  test('one deploys; the other says in our words that it waits for it, then deploys too; the PKI is one, as planned', () => {
    expect(results.map((r) => r.status)).toEqual([0, 0]);
    expect(results.filter((r) => r.output.includes(WAITING))).toHaveLength(1);
    expect(fresh.plan().stdout).toMatch(/^Certificates: no change\.$/m);
    verifyPki(fresh, CLIENTS);
  });
});
