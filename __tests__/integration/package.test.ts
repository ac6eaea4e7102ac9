/**
 * The package as an infrastructure repo gets it: `npm pack`, a copy of examples/infra-repo that installs
 * the tarball (not a path to lib/), `cdktf synth`, and, when the engine is built, a real `cdktf deploy` whose
 * certificate chains openssl verifies; the `chariot-tls` command (review of a CA subject change, inspect,
 * inventory); the path length check with our tls provider (silent) and the stock one (fails, naming each CA); and
 * the newest versions the peer ranges allow.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from './helpers/run';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(15 * 60_000);

const PROJECT = path.resolve(__dirname, '../..');
const EXAMPLE = path.join(PROJECT, 'examples', 'infra-repo');
const ENGINE_DIR = process.env.CHARIOT_TLS_ENGINE_DIR ?? path.join(PROJECT, '.engine');
const ENGINE = path.join(ENGINE_DIR, 'bin', 'tofu');
const STACK = 'plants-pki';
/** No calls home from npm, cdktf or the engine. */
const ENV = { ...process.env, CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1', npm_config_update_notifier: 'false' };

const CAS = ['root-ca', 'server-ca', 'site-a-transmission-ca', 'site-b-ca', 'site-b-transmission-ca'];
const SERVER_NAMES = { 'chariot-a': 'chariot-a.plants.example.com', 'chariot-b': 'chariot-b.plants.example.com' };
const SERVERS = Object.keys(SERVER_NAMES);
const CLIENTS = ['site-a/edge-1', 'site-a/edge-2', 'site-a/edge-3', 'site-b/edge-1', 'site-b/edge-2'];
const clientDir = (client: string) => client.replace('/', '/transmission/');

interface Resource {
  readonly '//': { readonly metadata: { readonly path: string } };
  readonly [field: string]: unknown;
}
type TerraformJson = { resource: Record<string, Record<string, Resource>>; terraform: Record<string, any> };

let work: string;
let repo: string;
let packedFiles: string[];
let stack: TerraformJson;
let stackDir: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-package-'));
  // As the package is published: `npm run package` builds dist/ and packs a staged copy; --json keeps the list of files on stdout.
  const [packed] = JSON.parse(run('npm', ['run', '--silent', 'package', '--', '--json', '--pack-destination', work], { cwd: PROJECT, env: ENV }).stdout);
  packedFiles = packed.files.map((f: { path: string }) => f.path).sort();

  repo = path.join(work, 'infra-repo');
  fs.cpSync(EXAMPLE, repo, { recursive: true, filter: (src) => !/[/\\](node_modules|cdktf\.out|pki)$/.test(src) });
  // The example's own pinned dependencies come from the registry (the npm cache, mostly); chariot-tls from the tarball.
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(work, packed.filename)], { cwd: repo, env: ENV });
  run('npx', ['--no-install', 'cdktf', 'synth'], { cwd: repo, env: ENV });
  stackDir = path.join(repo, 'cdktf.out', 'stacks', STACK);
  stack = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
});

afterAll(() => {
  if (work && !process.env.CHARIOT_TLS_KEEP_TEST_DIRS) fs.rmSync(work, { recursive: true, force: true });
});

/** The resource of `type` at construct path `STACK/constructPath`: its Terraform name and body. */
function resource(type: string, constructPath: string): { name: string; body: Resource } {
  const found = Object.entries(stack.resource[type] ?? {}).find(([, body]) => body['//'].metadata.path === `${STACK}/${constructPath}`);
  if (!found) throw new Error(`no ${type} at ${STACK}/${constructPath}`);
  return { name: found[0], body: found[1] };
}

/** The certificate resource of a CA: the root is self-signed, the others are signed by their issuer. */
function caCert(ca: string): { address: string; body: Resource } {
  const type = ca === 'root-ca' ? 'tls_self_signed_cert' : 'tls_locally_signed_cert';
  const { name, body } = resource(type, `${ca}/cert`);
  return { address: `${type}.${name}`, body };
}

/** The one dependency the package bundles (jsii takes no other kind): the public suffix list behind the wildcard check. */
const BUNDLED = /^node_modules\/tldts(-core)?\//;

