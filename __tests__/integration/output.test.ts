import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { RunResult } from './helpers/run';

/**
 * What deploy and plan print at N = 100 clients (2 Engines, 98 Transmissions), deployed for real: our own
 * progress and summary on the terminal, the engine's output in a log file.
 */
const N = 100;
const CONFIG = {
  server: { dnsNames: ['localhost'] },
  engineClients: ['engine-1', 'engine-2'],
  transmissionClients: Array.from({ length: N - 2 }, (_, i) => `edge-${i + 1}`),
};

let pki: Deployment;
let first: RunResult;

/**
 * Every line printed, stdout and stderr, less the engine build script's own (`engine: ...`): it speaks only when it
 * builds or rewrites something, which depends on the machine, not on the deploy.
 */
const lines = (result: RunResult) => `${result.stdout}${result.stderr}`.split('\n').filter((line) => line !== '' && !line.startsWith('engine: '));
const logFile = () => path.join(pki.dir, 'cdktf.out', 'deploy.log');

beforeAll(() => {
  pki = Deployment.create(CONFIG);
  first = pki.deploy();
});

describe(`a first deploy of ${N} clients`, () => {
  test('prints the summary in words, not the engine: tens of lines, not thousands', () => {
    const printed = lines(first);
    expect(printed[0]).toMatch(/^chariot-tls deploy: configuration .*chariot-tls\.json, state .*terraform\.tfstate, output .*pki$/);
    expect(printed).toContainEqual(`Certificates: ${N + 5} created; 0 unchanged.`);
    expect(printed).toContainEqual(expect.stringMatching(/^ {2}\.\.\. and \d+ more: \d+ created \(--verbose lists every one\)$/));
    expect(printed.length).toBeLessThan(60);
    expect(first.stdout).not.toContain('Creation complete');
  });

  test("names the log, which holds the engine's full output (mode 0600) and no key", () => {
    expect(first.stdout).toContain(`engine log     ${logFile()}`);
    const log = fs.readFileSync(logFile(), 'utf8');
    expect(log).toContain('Creation complete');
    expect(log).not.toMatch(/PRIVATE KEY|BEGIN RSA/);
    expect(fs.statSync(logFile()).mode & 0o777).toBe(0o600);
  });
});

describe(`a deploy of ${N} clients with nothing to change`, () => {
  test('prints at most a few lines', () => {
    const again = pki.deploy();
    const ours = (text: string) => lines({ ...again, stdout: text, stderr: '' }).filter((line) => !line.startsWith('chariot-tls: planning:'));
    expect(ours(again.stdout)).toEqual([
      expect.stringMatching(/^chariot-tls deploy: configuration /),
      'Certificates: no change.',
      `chariot-tls: no change: ${N + 5} certificates up to date in ${path.join(pki.dir, 'pki')}`,
      expect.stringMatching(/^ {2}expires first \d{4}-\d\d-\d\d \S+ \(certs\/[^)]+\); next renewal \d{4}-\d\d-\d\d$/),
      `  engine log: ${logFile()}`,
    ]);
    expect(ours(again.stderr)).toEqual([expect.stringMatching(/^chariot-tls: warning: state encryption is off/)]);
    // A periodic progress line (every 10 s, not on a terminal) is the only other line a slow machine adds.
    expect(lines(again).length).toBeLessThanOrEqual(9);
  });
});

describe('plan', () => {
  test("--verbose streams the engine's output; by default it goes to plan.log", () => {
    const verbose = pki.plan({ args: ['--verbose'] });
    expect(verbose.stdout).toContain('Refreshing state...');
    const quiet = pki.plan({ args: ['--quiet'] });
    expect(quiet.stdout).toBe('Certificates: no change.\n');
    expect(fs.readFileSync(path.join(pki.dir, 'cdktf.out', 'plan.log'), 'utf8')).toContain('Refreshing state...');
  });
});
