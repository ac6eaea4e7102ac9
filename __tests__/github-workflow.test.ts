import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CertificateChange } from '../app/certificate-change';
import { LIST_LIMIT } from '../app/engine-display';
import { CertificateReview, formatSummary } from '../app/plan-review';
import { CONFIG_ENV } from '../app/config';
import { DEFAULT_PKCS12_PASSWORD_ENV } from '../app/pkcs12';

const PROJECT = path.resolve(__dirname, '..');
const WORKFLOW_FILE = path.join(PROJECT, 'examples/github-actions/chariot-tls.yml');
const SCRIPTS: Record<string, string> = JSON.parse(fs.readFileSync(path.join(PROJECT, 'package.json'), 'utf8')).scripts;
/** Variables that hold secrets: the state passphrase, the state backend's connection string, the PKCS#12 password. */
const SECRET_ENV = ['CHARIOT_TLS_STATE_PASSPHRASE', 'PG_CONN_STR', DEFAULT_PKCS12_PASSWORD_ENV];

interface Step { uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown>; name?: string }
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
    expect(jobs.deploy.permissions).toBeUndefined();
    expect(workflow.concurrency).toEqual({ group: 'chariot-tls-state', 'cancel-in-progress': false });
  });

  test('runs against the configuration file the app reads', () => {
    expect(workflow.env[CONFIG_ENV]).toBe('chariot-tls.json');
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