describe('the tarball', () => {
  test('holds the built library, its docs and nothing else', () => {
    const docs = ['API.md', 'CHANGELOG.md', 'LICENSE', 'README.md', 'docs/package.md', 'package.json'];
    const outside = packedFiles.filter((f) => !docs.includes(f) && !/^dist\/.+\.(js|d\.ts)$/.test(f) && !BUNDLED.test(f));
    expect(outside).toEqual([]);
    expect(packedFiles).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'API.md', 'CHANGELOG.md', 'package.json']));
  });

  test('its README, the page npm shows, is the package\'s: it starts with the construct API, not the ready app', () => {
    const readme = fs.readFileSync(path.join(repo, 'node_modules', 'chariot-tls', 'README.md'), 'utf8');
    expect(readme).toBe(fs.readFileSync(path.join(PROJECT, 'lib', 'README.md'), 'utf8'));
    expect(readme.indexOf("from 'chariot-tls'")).toBeLessThan(readme.indexOf('ready app'));
  });

  test('a plain `npm pack` of the repository is refused, naming the command that packs the package', () => {
    const result = spawnSync('npm', ['pack', '--dry-run'], { cwd: PROJECT, env: ENV, encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('npm run package');
  });

  test('ships no tests, app, scripts, state, keys or engine', () => {
    const forbidden = /(^|\/)(__tests__|scripts|tools|examples|pki|cdktf\.out|\.engine|node_modules)\/|^app\/|\.test\.|\.tfstate|^main\.|^lib\/.*\.ts$/;
    expect(packedFiles.filter((f) => forbidden.test(f) && !BUNDLED.test(f))).toEqual([]);
  });

  test('ships the CLI with only the app modules it reuses (plan review, inspect), not the deploy', () => {
    expect(packedFiles.filter((f) => f.startsWith('dist/bin/'))).toEqual([
      'dist/bin/app/ca-refusals.js', 'dist/bin/app/certificate-change.js', 'dist/bin/app/crl.js', 'dist/bin/app/incomplete-marker.js',
      'dist/bin/app/inspect-chain.js', 'dist/bin/app/inspect-columns.js', 'dist/bin/app/inspect-connect.js', 'dist/bin/app/inspect-crl-table.js',
      'dist/bin/app/inspect-crls.js', 'dist/bin/app/inspect-directory.js', 'dist/bin/app/inspect-files.js', 'dist/bin/app/inspect-names.js',
      'dist/bin/app/inspect-report.js', 'dist/bin/app/inspect-served-report.js', 'dist/bin/app/inspect-served.js', 'dist/bin/app/inspect-sites.js',
      'dist/bin/app/inspect.js', 'dist/bin/app/owner-file.js', 'dist/bin/app/plan-facts.js', 'dist/bin/app/plan-review.js',
      'dist/bin/app/plan-summary.js',
      'dist/bin/cli/chariot-tls.js', 'dist/bin/cli/inventory.js', 'dist/bin/cli/review.js',
    ]);
  });

  test('npx chariot-tls runs from the installed package: --help lists review, inspect and inventory', () => {
    const help = chariotTls(repo, '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/review \[options\] \[plan\.json\][\s\S]*inspect \[options\] <dir>[\s\S]*inventory/);
  });

  test('installs with the consumer\'s cdktf, constructs and providers (peers), not copies of its own', () => {
    const installed = path.join(repo, 'node_modules', 'chariot-tls');
    expect(fs.existsSync(path.join(installed, 'dist', 'index.js'))).toBe(true);
    expect(fs.readdirSync(path.join(installed, 'node_modules')).filter((f) => f !== '.bin').sort()).toEqual(['tldts', 'tldts-core']);
  });

  test('lists tldts, pinned, among its dependencies and bundles it: the wildcard check needs no install of its own', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'node_modules', 'chariot-tls', 'package.json'), 'utf8'));
    const own = JSON.parse(fs.readFileSync(path.join(PROJECT, 'package.json'), 'utf8'));
    expect(manifest.dependencies.tldts).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.dependencies.tldts).toBe(own.dependencies.tldts);
    expect(manifest.bundleDependencies).toEqual(['tldts']);
    expect(packedFiles).toContain('node_modules/tldts/package.json');
  });

  test('type-checks in the consumer\'s project from the shipped declarations', () => {
    expect(run('npx', ['--no-install', 'tsc', '--noEmit', '-p', '.'], { cwd: repo, env: ENV, allowFailure: true })).toMatchObject({ status: 0 });
  });
});

