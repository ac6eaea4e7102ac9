/**
 * Faults, with real deploys: the engine killed mid-apply (SIGKILL, then SIGINT), and PEM files
 * deleted or edited by hand. Each time the files are marked unfinished until the next deploy,
 * which completes them: they verify, and a plan after it is empty.
 */
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment, PROJECT } from './helpers/deployment';
import { run } from './helpers/run';
import { verifyPki } from './helpers/verify';

jest.setTimeout(15 * 60_000);

const CLIENTS = ['engine/engine', 'transmission/edge-1', 'transmission/edge-2'];
// 4096-bit leaf keys: slow enough to generate that the engine is still at work when it is killed.
const CONFIG = { server: { dnsNames: ['localhost'] }, engineClients: ['engine'], transmissionClients: ['edge-1', 'edge-2'], leafRsaBits: 4096 };
const MARKER = 'DEPLOY-INCOMPLETE';

let pki: Deployment;

beforeAll(() => {
  pki = Deployment.create(CONFIG);
});

const inspectStatus = () => run('npm', ['run', '--silent', 'inspect', '--', '--quiet', '--dir', path.join(pki.dir, 'pki')], { cwd: PROJECT, allowFailure: true }).status;

/** The engine process applying this deployment's stack: `tofu apply`, running in its stack directory. */
function engineApplying(stackDir: string): number | undefined {
  const want = fs.realpathSync(stackDir);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv[1] === 'apply' && fs.readlinkSync(`/proc/${entry}/cwd`) === want) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

/** Starts a deploy, sends `signal` to the engine once its output matches `when`, and waits for the deploy to end. */
async function interruptedDeploy(signal: NodeJS.Signals, when: RegExp): Promise<{ status: number | null; output: string }> {
  // --verbose: the engine's own lines ("Creating...") are what tells when it is applying.
  const child: ChildProcess = pki.startDeploy({}, ['--verbose']);
  let output = '';
  let sent = false;
  const onOutput = (chunk: Buffer) => {
    output += chunk.toString();
    if (sent || !when.test(output)) return;
    const pid = engineApplying(pki.stackDir);
    if (pid === undefined) return;
    sent = true;
    process.kill(pid, signal);
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (!sent) throw new Error(`the engine was never seen applying; the deploy ended with ${status}:\n${output.slice(-3000)}`);
  return { status, output };
}

function expectUnfinished(result: { status: number | null; output: string }): void {
  expect(result.status).not.toBe(0);
  expect(result.output).toContain('chariot-tls: deploy failed.');
  expect(result.output).toContain(`${pki.file(MARKER)} says so until a deploy succeeds`);
  expect(fs.existsSync(pki.file(MARKER))).toBe(true);
  expect(inspectStatus()).toBe(3);
}

function expectCompletedByNextDeploy(): void {
  pki.deploy();
  expect(fs.existsSync(pki.file(MARKER))).toBe(false);
  verifyPki(pki, CLIENTS);
  expect(inspectStatus()).toBe(0);
  expect(pki.plan().stdout).toMatch(/^Certificates: no change\.$/m);
}

describe('the engine killed during the first apply (SIGKILL), some files written', () => {
  test('the deploy fails in our words and marks the files unfinished; inspect refuses them', async () => {
    expectUnfinished(await interruptedDeploy('SIGKILL', /local_(sensitive_)?file\.\S+: Creation complete/));
  });

  test('the next deploy completes the set: every certificate verifies, the marker is gone, the plan is empty', () => {
    expectCompletedByNextDeploy();
  });
});

describe('the engine interrupted (SIGINT) while replacing every leaf key', () => {
  test('the deploy fails in our words and marks the files unfinished', async () => {
    pki.configure({ ...CONFIG, leafRsaBits: 3072 });
    expectUnfinished(await interruptedDeploy('SIGINT', /: (Creating|Destroying)\.\.\./));
  });

  test('the next deploy completes the set', () => {
    expectCompletedByNextDeploy();
  });
});

describe('PEM files changed by hand', () => {
  test('a deleted certificate and a private key edited on disk are restored by the next deploy, byte for byte', () => {
    const cert = 'certs/transmission/edge-1/cert.pem';
    const key = 'certs/server/server.key';
    const before = { cert: pki.read(cert), key: pki.read(key), root: pki.fingerprint('ca/ca.crt') };
    fs.rmSync(pki.file(cert));
    fs.writeFileSync(pki.file(key), before.key.replace(/^(-----BEGIN RSA PRIVATE KEY-----\n)./, '$1A'));
    expect(pki.plan().stdout).not.toMatch(/^Certificates: no change\.$/m);

    pki.deploy();
    expect(pki.read(cert)).toBe(before.cert);
    expect(pki.read(key)).toBe(before.key);
    expect(pki.fingerprint('ca/ca.crt')).toBe(before.root);
    expect((fs.statSync(pki.file(key)).mode & 0o777).toString(8)).toBe('600');
    verifyPki(pki, CLIENTS);
  });
});
