import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CertificateChange } from '../app/certificate-change';
import { LIST_LIMIT } from '../app/engine-display';
import { CertificateReview } from '../app/plan-review';
import { formatSummary } from '../app/plan-summary';
import { CONFIG_ENV } from '../app/config';
import { DEFAULT_PKCS12_PASSWORD_ENV } from '../app/pkcs12';
import { REVOCATION_RECORD_FILE } from '../app/revocation-record';

const PROJECT = path.resolve(__dirname, '..');
const WORKFLOW_FILE = path.join(PROJECT, 'examples/github-actions/chariot-tls.yml');
const SCRIPTS: Record<string, string> = JSON.parse(fs.readFileSync(path.join(PROJECT, 'package.json'), 'utf8')).scripts;
/** Variables that hold secrets: the state passphrase, the state backend's connection string, the PKCS#12 password. */
const SECRET_ENV = ['CHARIOT_TLS_STATE_PASSPHRASE', 'PG_CONN_STR', DEFAULT_PKCS12_PASSWORD_ENV];

interface Step { if?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown>; name?: string }
interface Job { if?: string; steps: Step[]; permissions?: Record<string, string>; environment?: string }

const workflow = parse(fs.readFileSync(WORKFLOW_FILE, 'utf8'));
const jobs: Record<string, Job> = workflow.jobs;
const allSteps = Object.values(jobs).flatMap((j) => j.steps);
const runText = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');