describe('the example synthesized from the installed package', () => {
  test('declares every key, request, certificate and file of the hierarchy', () => {
    const counts = Object.fromEntries(Object.entries(stack.resource).map(([type, resources]) => [type, Object.keys(resources).length]));
    const leaves = SERVERS.length + CLIENTS.length;
    expect(counts).toEqual({
      tls_private_key: CAS.length + leaves,
      tls_self_signed_cert: 1,
      tls_cert_request: CAS.length - 1 + leaves,
      tls_locally_signed_cert: CAS.length - 1 + leaves,
      // CA certificates; per server cert, ca-chain, fullchain, client-ca; per client ca.pem and cert.pem
      local_file: CAS.length + 4 * SERVERS.length + 2 * CLIENTS.length,
      // per server server.key and server.pkcs8.key; per client private.key
      local_sensitive_file: 2 * SERVERS.length + CLIENTS.length,
    });
  });

  test('chains the second site: client → Site B Transmission CA → Site B CA → root', () => {
    const chain = ['site-b-transmission-ca', 'site-b-ca', 'root-ca'];
    for (const client of ['site-b/edge-1', 'site-b/edge-2']) {
      expect(resource('tls_locally_signed_cert', `${client}/cert`).body.ca_cert_pem).toBe(`\${${caCert(chain[0]).address}.cert_pem}`);
    }
    expect(caCert('site-b-transmission-ca').body.ca_cert_pem).toBe(`\${${caCert('site-b-ca').address}.cert_pem}`);
    expect(caCert('site-b-ca').body.ca_cert_pem).toBe(`\${${caCert('root-ca').address}.cert_pem}`);
    expect(caCert('site-b-ca').body.ca_private_key_pem_wo).toBe(`\${tls_private_key.${resource('tls_private_key', 'root-ca/key').name}.private_key_pem}`);
  });

  test('limits each CA\'s path length so the second site\'s CA may sign one CA and no more', () => {
    const pathLengths = Object.fromEntries(CAS.map((ca) => [ca, caCert(ca).body.max_path_length]));
    expect(pathLengths).toEqual({ 'root-ca': 2, 'server-ca': 0, 'site-a-transmission-ca': 0, 'site-b-ca': 1, 'site-b-transmission-ca': 0 });
  });

  test('both servers share the Server CA and trust the Transmission CAs of both sites', () => {
    for (const server of SERVERS) {
      expect(resource('tls_locally_signed_cert', `${server}/cert`).body.ca_cert_pem).toBe(`\${${caCert('server-ca').address}.cert_pem}`);
      const clientCa = String(resource('local_file', `${server}/client-ca-file`).body.content);
      for (const ca of ['site-a-transmission-ca', 'site-b-transmission-ca', 'site-b-ca', 'root-ca']) expect(clientCa).toContain(caCert(ca).address);
    }
  });

  test('writes the files under the repo\'s pki/, keys as sensitive files', () => {
    const files = (type: string) => Object.values(stack.resource[type]).map((r) => path.relative(path.join(repo, 'pki'), String(r.filename))).sort();
    expect(files('local_file')).toEqual([
      ...CAS.map((ca) => `ca/${ca}.crt`),
      ...SERVERS.flatMap((s) => ['ca-chain.pem', 'client-ca.pem', 'fullchain.pem', 'server.crt'].map((f) => `servers/${s}/${f}`)),
      ...CLIENTS.flatMap((c) => ['ca.pem', 'cert.pem'].map((f) => `${clientDir(c)}/${f}`)),
    ].sort());
    expect(files('local_sensitive_file')).toEqual([
      ...SERVERS.flatMap((s) => [`servers/${s}/server.key`, `servers/${s}/server.pkcs8.key`]),
      ...CLIENTS.map((c) => `${clientDir(c)}/private.key`),
    ].sort());
  });

  test('names every resource by the construct ids docs/package.md promises (its Terraform address)', () => {
    const paths = Object.values(stack.resource).flatMap((resources) => Object.values(resources).map((r) => r['//'].metadata.path.slice(STACK.length + 1)));
    const children = (scope: string, ids: string[]) => ids.map((id) => `${scope}/${id}`);
    expect(paths.sort()).toEqual([
      ...children('root-ca', ['key', 'cert', 'cert-file']),
      ...CAS.slice(1).flatMap((ca) => children(ca, ['key', 'csr', 'cert', 'cert-file'])),
      ...SERVERS.flatMap((s) => children(s, ['key', 'csr', 'cert', 'key-file', 'pkcs8-key-file', 'cert-file', 'ca-chain-file', 'fullchain-file', 'client-ca-file'])),
      ...CLIENTS.flatMap((c) => children(c, ['key', 'csr', 'cert', 'ca-file', 'cert-file', 'key-file'])),
    ].sort());
  });

  test('pins the provider versions the library needs', () => {
    expect(stack.terraform.required_providers).toEqual({
      tls: { source: 'hashicorp/tls', version: '>= 4.2.0, < 5.0.0' },
      local: { source: 'hashicorp/local', version: '>= 2.5.0, < 3.0.0' },
    });
  });
});

