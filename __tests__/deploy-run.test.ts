import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FailedDeploy, deploy, durationMs, explainFailure, keepStatePrivate, lockTimeoutArgs } from '../app/deploy-run';
import { dropDestroyedKeysFromBackup } from '../app/state-backup';
import { loadConfig } from '../app/config';
import { PreflightError } from '../app/preflight';

const FACTS = { outputDirectory: '/srv/pki', marker: '/srv/pki/DEPLOY-INCOMPLETE' };
/** A failed deploy whose engine printed `engineOutput`, with no other deploy in the marker, after waiting 5m. */
const failed = (engineOutput: string, more: Partial<FailedDeploy> = {}): FailedDeploy => ({
  facts: FACTS, engineOutput, markerLeft: false, lockTimeout: '5m', waitedMs: 5 * 60_000, ...more,
});
const reasonOf = (engineOutput: string, more: Partial<FailedDeploy> = {}) => /deploy failed\. (.*)\n/.exec(explainFailure(failed(engineOutput, more)))![1];

const CREATING = 'local_file.pki_root-ca_cert_file_1A2B3C4D: Creating...\n';
const NOT_CHANGED = 'No file was changed by this deploy.';
const MIXED = 'Files in /srv/pki may be a mix of old and new, or missing; /srv/pki/DEPLOY-INCOMPLETE says so until a deploy succeeds.';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-deploy-run-'));
const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('explainFailure: what failed, in our words', () => {
  test('a wrong passphrase', () => {
    expect(reasonOf('Error: decryption failed for all provided methods: ...')).toBe(
      'The state could not be decrypted: CHARIOT_TLS_STATE_PASSPHRASE is not the passphrase it was encrypted with. The state was not changed; export the right passphrase.',
    );
  });

  test('a wrong passphrase, in a lock error wrapped across lines: the passphrase is the cause', () => {
    const output = 'Error: Error acquiring the state lock\n\nError message: failed to write backup file: decryption failed for all\nprovided methods\n';
    expect(reasonOf(output)).toMatch(/^The state could not be decrypted/);
  });

  test('plain state where encryption is enforced', () => {
    expect(reasonOf('Error: encountered unencrypted payload\nwithout unencrypted method configured')).toBe(
      'The state is not encrypted yet, and encryption is enforced. To encrypt it, deploy once with "stateEncryption": { "enabled": true, "migrateFromUnencrypted": true } (docs/operate.md, "Encrypting state").',
    );
  });

  test.each(['Error acquiring the state lock', 'Error locking state: Error acquiring the state lock: ...'])('a lock held too long (%s), with the timeout used', (text) => {
    expect(reasonOf(text, { lockTimeout: '3s', waitedMs: 3200 })).toBe(
      'Another deploy holds the state lock and did not finish within 3s (CHARIOT_TLS_LOCK_TIMEOUT). Wait for it and deploy again; if no deploy is running, see docs/operate.md, "Shared state for teams".',
    );
  });

  test('a lock error long before the timeout: the engine did not wait, and the message does not say it did', () => {
    expect(reasonOf('Error: Error acquiring the state lock\n\nError message: open terraform.tfstate: no such file', { lockTimeout: '5m', waitedMs: 900 })).toBe(
      "The engine could not take the state lock, and failed at once without waiting for it (the engine's reason is above). If another deploy is starting, wait for it and deploy again.",
    );
  });

  test('a state the engine cannot read, even inside a lock error: cut short, restore it from the backup', () => {
    expect(reasonOf('Error: Error acquiring the state lock\n\nError message: 2 errors: Failed to load state: unexpected end of\nJSON input')).toBe(
      'The engine could not read the state: it may be cut short (a full disk, an interrupted copy). Restore it from its backup (docs/operate.md, "Backups of state").',
    );
  });

  test('a stale plan', () => {
    expect(reasonOf('Error: Saved plan is stale\n')).toBe('Another deploy changed the state after this one planned, so its plan was not applied.');
  });

  test('anything else: the error above', () => {
    expect(reasonOf('Error: open /srv/pki/certs/x/ca.pem: is a directory')).toBe('See the error above.');
    expect(reasonOf('')).toBe('See the error above.');
  });

  test('the whole message: what failed, whether files changed, to deploy again', () => {
    expect(explainFailure(failed('Error: Saved plan is stale'))).toBe(
      '\nchariot-tls: deploy failed. Another deploy changed the state after this one planned, so its plan was not applied.\n' +
        `chariot-tls: ${NOT_CHANGED} Run \`npm run deploy\` again once the cause is fixed.\n`,
    );
  });
});