describe('the GitHub Actions example', () => {
  test('plans on pull requests to main and deploys on pushes to main', () => {
    expect(workflow.on).toEqual({ pull_request: { branches: ['main'] }, push: { branches: ['main'] } });
    expect(jobs.plan.if).toContain("github.event_name == 'pull_request'");
    expect(runText(jobs.plan)).toMatch(/npm run --silent plan\b/);
    expect(runText(jobs.plan)).not.toMatch(/npm run[^\n]*deploy/);
    expect(jobs.deploy.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(runText(jobs.deploy)).toMatch(/npm run --silent deploy\b/);
  });

  test('every npm script it runs exists in package.json', () => {
    const used = [...allSteps.map((s) => s.run ?? '').join('\n').matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(0);
    for (const script of used) expect(Object.keys(SCRIPTS)).toContain(script);
    expect(allSteps.some((s) => s.run === 'npm ci')).toBe(true);
  });

  test('never uploads keys, key stores, state or the pki folder: only the plan and the inventory diff', () => {
    const uploads = allSteps.filter((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(uploads).toHaveLength(1);
    const paths = String(uploads[0].with!.path).trim().split('\n').map((p) => p.trim());
    expect(paths).toEqual(['plan.txt', 'inventory.diff']);
    expect(fs.readFileSync(WORKFLOW_FILE, 'utf8')).not.toMatch(/^\s*path:.*(pki\/|\.key|\.p12|tfstate|cdktf\.out)/m);
  });

  test('secrets come from secrets.*, never literals, and only in the steps that need them', () => {
    const withEnv = allSteps.filter((s) => s.env);
    for (const step of withEnv) {
      for (const [name, value] of Object.entries(step.env!)) {
        if (SECRET_ENV.includes(name)) expect([name, value]).toEqual([name, expect.stringMatching(/^\$\{\{ secrets\.[A-Z0-9_]+ \}\}$/)]);
      }
    }
    expect(withEnv.map((s) => s.name)).toEqual(['Plan', 'Deploy']);
    expect(Object.keys(jobs.deploy.steps.find((s) => s.name === 'Deploy')!.env!).sort()).toEqual([...SECRET_ENV].sort());
    expect(JSON.stringify(workflow.env)).not.toMatch(/secrets\./);
  });

  test('fork pull requests, which get no secrets, skip the plan; no pull_request_target runs their code with secrets', () => {
    expect(jobs.plan.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    expect(workflow.on.pull_request_target).toBeUndefined();
  });

  test('least privilege, one run at a time on the state, and a deploy never cancelled half-way', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(jobs.plan.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    // Write only where the revocation record is committed back.
    expect(jobs.deploy.permissions).toEqual({ contents: 'write' });
    expect(workflow.concurrency).toEqual({ group: 'chariot-tls-state', 'cancel-in-progress': false });
  });

  test('runs against the configuration file the app reads', () => {
    expect(workflow.env[CONFIG_ENV]).toBe('chariot-tls.json');
  });

  test('commits the revocation record back to main after the deploy, even a failed one, when it changed', () => {
    const steps = jobs.deploy.steps;
    const deploy = steps.findIndex((s) => /npm run --silent deploy/.test(s.run ?? ''));
    const keep = steps.findIndex((s) => (s.run ?? '').includes(`git add ${REVOCATION_RECORD_FILE}`));
    expect(keep).toBeGreaterThan(deploy);
    // The record is written before the engine destroys a revoked client: a deploy that fails after it must not lose it.
    expect(steps[keep].if).toBe('always()');
    const run = steps[keep].run!;
    expect(run).toContain(`git status --porcelain -- ${REVOCATION_RECORD_FILE}`);
    expect(run).toMatch(/git push origin HEAD:main/);
    // Only the record: never the pki folder, keys or state.
    expect(run.match(/git add .*/g)).toEqual([`git add ${REVOCATION_RECORD_FILE}`]);
    // A refused push still keeps it, in the run's summary.
    expect(run).toContain(`cat ${REVOCATION_RECORD_FILE}`);
    expect(run).toContain('GITHUB_STEP_SUMMARY');
  });

  test('checks expiry after the deploy with inspect --warn-days', () => {
    const steps = jobs.deploy.steps.map((s) => s.run ?? '');
    expect(steps.findIndex((r) => /inspect -- --warn-days \d+/.test(r))).toBeGreaterThan(steps.findIndex((r) => /npm run --silent deploy/.test(r)));
  });
});

describe('the pull request comment', () => {
  const script = String(jobs.plan.steps.find((s) => s.name === 'Comment on the pull request')!.with!.script);
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;

  /** Runs the comment step's script in `dir` against a stand-in for the GitHub API; returns the comment's body. */
  async function comment(dir: string): Promise<string> {
    const bodies: string[] = [];
    const github = {
      paginate: async () => [],
      rest: { issues: { listComments: {}, createComment: async ({ body }: { body: string }) => bodies.push(body), updateComment: async () => {} } },
    };
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await new AsyncFunction('require', 'github', 'context', script)(require, github, { repo: { owner: 'o', repo: 'r' }, issue: { number: 1 } });
    } finally {
      process.chdir(cwd);
    }
    expect(bodies).toHaveLength(1);
    return bodies[0];
  }

  /** What `npm run plan` prints for a first deploy of `clients` Transmission clients. */
  function planSummary(clients: number): string {
    const review: CertificateReview[] = Array.from({ length: clients }, (_, i) => ({
      construct: `pki/transmission/edge-${i}`, id: `edge-${i}`, commonName: `edge-${i}`, isCa: false,
      action: CertificateChange.CREATED, reasons: ['new certificate'], files: ['ca.pem', 'cert.pem', 'private.key'], identityChanges: [],
    }));
    return `chariot-tls plan: configuration chariot-tls.json, state PostgreSQL schema terraform_remote_state, output pki\n${formatSummary(review, LIST_LIMIT)}`;
  }

  test('for a plan of 500 clients it is the summary in words and the inventory diff, within the size GitHub takes', async () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'chariot-tls-comment-'));
    fs.writeFileSync(path.join(dir, 'summary.txt'), planSummary(500));
    // The engine's plan of 500 clients runs to megabytes; the inventory diff to hundreds of kilobytes.
    fs.writeFileSync(path.join(dir, 'plan.txt'), '  # tls_private_key.x will be created\n'.repeat(100_000));
    fs.writeFileSync(path.join(dir, 'inventory.diff'), Array.from({ length: 500 }, (_, i) => `+| edge-${i} | client | RSA 2048 | 730 days |\n`.repeat(20)).join(''));
    const body = await comment(dir);
    expect(body).toContain('Certificates: 500 created; 0 unchanged.');
    expect(body).toContain('  ... and 480 more: 480 created (--verbose lists every one)');
    expect(body).toContain('+| edge-0 | client |');
    expect(body).toContain('... (cut: the whole diff is in the chariot-tls-plan artifact)');
    expect(body).not.toContain('tls_private_key.x will be created');
    expect(body.length).toBeLessThan(65536);
  });

  test('a small plan and no inventory change come whole', async () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'chariot-tls-comment-'));
    fs.writeFileSync(path.join(dir, 'summary.txt'), planSummary(2));
    fs.writeFileSync(path.join(dir, 'inventory.diff'), '');
    const body = await comment(dir);
    expect(body).toMatch(/^<!-- chariot-tls-plan -->\n### chariot-tls plan\n```\nchariot-tls plan: configuration/);
    expect(body).toContain('```diff\n(no change)\n```');
  });

  test('the plan step keeps our summary for the comment and the engine plan for the artifact', () => {
    const plan = jobs.plan.steps.find((s) => s.name === 'Plan')!.run!;
    expect(plan).toContain('npm run --silent plan > summary.txt');
    expect(plan).toContain('cp cdktf.out/plan.log plan.txt');
  });
});