const engineBuilt = fs.existsSync(ENGINE);
if (!engineBuilt) {
  console.warn(`package test: SKIPPING the deploy of the example: the engine ${ENGINE} does not exist (build it with \`npm run engine\`)`);
}

/** Which tls provider a `cdktf deploy` gets: ours (patched for pathlen:0) or the stock one (scripts/engine/build.sh --stock-tls). */
type Provider = 'patched' | 'stock';

/**
 * Runs the real cdktf CLI in `dir` with the engine's environment (scripts/engine/env.sh), as a consumer's pipeline
 * would with its own CLI config: for `stock`, one that installs the unpatched tls provider.
 */
function cdktf(dir: string, provider: Provider, ...args: string[]) {
  const stock = path.join(ENGINE_DIR, 'stock-tls');
  const useStock = provider === 'stock'
    ? `export TF_CLI_CONFIG_FILE="$1/tofurc" TF_PLUGIN_CACHE_DIR="$1/plugin-cache" TF_CLI_ARGS_providers_lock="-fs-mirror=\\"$1/mirror\\""; `
    : '';
  const script = `eval "$("$0")" && ${useStock}shift && exec npx --no-install cdktf "$@"`;
  return run('bash', ['-c', script, path.join(PROJECT, 'scripts', 'engine', 'env.sh'), stock, ...args], {
    cwd: dir,
    env: { ...ENV, CI: '1', FORCE_COLOR: '0' },
    allowFailure: true,
  });
}

/** `npx chariot-tls ARGS` in `dir`: the CLI of the installed package. */
function chariotTls(dir: string, ...args: string[]) {
  return run('npx', ['--no-install', 'chariot-tls', ...args], { cwd: dir, env: ENV, allowFailure: true });
}

/** The engine in the example's stack directory, with our provider mirror. */
function tofu(...args: string[]) {
  return run(ENGINE, [...args, ...(args[0] === 'show' ? [] : ['-input=false']), '-no-color'], { cwd: stackDir, env: { ...ENV, TF_CLI_CONFIG_FILE: path.join(ENGINE_DIR, 'tofurc') }, allowFailure: true });
}

/** The engine's output without colours and without the box and wrapping around its messages. */
function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '').replace(/[│╷╵]/g, ' ').replace(/\s+/g, ' ');
}

