/**
 * Several environments in one folder, deployed for real with `npm run deploy -- --config FILE` and nothing else:
 * staging, then production, then staging again. Each has its own engine working directory, state, output and
 * inventory; the second never disturbs the first, and a configuration that shares another's state or output is refused.
 * Each output directory names its PKI (PKI-OWNER.json): a deploy of another PKI into it is refused, and a PKI whose
 * files were written over by another's is told so.
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROJECT } from './helpers/deployment';
import { Broker, startBroker } from './helpers/mosquitto';
import { publish } from './helpers/mqtt';
import { RunResult, run } from './helpers/run';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(20 * 60_000);

const ENVIRONMENTS = ['staging', 'production'];
let dir: string;

function environment(name: string): Record<string, unknown> {
  return {
    organization: `Environments ${name}`,
    outputDirectory: `pki-${name}`,
    inventoryDirectory: `inventory/${name}`,
    backend: { type: 'local', path: `terraform.${name}.tfstate` },
    server: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
    engineClients: ['engine'],
    transmissionClients: ['edge-1'],
  };
}

function deploy(name: string): RunResult {
  return run('npm', ['run', '--silent', 'deploy', '--', '--config', path.join(dir, `${name}.json`)], { cwd: PROJECT, allowFailure: true });
}

const file = (name: string, relative: string) => path.join(dir, `pki-${name}`, relative);

function hashes(name: string): Record<string, string> {
  const root = path.join(dir, `pki-${name}`);
  const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(root, f)).isFile()).sort();
  return Object.fromEntries(files.map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(root, f))).digest('hex')]));
}

/** The engine working directory the deploy chose for a configuration outside the project. */
function workingDirectories(): string[] {
  const envDir = path.join(PROJECT, 'cdktf.out', 'env');
  return fs.existsSync(envDir) ? fs.readdirSync(envDir).filter((d) => d.startsWith('outside-')).map((d) => path.join(envDir, d)) : [];
}

let before: string[];
const deployed: Record<string, RunResult> = {};

beforeAll(() => {
  before = workingDirectories();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-envs-'));
  for (const name of ENVIRONMENTS) fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(environment(name), null, 2));
  deployed.staging = deploy('staging');
  deployed.production = deploy('production');
});

afterAll(() => {
  // The working directories these deploys made (they hold no key: state is in the deployment's folder).
  for (const made of workingDirectories().filter((d) => !before.includes(d))) fs.rmSync(made, { recursive: true, force: true });
});

describe('two environments in one folder', () => {
  test('each deploys into its own output, state and inventory', () => {
    expect([deployed.staging.status, deployed.production.status]).toEqual([0, 0]);
    for (const name of ENVIRONMENTS) {
      expect(fs.existsSync(path.join(dir, `terraform.${name}.tfstate`))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'inventory', name, 'pki-inventory.json'))).toBe(true);
      expect(fs.existsSync(file(name, 'certs/server/server.crt'))).toBe(true);
    }
    expect(`${deployed.production.stdout}${deployed.production.stderr}`).not.toMatch(/Backend configuration changed|migrate-state/);
  });

  test('have distinct roots, and each verifies with openssl', () => {
    const root = (name: string) => new X509Certificate(fs.readFileSync(file(name, 'ca/ca.crt'))).fingerprint256;
    expect(root('staging')).not.toBe(root('production'));
    for (const name of ENVIRONMENTS) {
      expect(opensslVerify('sslserver', file(name, 'certs/transmission/edge-1/ca.pem'), file(name, 'certs/server/server.crt')).status).toBe(0);
      expect(opensslVerify('sslserver', file(name, 'certs/transmission/edge-1/ca.pem'), file(other(name), 'certs/server/server.crt')).status).not.toBe(0);
    }
  });

  test('each environment\'s clients connect to its own broker and are refused by the other\'s', async () => {
    const brokers: Record<string, Broker> = {};
    try {
      for (const name of ENVIRONMENTS) {
        brokers[name] = await startBroker({
          cert: file(name, 'certs/server/fullchain.pem'),
          privateKey: file(name, 'certs/server/server.key'),
          clientCa: file(name, 'certs/server/client-ca.pem'),
        });
      }
      const client = (name: string) => ({
        ca: file(name, 'certs/transmission/edge-1/ca.pem'),
        cert: file(name, 'certs/transmission/edge-1/cert.pem'),
        privateKey: file(name, 'certs/transmission/edge-1/private.key'),
      });
      const results = ENVIRONMENTS.flatMap((name) => ENVIRONMENTS.map((broker) => `${name} -> ${broker}: ${publish('localhost', brokers[broker].port, client(name), 'spBv1.0/env', name).status === 0}`));
      expect(results).toEqual(['staging -> staging: true', 'staging -> production: false', 'production -> staging: false', 'production -> production: true']);
    } finally {
      for (const broker of Object.values(brokers)) await broker.stop();
    }
  });

  test('deploying the first environment again changes nothing of it', () => {
    const files = hashes('staging');
    const again = deploy('staging');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('Certificates: no change.');
    expect(hashes('staging')).toEqual(files);
  });

  test('a configuration that shares another environment\'s state and output is refused, and nothing is written', () => {
    fs.writeFileSync(path.join(dir, 'copy.json'), JSON.stringify({ ...environment('copy'), outputDirectory: 'pki-staging', backend: { type: 'local', path: 'terraform.staging.tfstate' } }));
    const staging = hashes('staging');
    const refused = deploy('copy');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('copy.json shares what one environment must have alone (nothing was written)');
    expect(refused.stderr).toMatch(/its state \(.*terraform\.staging\.tfstate\) is the state of .*staging\.json; give it a state of its own/);
    expect(refused.stderr).toMatch(/its outputDirectory .*pki-staging is the output directory of .*staging\.json/);
    expect(hashes('staging')).toEqual(staging);
    expect(fs.existsSync(path.join(dir, 'inventory', 'copy'))).toBe(false);
    fs.rmSync(path.join(dir, 'copy.json'));
  });
});

