import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliIo, runCli } from '../app/command-line';
import { COMMANDS } from '../app/commands';
import { ConfigError, loadConfig } from '../app/config';
import { chosenSites } from '../app/commands/site-option';
import { run } from './integration/helpers/run';

const PROJECT = path.resolve(__dirname, '..');

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-cli-'));
}

/** Runs the CLI in this process, its output captured; stderr of the constructs' warnings is the process's own. */
async function cli(argv: string[], io: Partial<CliIo> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, COMMANDS, {
    stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd: PROJECT, projectDir: tmpDir(), now: new Date(), ...io,
  });
  return { code, stdout, stderr };
}

/** A project directory with `site.json` as its configuration; output and state stay inside it. */
function project(config: Record<string, unknown>): string {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, 'site.json'), JSON.stringify({ outputDirectory: 'pki', backend: { type: 'local', path: 'state.tfstate' }, ...config }));
  return dir;
}

describe('every command', () => {
  test.each(COMMANDS.map((c) => c.name))('%s --help prints its usage and the common options, exit 0', async (name) => {
    const result = await cli([name, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: npm run ${name} -- \\[options\\]`));
    for (const option of ['--config <file>', '--quiet', '--verbose', '--help']) expect(result.stdout).toContain(option);
  });

  test('an unknown option is refused with exit 1 and a pointer to --help', async () => {
    const result = await cli(['deploy', '--colour']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe("error: unknown option '--colour'\n(add --help for usage)\n");
  });

  test('--quiet and --verbose together are refused', async () => {
    const result = await cli(['synth', '--quiet', '--verbose']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("option '-q, --quiet' cannot be used with option '-v, --verbose'");
  });

  test('npm run deploy -- --help prints the help without building or choosing an engine, exit 0', () => {
    const result = run('npm', ['run', '--silent', 'deploy', '--', '--help'], { cwd: PROJECT, env: { ...process.env, CHARIOT_TLS_ENGINE: '/nonexistent/engine' } });
    expect(result.stdout).toMatch(/^Usage: npm run deploy -- \[options\]/);
    expect(result.stdout).toContain('Exit codes: 0 deployed');
  });
});

describe('synth, the command that needs no engine', () => {
  test('its first line names the configuration, the state and the output directory', async () => {
    const dir = project({ engineClients: ['e'], server: { dnsNames: ['localhost'] } });
    const result = await cli(['synth', '--config', 'site.json', '--output', path.join(dir, 'out')], { cwd: dir, projectDir: dir });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('chariot-tls synth: configuration site.json, state state.tfstate, output pki');
    expect(fs.existsSync(path.join(dir, 'out/stacks/chariot-tls/cdk.tf.json'))).toBe(true);
  });

  test('--config wins over CHARIOT_TLS_CONFIG; the variable alone still works', async () => {
    const dir = project({ engineClients: ['e'] });
    const flag = await cli(['synth', '--config', path.join(dir, 'site.json'), '--output', path.join(dir, 'out')], { env: { CHARIOT_TLS_CONFIG: '/nowhere/x.json' }, projectDir: dir });
    expect(flag.stdout).toMatch(/^chariot-tls synth: configuration site\.json,/);
    const variable = await cli(['synth', '--output', path.join(dir, 'out')], { env: { CHARIOT_TLS_CONFIG: 'site.json' }, projectDir: dir });
    expect(variable.stdout).toMatch(/^chariot-tls synth: configuration site\.json,/);
  });

  test('--quiet prints nothing when all is well', async () => {
    const dir = project({ engineClients: ['e'], server: { dnsNames: ['localhost'] } });
    expect(await cli(['synth', '-q', '-c', 'site.json', '-o', path.join(dir, 'out')], { cwd: dir, projectDir: dir })).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('clients without a server: says so once, and synthesizes', async () => {
    const dir = project({ engineClients: ['e'] });
    const result = await cli(['synth', '-c', 'site.json', '-o', path.join(dir, 'out')], { cwd: dir, projectDir: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('chariot-tls: note: no server certificate: the Server CA is created for servers added later\n');
  });

  test('no server and no clients is refused', async () => {
    const dir = project({});
    await expect(cli(['synth', '-c', 'site.json', '-o', path.join(dir, 'out')], { cwd: dir, projectDir: dir }))
      .rejects.toThrow('server is missing and there are no clients: the hierarchy is empty; set server, servers, engineClients, transmissionClients or sites');
  });

  test("the schema's problems and the constructs' come in one report", async () => {
    const dir = project({ country: 'usa', engineClients: ['../x', 'ok', 'ok'], server: { dnsNames: ['localhost'] } });
    const result = cli(['synth', '-c', 'site.json', '-o', path.join(dir, 'out')], { cwd: dir, projectDir: dir });
    await expect(result).rejects.toThrow(ConfigError);
    const message = String(await result.catch((e: Error) => e.message));
    expect(message.split('\n')).toEqual([
      `${path.join(dir, 'site.json')}: invalid configuration:`,
      '  - country "usa": must be a two-letter ISO 3166 code such as "US"',
      expect.stringMatching(/^ {2}- engineClients\[0\] "\.\.\/x" is not a safe directory name/),
      expect.stringMatching(/^ {2}- engineClients "ok" appears more than once/),
    ]);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  test("a field the schema refuses is not reported again by the constructs", async () => {
    const dir = project({ server: { dnsNames: 'localhost' } });
    const message = String(await cli(['synth', '-c', 'site.json', '-o', path.join(dir, 'out')], { cwd: dir, projectDir: dir }).catch((e: Error) => e.message));
    expect(message).toContain('server.dnsNames "localhost": Expected array, received string');
    expect(message).not.toContain('the hierarchy is empty');
  });
});

describe('deploy and plan --site: the CAs and the named sites only', () => {
  const SITES_CONFIG = { server: { dnsNames: ['localhost'] }, sites: { baltic: { transmissionClients: ['bt-1'] }, 'north-sea': { transmissionClients: ['ns-1'] } } };

  test.each(['deploy', 'plan'])('%s --site with "siteStates": false is refused before anything runs, with the fix', async (command) => {
    const dir = project({ ...SITES_CONFIG, siteStates: false });
    const result = await cli([command, '-q', '-c', 'site.json', '-o', path.join(dir, 'out'), '--site', 'baltic'], { cwd: dir, projectDir: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`chariot-tls: ${command} refused: --site baltic needs each site in its own state; set "siteStates": true in ${path.join(dir, 'site.json')} (docs/operate.md, "Sites in their own state"), or leave out --site. Nothing was changed.\n`);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  test.each(['deploy', 'plan'])('%s --site with an unknown site is refused before anything runs, listing the known sites', async (command) => {
    const dir = project({ ...SITES_CONFIG, siteStates: true });
    const result = await cli([command, '-q', '-c', 'site.json', '-o', path.join(dir, 'out'), '--site', 'baltic', '--site', 'atlantis'], { cwd: dir, projectDir: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`chariot-tls: ${command} refused: no site "atlantis" in the configuration (the sites are baltic, north-sea); give --site one of them. Nothing was changed.\n`);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'pki'))).toBe(false);
  });

  test('--site is repeatable: every name is kept, in the order given, each once', () => {
    const config = loadConfig({ CHARIOT_TLS_CONFIG: 'site.json' }, project({ ...SITES_CONFIG, siteStates: true }));
    expect(chosenSites('deploy', ['north-sea', 'baltic', 'north-sea'], config)).toEqual({ sites: ['north-sea', 'baltic'] });
    expect(chosenSites('deploy', undefined, config)).toEqual({});
  });

  test('--site is in the help of deploy and plan', async () => {
    for (const command of ['deploy', 'plan']) expect((await cli([command, '--help'])).stdout).toContain('--site <name>');
  });
});