describe('the revocation record step, run by bash against a local repository as origin', () => {
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const step = jobs.deploy.steps.find((s) => s.name === 'Keep the revocation record')!;
  // The one expression GitHub fills in before bash sees the script.
  const script = step.run!.replace('${{ github.sha }}', 'abc123');
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

  /** A bare origin with one commit on main, and a clone of it as the runner's checkout; returns both. */
  function checkout(): { origin: string; work: string; summary: string } {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'chariot-tls-record-'));
    const origin = path.join(dir, 'origin.git');
    const work = path.join(dir, 'work');
    git(dir, 'init', '--quiet', '--bare', '--initial-branch=main', origin);
    git(dir, 'clone', '--quiet', origin, work);
    git(work, 'config', 'user.name', 't');
    git(work, 'config', 'user.email', 't@example.com');
    fs.writeFileSync(path.join(work, REVOCATION_RECORD_FILE), '{"revoked":[]}\n');
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', 'start');
    git(work, 'push', '--quiet', 'origin', 'HEAD:main');
    return { origin, work, summary: path.join(dir, 'summary.md') };
  }

  function run(work: string, summary: string): number {
    try {
      execFileSync('bash', ['-eo', 'pipefail', '-c', script], { cwd: work, env: { ...process.env, GITHUB_STEP_SUMMARY: summary }, stdio: 'pipe' });
      return 0;
    } catch (e) {
      return (e as { status: number }).status;
    }
  }

  test('a changed record is committed to main, and nothing else is', () => {
    const { origin, work, summary } = checkout();
    fs.writeFileSync(path.join(work, REVOCATION_RECORD_FILE), '{"revoked":[{"name":"edge-2"}]}\n');
    fs.writeFileSync(path.join(work, 'stray.txt'), 'not committed');
    expect(run(work, summary)).toBe(0);
    expect(git(origin, 'show', `main:${REVOCATION_RECORD_FILE}`)).toBe('{"revoked":[{"name":"edge-2"}]}');
    expect(git(origin, 'show', '--name-only', '--format=%s', 'main')).toBe(`chariot-tls: revocation record of the deploy of abc123\n\n${REVOCATION_RECORD_FILE}`);
  });

  test('an unchanged record makes no commit', () => {
    const { origin, work, summary } = checkout();
    const before = git(origin, 'rev-parse', 'main');
    expect(run(work, summary)).toBe(0);
    expect(git(origin, 'rev-parse', 'main')).toBe(before);
  });

  test('a refused push fails the step and puts the record in the run summary', () => {
    const { origin, work, summary } = checkout();
    // A hook that refuses every push stands in for branch protection.
    fs.writeFileSync(path.join(origin, 'hooks', 'pre-receive'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    fs.writeFileSync(path.join(work, REVOCATION_RECORD_FILE), '{"revoked":[{"name":"edge-9"}]}\n');
    expect(run(work, summary)).toBe(1);
    expect(fs.readFileSync(summary, 'utf8')).toContain('{"revoked":[{"name":"edge-9"}]}');
  });
});