describe('an output directory belongs to one PKI', () => {
  const owner = (name: string) => JSON.parse(fs.readFileSync(file(name, 'PKI-OWNER.json'), 'utf8'));

  test('and says so: PKI-OWNER.json names the state it came from, its configuration, its root and its files', () => {
    expect(owner('staging')).toMatchObject({
      state: `local:${path.join(dir, 'terraform.staging.tfstate')}`,
      configFile: path.join(dir, 'staging.json'),
      rootFingerprints: [new X509Certificate(fs.readFileSync(file('staging', 'ca/ca.crt'))).fingerprint256],
    });
    expect(owner('staging').files).toEqual(expect.arrayContaining(['ca/ca.crt', 'certs/server/server.key', 'certs/server/crl.pem', 'certs/transmission/edge-1/private.key']));
    expect(owner('production').state).toBe(`local:${path.join(dir, 'terraform.production.tfstate')}`);
  });

  test('a configuration in another folder naming the same absolute outputDirectory is refused before any file is touched', () => {
    // The environment checks compare the configurations of one folder; this one is elsewhere, with its own state.
    const team = path.join(dir, 'team-b');
    fs.mkdirSync(team);
    fs.writeFileSync(path.join(team, 'staging.json'), JSON.stringify({
      ...environment('team-b'), outputDirectory: path.join(dir, 'pki-staging'), inventoryDirectory: 'inventory', backend: { type: 'local', path: 'terraform.tfstate' },
    }));
    const staging = hashes('staging');
    const refused = run('npm', ['run', '--silent', 'deploy', '--', '--config', path.join(team, 'staging.json')], { cwd: PROJECT, allowFailure: true });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(`holds another PKI: its PKI-OWNER.json names the state local:${path.join(dir, 'terraform.staging.tfstate')} (configuration ${path.join(dir, 'staging.json')})`);
    expect(refused.stderr).toContain('Give this configuration an "outputDirectory" of its own');
    expect(hashes('staging')).toEqual(staging);
    expect(fs.readdirSync(team)).toEqual(['staging.json']);
  });

  test("a PKI whose files another PKI's were written over gets its own back, with a summary that creates no key", () => {
    const staging = hashes('staging');
    // Production's files over staging's, as a copy by hand (or a release before owner files) would leave them.
    const production = path.join(dir, 'pki-production');
    for (const f of Object.keys(hashes('production')).filter((f) => !['PKI-OWNER.json', '.gitignore'].includes(f))) {
      fs.copyFileSync(path.join(production, f), file('staging', f));
    }
    const again = deploy('staging');
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/certificates +7 with files rewritten; 0 unchanged\n +keys +0 created, 7 unchanged\n/);
    expect(again.stdout).toMatch(/overwritten +7 certificate files \(.*\) held another PKI's certificates, not this one's: written again from this PKI's state, no key created/);
    // Every file is staging's again; the CRLs are signed again, as for any CRL signed by another key.
    const withoutCrls = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([f]) => !/(^|[./])crl\.pem$/.test(f)));
    expect(withoutCrls(hashes('staging'))).toEqual(withoutCrls(staging));
    expect(opensslVerify('sslserver', file('staging', 'certs/transmission/edge-1/ca.pem'), file('staging', 'certs/server/server.crt')).status).toBe(0);
  });
});

describe('npm run destroy', () => {
  const destroy = (name: string, ...args: string[]) =>
    run('npm', ['run', '--silent', 'destroy', '--', '--config', path.join(dir, `${name}.json`), ...args], { cwd: PROJECT, allowFailure: true });

  test('refuses without a typed name or --confirm, in our words, and changes nothing', () => {
    const production = hashes('production');
    const refused = destroy('production');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('chariot-tls: refused: destroy removes every key, certificate and file of environment "production"');
    expect(refused.stderr).toContain('Run it on a terminal and type the name, or pass --confirm production.\nNothing was changed.');
    expect(hashes('production')).toEqual(production);
  });

  test('refuses another name than the environment\'s', () => {
    const refused = destroy('production', '--confirm', 'staging');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('"staging" is not the name of this environment ("production")');
    expect(fs.existsSync(path.join(dir, 'terraform.production.tfstate'))).toBe(true);
  });

  test("removes that environment's keys, files, state, working directory and inventory; the other's next deploy changes nothing", () => {
    const staging = hashes('staging');
    const destroyed = destroy('production', '--confirm', 'production');
    expect(destroyed.status).toBe(0);
    expect(destroyed.stdout).toContain('lifts that for "production" only');
    expect(destroyed.stdout).toContain('chariot-tls: destroyed environment "production"');
    expect(`${destroyed.stdout}${destroyed.stderr}`).not.toMatch(/prevent_destroy set|cannot be destroyed/);
    expect(fs.existsSync(path.join(dir, 'pki-production'))).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('terraform.production.tfstate'))).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'inventory', 'production', 'pki-inventory.json'))).toBe(false);
    expect(workingDirectories().filter((d) => !before.includes(d) && fs.existsSync(path.join(d, 'stacks', 'chariot-tls', 'cdk.tf.json'))).length).toBe(ENVIRONMENTS.length - 1);
    const again = deploy('staging');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('Certificates: no change.');
    expect(hashes('staging')).toEqual(staging);
  });
});

function other(name: string): string {
  return ENVIRONMENTS.find((n) => n !== name)!;
}