(engineBuilt ? describe : describe.skip)('the example deployed with plain `cdktf deploy`', () => {
  const pki = (file: string) => path.join(repo, 'pki', file);
  let deployed: ReturnType<typeof cdktf>;

  beforeAll(() => {
    deployed = cdktf(repo, 'patched', 'deploy', STACK, '--auto-approve');
    if (deployed.status !== 0) throw new Error(`cdktf deploy failed:\n${deployed.stdout}\n${deployed.stderr}`);
  });

  test('with our tls provider, the path length checks pass and say nothing', () => {
    expect(plain(deployed.stdout + deployed.stderr)).not.toMatch(/postcondition|path length check|pathlen/i);
  });

  test('each server certificate verifies up to the root through its ca-chain.pem', () => {
    for (const server of SERVERS) {
      const result = opensslVerify('sslserver', pki('ca/root-ca.crt'), pki(`servers/${server}/server.crt`), pki(`servers/${server}/ca-chain.pem`));
      expect([server, result.status, result.stderr]).toEqual([server, 0, '']);
    }
  });

  test('every client, of either site, verifies against each server\'s client-ca.pem', () => {
    for (const server of SERVERS) {
      for (const client of CLIENTS) {
        const result = opensslVerify('sslclient', pki(`servers/${server}/client-ca.pem`), pki(`${clientDir(client)}/cert.pem`));
        expect([server, client, result.status, result.stderr]).toEqual([server, client, 0, '']);
      }
    }
  });

  test('every client\'s ca.pem verifies both servers', () => {
    for (const client of CLIENTS) {
      for (const server of SERVERS) {
        const result = opensslVerify('sslserver', pki(`${clientDir(client)}/ca.pem`), pki(`servers/${server}/server.crt`));
        expect([client, server, result.status, result.stderr]).toEqual([client, server, 0, '']);
      }
    }
  });

  test('a second-site client chains through both Site B CAs to the root, path lengths as declared', () => {
    const untrusted = path.join(work, 'site-b-chain.pem');
    fs.writeFileSync(untrusted, fs.readFileSync(pki('ca/site-b-transmission-ca.crt'), 'utf8') + fs.readFileSync(pki('ca/site-b-ca.crt'), 'utf8'));
    const result = opensslVerify('sslclient', pki('ca/root-ca.crt'), pki('site-b/transmission/edge-1/cert.pem'), untrusted);
    expect(result.status).toBe(0);
    const chain = [...result.stdout.matchAll(/^depth=\d+: .*CN = ([^,(]+?)(?: \(untrusted\))?$/gm)].map((m) => m[1]);
    expect(chain).toEqual(['site-b edge-1', 'Acme Plants Site B Transmission CA', 'Acme Plants Site B CA', 'Acme Plants Root CA']);
    const basicConstraints = (ca: string) => run('openssl', ['x509', '-noout', '-ext', 'basicConstraints', '-in', pki(`ca/${ca}.crt`)]).stdout;
    expect(basicConstraints('root-ca')).toContain('CA:TRUE, pathlen:2');
    expect(basicConstraints('site-b-ca')).toContain('CA:TRUE, pathlen:1');
    expect(basicConstraints('site-b-transmission-ca')).toContain('CA:TRUE, pathlen:0');
  });

  test('a second plan has nothing to change (the checks read the certificates again, and pass)', () => {
    const plan = tofu('plan', '-detailed-exitcode');
    expect([plan.status, plan.stderr]).toEqual([0, '']);
  });

  test('chariot-tls inspect DIR lists every certificate with its expiry, and --warn-days sets the exit code', () => {
    // Its root is ca/root-ca.crt, not ChariotPki's ca/ca.crt: without --root no chain can be checked (exit 4).
    expect(chariotTls(repo, 'inspect', 'pki', '--json').status).toBe(4);
    const listed = chariotTls(repo, 'inspect', 'pki', '--json', '--root', 'ca/root-ca.crt');
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout).chainFailures).toEqual([]);
    const subjects = new Set<string>(JSON.parse(listed.stdout).certificates.map((c: any) => c.subjectCommonName));
    expect(subjects).toEqual(new Set(['Acme Plants Root CA', 'Acme Plants Server CA', 'Acme Plants Site A Transmission CA', 'Acme Plants Site B CA',
      'Acme Plants Site B Transmission CA', ...Object.values(SERVER_NAMES), ...CLIENTS.map((c) => c.replace('/', ' '))]));
    expect(chariotTls(repo, 'inspect', 'pki', '--root', 'ca/root-ca.crt', '--warn-days', '30')).toMatchObject({ status: 0, stdout: expect.stringContaining(`chariot-tls inspect: directory ${path.join(repo, 'pki')}`) });
    // Leaves live two years: all of them expire within 1000 days.
    const warned = chariotTls(repo, 'inspect', 'pki', '--root', 'ca/root-ca.crt', '--warn-days', '1000');
    expect(warned.status).toBe(2);
    expect(warned.stderr).toMatch(/CN=chariot-a\.plants\.example\.com.* expires .* within 1000 days: .*servers\/chariot-a\/server\.crt/);
  });

  test('chariot-tls inventory says what it read and lists each CA with its path length', () => {
    const inventory = chariotTls(repo, 'inventory');
    expect(inventory.status).toBe(0);
    expect(inventory.stdout).toContain(`chariot-tls inventory: ${path.join(stackDir, 'cdk.tf.json')} (12 certificates)`);
    expect(inventory.stdout).toContain('- **CN=Acme Plants Root CA, OU=CA, O=Acme Plants, C=US**: root CA (`root-ca`)');
    expect(inventory.stdout).toContain('    - **CN=Acme Plants Site B Transmission CA, OU=CA, O=Acme Plants, C=US**: intermediate CA (`site-b-transmission-ca`)');
    const json = JSON.parse(chariotTls(repo, 'inventory', '--json').stdout);
    const pathLengths = Object.fromEntries(json.stacks[0].certificates.filter((c: any) => c.maxPathLength !== undefined).map((c: any) => [c.construct, c.maxPathLength]));
    expect(pathLengths).toEqual({ 'root-ca': 2, 'server-ca': 0, 'site-a-transmission-ca': 0, 'site-b-ca': 1, 'site-b-transmission-ca': 0 });
  });

  test('chariot-tls review refuses a saved plan that changes a CA subject in the example, as our deploy does', () => {
    const main = path.join(repo, 'main.ts');
    const original = fs.readFileSync(main, 'utf8');
    try {
      fs.writeFileSync(main, original.replace("subject('Acme Plants Server CA', 'CA')", "subject('Acme Plants Server CA 2', 'CA')"));
      run('npx', ['--no-install', 'cdktf', 'synth'], { cwd: repo, env: ENV });
      expect(tofu('plan', '-out=ca-change.plan').status).toBe(0);
      const shown = tofu('show', '-json', 'ca-change.plan');
      fs.writeFileSync(path.join(work, 'ca-change.json'), shown.stdout);
      const synth = path.join(stackDir, 'cdk.tf.json');
      const fromFile = chariotTls(repo, 'review', path.join(work, 'ca-change.json'), '--synth', synth);
      const fromStdin = run('bash', ['-c', 'exec npx --no-install chariot-tls review --synth "$1" < "$2"', 'review', synth, path.join(work, 'ca-change.json')], { cwd: repo, env: ENV, allowFailure: true });
      for (const review of [fromFile, fromStdin]) {
        expect(review.status).toBe(1);
        expect(review.stdout).toMatch(/^chariot-tls review: plan from .* \(\d+ resource changes\), construct paths from .*cdk\.tf\.json\n!!! CA CHANGE: server-ca replaced/);
        expect(review.stderr).toContain('chariot-tls: refused: this plan would give a CA a new identity (a new key or subject), not renew it:');
        expect(review.stderr).toContain('  - CA server-ca (server-ca): subject changes: CN=Acme Plants Server CA, OU=CA, O=Acme Plants, C=US → CN=Acme Plants Server CA 2, OU=CA, O=Acme Plants, C=US');
        expect(review.stderr).toContain('Nothing was changed.');
      }
      expect(fromFile.stdout).toContain(path.join(work, 'ca-change.json'));
      expect(fromStdin.stdout).toContain('plan from standard input');
      // Allowed by name, as the deploy allows it: exit 0, nothing refused.
      const allowed = run('npx', ['--no-install', 'chariot-tls', 'review', path.join(work, 'ca-change.json')], { cwd: repo, env: { ...ENV, CHARIOT_TLS_ALLOW_CA_CHANGE: 'server-ca' }, allowFailure: true });
      expect([allowed.status, allowed.stderr]).toEqual([0, '']);
    } finally {
      fs.writeFileSync(main, original);
      run('npx', ['--no-install', 'cdktf', 'synth'], { cwd: repo, env: ENV });
      fs.rmSync(path.join(stackDir, 'ca-change.plan'), { force: true });
    }
  });
});