describe('explainFailure: whether files changed, and the marker', () => {
  test.each(['Creating', 'Modifying', 'Destroying'])('the engine said "%s...": files may be mixed, and the marker says so', (verb) => {
    expect(explainFailure(failed(`local_file.x: ${verb}...\nError: boom`))).toContain(`chariot-tls: ${MIXED} Run`);
  });

  test('a plan that says what it will create is no change', () => {
    expect(explainFailure(failed('  # local_file.x will be created\n  + resource "local_file" "x" {\nError: boom'))).toContain(`chariot-tls: ${NOT_CHANGED} Run`);
  });

  test('no change, a marker left for another deploy: it stays, and the message says why', () => {
    expect(explainFailure(failed('Error: boom', { markerLeft: true }))).toContain(
      `chariot-tls: ${NOT_CHANGED} /srv/pki/DEPLOY-INCOMPLETE, left by a deploy that has not finished, stays until a deploy succeeds. Run`,
    );
  });
});

describe('durationMs: the engine\'s durations', () => {
  test.each([['5m', 300_000], ['30s', 30_000], ['1h30m', 5_400_000], ['500ms', 500], ['1.5s', 1500], ['soon', 0], ['5m garbage', 0]])('%s is %d ms', (text, ms) => {
    expect(durationMs(text as string)).toBe(ms);
  });
});

describe('lockTimeoutArgs: the engine waits for another deploy\'s lock', () => {
  test('5m by default, for plan and apply', () => {
    expect(lockTimeoutArgs({})).toEqual({ TF_CLI_ARGS_plan: '-lock-timeout=5m', TF_CLI_ARGS_apply: '-lock-timeout=5m' });
    expect(lockTimeoutArgs({ CHARIOT_TLS_LOCK_TIMEOUT: '' }).TF_CLI_ARGS_plan).toBe('-lock-timeout=5m');
  });

  test('CHARIOT_TLS_LOCK_TIMEOUT sets it; the user\'s own arguments follow', () => {
    expect(lockTimeoutArgs({ CHARIOT_TLS_LOCK_TIMEOUT: '30s', TF_CLI_ARGS_apply: '-parallelism=4' })).toEqual({
      TF_CLI_ARGS_plan: '-lock-timeout=30s',
      TF_CLI_ARGS_apply: '-lock-timeout=30s -parallelism=4',
    });
  });
});

