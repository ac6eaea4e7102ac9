/**
 * Shared state for teams: the `pg` backend against a real PostgreSQL server started on loopback,
 * state encrypted, two working copies (Alice's and Bob's) of one PKI. Deploys started together take
 * turns on the lock and leave one consistent PKI; a lock held too long fails the deploy clearly.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { Postgres, startPostgres } from './helpers/postgres';
import { keyTraces, privateKeyLines } from './helpers/secrets';
import { verifyPki } from './helpers/verify';

jest.setTimeout(15 * 60_000);

const CLIENTS = ['engine/engine', 'transmission/edge-1', 'transmission/edge-2'];
const BASE = { caRsaBits: 2048, server: { dnsNames: ['localhost'] }, engineClients: ['engine'], backend: { type: 'pg' }, stateEncryption: { enabled: true } };
const BEFORE = { ...BASE, transmissionClients: ['edge-1'] };
const AFTER = { ...BASE, transmissionClients: ['edge-1', 'edge-2'] };

let db: Postgres;
let env: Record<string, string>;
let alice: Deployment;
let bob: Deployment;

/** Runs a started deploy to its end. */
function finished(child: ChildProcess): Promise<{ status: number | null; output: string }> {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}

const added = (output: string) => Number(/Resources: (\d+) added/.exec(output)?.[1] ?? 0);
const stateRows = () => db.sql("SELECT name FROM terraform_remote_state.states").split('\n').filter(Boolean);

beforeAll(async () => {
  db = await startPostgres();
  // The connection string reaches the engine from the environment only, as a password would.
  env = { PG_CONN_STR: db.url, CHARIOT_TLS_STATE_PASSPHRASE: 'integration test team passphrase' };
  alice = Deployment.create(BEFORE);
  // One output directory for both, by its absolute path: the synthesized configurations are the same.
  bob = Deployment.create({ ...BEFORE, outputDirectory: path.join(alice.dir, 'pki') });
  alice.deploy({ env });
});

afterAll(() => db?.stop());

describe('two deploys started at the same time', () => {
  let results: { status: number | null; output: string }[];

  beforeAll(async () => {
    alice.configure(AFTER);
    bob.configure({ ...AFTER, outputDirectory: path.join(alice.dir, 'pki') });
    // --verbose: the engine's own "Resources: N added" tells which deploy applied.
    results = await Promise.all([finished(alice.startDeploy(env, ['--verbose'])), finished(bob.startDeploy(env, ['--verbose']))]);
  });

  test('one applies the change; the other waits for the lock and finds nothing to do, or has its stale plan refused in our words', () => {
    // edge-2's key, request, certificate and three files (and its README).
    const applied = results.filter((r) => r.status === 0 && added(r.output) > 0);
    expect(applied).toHaveLength(1);
    const other = results.find((r) => r !== applied[0])!;
    if (other.status === 0) {
      expect(added(other.output)).toBe(0);
    } else {
      expect(other.output).toContain('chariot-tls: deploy failed. Another deploy changed the state after this one planned, so its plan was not applied.');
      expect(other.output).toContain('No file was changed by this deploy.');
    }
  });

  test('the result is one consistent PKI: every certificate verifies, and a plan finds nothing to change', () => {
    verifyPki(alice, CLIENTS);
    // Both working copies synthesize the same configuration, so one plan speaks for both.
    bob.plan({ env });
    expect(bob.engineLog('plan')).toMatch(/No changes/);
  });

  test('PostgreSQL holds one state, encrypted: no private key in it', () => {
    expect(stateRows()).toEqual(['default']);
    const state = db.sql("SELECT data FROM terraform_remote_state.states WHERE name = 'default'");
    expect(JSON.parse(state)).toHaveProperty('encryption_version', 'v0');
    expect(keyTraces(state, privateKeyLines(path.join(alice.dir, 'pki')))).toEqual([]);
  });
});

describe('a lock held longer than CHARIOT_TLS_LOCK_TIMEOUT', () => {
  test('fails the deploy with our message, and the state is unchanged', async () => {
    const state = db.sql("SELECT data FROM terraform_remote_state.states WHERE name = 'default'");
    // Another session holds the state's advisory lock, as a deploy in progress does.
    const holder = spawn(db.psql, ['--no-psqlrc', '--quiet', '--command',
      "SELECT pg_advisory_lock(id) FROM terraform_remote_state.states WHERE name = 'default'; SELECT pg_sleep(300)", db.url], { stdio: 'ignore' });
    try {
      while (db.sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") === '0') await new Promise((r) => setTimeout(r, 100));
      const result = bob.deploy({ env: { ...env, CHARIOT_TLS_LOCK_TIMEOUT: '3s' }, allowFailure: true });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('chariot-tls: deploy failed. Another deploy holds the state lock and did not finish within 3s (CHARIOT_TLS_LOCK_TIMEOUT).');
      expect(result.stderr).toContain('No file was changed by this deploy.');
    } finally {
      holder.kill();
    }
    expect(db.sql("SELECT data FROM terraform_remote_state.states WHERE name = 'default'")).toBe(state);
  });
});