(engineBuilt ? describe : describe.skip)('the example deployed with plain `cdktf deploy` and the stock tls provider', () => {
  let stockRepo: string;
  let deployed: ReturnType<typeof cdktf>;

  beforeAll(() => {
    run('bash', [path.join(PROJECT, 'scripts', 'engine', 'build.sh'), '--quiet', '--stock-tls'], { env: ENV });
    // A second copy of the repo (own cdktf.out, state and pki/), sharing the installed packages.
    stockRepo = path.join(work, 'infra-repo-stock');
    fs.cpSync(repo, stockRepo, { recursive: true, filter: (src) => !/[/\\](node_modules|cdktf\.out|pki|terraform\.[^/\\]*\.tfstate[^/\\]*)$/.test(src) });
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(stockRepo, 'node_modules'));
    deployed = cdktf(stockRepo, 'stock', 'deploy', STACK, '--auto-approve');
  });

  test('fails the deploy', () => {
    expect(deployed.status).not.toBe(0);
  });

  test('names each CA that asked for path length 0, why, and both fixes; the CAs with 1 and 2 pass', () => {
    const output = plain(deployed.stdout + deployed.stderr);
    const failed = [...output.matchAll(/chariot-tls: CA plants-pki\/([\w-]+) asked for path length (\d+) \(maxPathLength\), but the certificate the tls provider issued has no path length limit/g)];
    expect(failed.map((m) => `${m[1]} ${m[2]}`).sort()).toEqual(['server-ca 0', 'site-a-transmission-ca 0', 'site-b-transmission-ca 0']);
    expect(output).toContain('hashicorp/tls provider bug that drops pathlen:0');
    expect(output).toContain('built with the one-line fix (docs/package.md, "The path length check")');
    expect(output).toMatch(/-replace=tls_locally_signed_cert\.server-ca_cert_[0-9A-F]{8}/);
    expect(output).toContain('set maxPathLength: undefined on this CA to accept no limit knowingly');
  });

  test('which is so: the stock provider issued the Server CA with no path length (its certificate, from state)', () => {
    const state = JSON.parse(fs.readFileSync(path.join(stockRepo, `terraform.${STACK}.tfstate`), 'utf8'));
    const serverCa = state.resources.find((r: any) => r.type === 'tls_locally_signed_cert' && r.name.startsWith('server-ca_cert_'));
    const basicConstraints = run('openssl', ['x509', '-noout', '-ext', 'basicConstraints'], { input: serverCa.instances[0].attributes.cert_pem }).stdout;
    expect(basicConstraints).toMatch(/CA:TRUE\s*$/);
  });
});