describe('keepStatePrivate: a local state file is mode 0600', () => {
  test('creates its folder but no state file: a missing state stays missing, for the lost state guard', () => {
    const file = path.join(tmpDir(), 'state', 'terraform.tfstate');
    keepStatePrivate(file);
    expect(fs.existsSync(path.dirname(file))).toBe(true);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('narrows an existing file and its backup, keeping their contents', () => {
    const file = path.join(tmpDir(), 'terraform.tfstate');
    fs.writeFileSync(file, '{}', { mode: 0o644 });
    fs.writeFileSync(`${file}.backup`, '{}', { mode: 0o644 });
    keepStatePrivate(file);
    expect([modeOf(file), modeOf(`${file}.backup`), fs.readFileSync(file, 'utf8')]).toEqual(['600', '600', '{}']);
  });

  test('a remote backend (no file): nothing to do', () => {
    expect(() => keepStatePrivate(undefined)).not.toThrow();
  });
});

describe('dropDestroyedKeysFromBackup: no copy of a destroyed key in the engine\'s .backup', () => {
  test('the backup (the state before, with the retired CA key) becomes the state as it is now, mode 0600 under umask 022', () => {
    const file = path.join(tmpDir(), 'terraform.tfstate');
    fs.writeFileSync(file, '{"serial":2}', { mode: 0o600 });
    fs.writeFileSync(`${file}.backup`, '{"serial":1,"retired":"-----BEGIN RSA PRIVATE KEY-----"}', { mode: 0o600 });
    const umask = process.umask(0o022);
    try {
      expect(dropDestroyedKeysFromBackup(file)).toBe(true);
    } finally {
      process.umask(umask);
    }
    expect([fs.readFileSync(`${file}.backup`, 'utf8'), modeOf(`${file}.backup`)]).toEqual(['{"serial":2}', '600']);
    expect(fs.readdirSync(path.dirname(file)).sort()).toEqual(['terraform.tfstate', 'terraform.tfstate.backup']);
  });

  test('a remote backend or no state file: nothing to do', () => {
    expect(dropDestroyedKeysFromBackup(undefined)).toBe(false);
    expect(dropDestroyedKeysFromBackup(path.join(tmpDir(), 'none.tfstate'))).toBe(false);
  });
});

/**
 * The driver end to end, with a stand-in for the engine: `init` succeeds, `plan` prints FAKE_OUT and
 * FAKE_ERR and exits with FAKE_STATUS, recording the arguments it got from the environment.
 */
describe('deploy: around the engine', () => {
  const savedEnv = { ...process.env };
  let dir: string;
  let stderr: string;

  const FAKE_ENGINE = `#!/usr/bin/env bash
case $1 in
  init) mkdir -p .terraform; exit 0 ;;
  plan) printf '%s\\n' "$TF_CLI_ARGS_plan" >"$FAKE_ARGS"; printf '%s' "$FAKE_OUT"; printf '%s' "$FAKE_ERR" >&2; exit "$FAKE_STATUS" ;;
  *) exit 1 ;;
esac
`;

  beforeEach(() => {
    dir = tmpDir();
    const engine = path.join(dir, 'fake-tofu');
    fs.writeFileSync(engine, FAKE_ENGINE, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify({ caRsaBits: 2048, engineClients: ['engine'], outputDirectory: 'pki' }));
    Object.assign(process.env, {
      CHARIOT_TLS_CONFIG: path.join(dir, 'chariot-tls.json'),
      CHARIOT_TLS_ENGINE_BIN: engine,
      CHARIOT_TLS_STATE_PASSPHRASE: '',
      FAKE_ARGS: path.join(dir, 'args'),
      FAKE_OUT: '',
      FAKE_ERR: 'Error: boom\n',
      FAKE_STATUS: '1',
    });
    stderr = '';
    jest.spyOn(process.stderr, 'write').mockImplementation((text) => {
      stderr += String(text);
      return true;
    });
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(console, 'log').mockImplementation(() => {});
  });

  afterEach(() => {
    jest.restoreAllMocks();
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
    Object.assign(process.env, savedEnv);
  });

  const run = () => deploy({ config: loadConfig(), outdir: path.join(dir, 'cdktf.out') });
  const marker = () => path.join(dir, 'pki', 'DEPLOY-INCOMPLETE');

  test('a lock refused at once: the engine was given CHARIOT_TLS_LOCK_TIMEOUT, the failure in our words, no marker left', async () => {
    Object.assign(process.env, { CHARIOT_TLS_LOCK_TIMEOUT: '10m', FAKE_ERR: 'Error: Error acquiring the state lock\n' });
    expect(await run()).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'args'), 'utf8')).toBe('-lock-timeout=10m\n');
    expect(stderr).toContain('Error: Error acquiring the state lock\n');
    expect(stderr).toContain('chariot-tls: deploy failed. The engine could not take the state lock, and failed at once without waiting for it');
    expect(stderr).toContain(NOT_CHANGED);
    expect(fs.existsSync(marker())).toBe(false);
  });

  test('state warned about once', async () => {
    await run();
    expect(stderr.match(/state encryption is off/g)).toHaveLength(1);
  });

  test('the engine runs under umask 077, as the leader of its own process group', async () => {
    fs.writeFileSync(path.join(dir, 'fake-tofu'), FAKE_ENGINE.replace('plan) ', () => 'plan) { umask; echo $$; ps -o pgid= -p $$; } >"$FAKE_ARGS.proc"; '), { mode: 0o755 });
    await run();
    const [umask, pid, pgid] = fs.readFileSync(path.join(dir, 'args.proc'), 'utf8').trim().split(/\s+/);
    expect(umask).toBe('0077');
    expect(pgid).toBe(pid);
    expect(Number(pgid)).not.toBe(Number(fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[2]));
  });

  test('the engine started changing files: the marker stays, saying when the deploy started', async () => {
    process.env.FAKE_OUT = CREATING;
    expect(await run()).toBe(1);
    expect(stderr).toContain('chariot-tls: deploy failed. See the error above.');
    expect(stderr).toContain(`Files in ${path.join(dir, 'pki')} may be a mix of old and new, or missing`);
    expect(fs.readFileSync(marker(), 'utf8')).toMatch(/^A chariot-tls deploy started at \S+Z on .* has not finished\.\n/);
  });

  test('the output directory gets a .gitignore that ignores everything in it', async () => {
    await run();
    expect(fs.readFileSync(path.join(dir, 'pki', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  test('a marker from an unfinished deploy stays when this one changes nothing', async () => {
    fs.mkdirSync(path.join(dir, 'pki'));
    fs.writeFileSync(marker(), 'earlier\n');
    expect(await run()).toBe(1);
    expect(stderr).toContain(`${NOT_CHANGED} ${marker()}, left by a deploy that has not finished, stays until a deploy succeeds.`);
    expect(fs.existsSync(marker())).toBe(true);
  });

  test.each([
    ['a name Terraform would evaluate', { server: { dnsNames: ['c.example.com'], commonName: '${file("/proc/self/environ")}' } }],
    ['a client name twice but for case', { engineClients: ['Engine', 'engine'] }],
  ])('%s: refused at synth, before the output directory, its marker or its .gitignore is written', async (_what, fields) => {
    fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify({ caRsaBits: 2048, engineClients: ['engine'], outputDirectory: 'pki', ...fields }));
    expect(await run()).toBe(1);
    expect(stderr).toContain('invalid configuration:');
    expect(stderr).toContain(`chariot-tls: deploy refused before anything was written in ${path.join(dir, 'pki')}; fix the configuration and deploy again.`);
    expect(fs.existsSync(path.join(dir, 'pki'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'args'))).toBe(false);
  });

  test('an environment the configuration cannot deploy with: refused before any marker is written', async () => {
    fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify({ engineClients: ['engine'], outputDirectory: 'pki', stateEncryption: { enabled: true } }));
    await expect(run()).rejects.toThrow(PreflightError);
    expect(fs.existsSync(path.join(dir, 'pki'))).toBe(false);
  });
});