/**
 * The peer ranges, at both ends: the example pins the oldest versions each range allows (what everything above ran
 * on); one more install takes the newest the registry serves within each range, and the stack must synthesize the same.
 */
describe('the newest cdktf, constructs and provider bindings the peer ranges allow', () => {
  const PEERS = ['cdktf', 'constructs', '@cdktf/provider-tls', '@cdktf/provider-local'];
  const installedVersion = (name: string) => JSON.parse(fs.readFileSync(path.join(repo, 'node_modules', name, 'package.json'), 'utf8')).version;
  let oldest: Record<string, string>;
  let newest: Record<string, string>;

  beforeAll(() => {
    const ranges: Record<string, string> = JSON.parse(fs.readFileSync(path.join(PROJECT, 'package.json'), 'utf8')).peerDependencies;
    oldest = Object.fromEntries(PEERS.map((name) => [name, installedVersion(name)]));
    run('npm', ['install', '--no-save', '--prefer-online', '--no-audit', '--no-fund', ...PEERS.map((name) => `${name}@${ranges[name]}`)], { cwd: repo, env: ENV });
    newest = Object.fromEntries(PEERS.map((name) => [name, installedVersion(name)]));
    run('npx', ['--no-install', 'cdktf', 'synth'], { cwd: repo, env: ENV });
  });

  test('the oldest are the versions the package lists as the lower end of its ranges', () => {
    const ranges: Record<string, string> = JSON.parse(fs.readFileSync(path.join(PROJECT, 'package.json'), 'utf8')).peerDependencies;
    expect(Object.fromEntries(PEERS.map((name) => [name, `^${oldest[name]}`]))).toEqual(Object.fromEntries(PEERS.map((name) => [name, ranges[name]])));
  });

  test('synthesize the same stack as the oldest, and type-check', () => {
    console.log(`package test: peers oldest ${JSON.stringify(oldest)}, newest ${JSON.stringify(newest)}`);
    const again = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    const withoutVersions = (json: any) => JSON.parse(JSON.stringify(json, (key, value) => (key === 'metadata' ? undefined : value)));
    expect(withoutVersions(again)).toEqual(withoutVersions(stack));
    expect(run('npx', ['--no-install', 'tsc', '--noEmit', '-p', '.'], { cwd: repo, env: ENV, allowFailure: true })).toMatchObject({ status: 0 });
  });
});
