import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../app/command-line';
import { INSPECT } from '../app/commands/inspect';
import { loadConfig } from '../app/config';
import { OWNER_FILE, claimOutputDirectory, stateIdentity } from '../app/output-owner';

const projects: string[] = [];
afterAll(() => projects.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A project whose output folder holds a root certificate made by openssl; returns the project and its configuration. */
function deployed() {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-owner-'));
  projects.push(project);
  fs.writeFileSync(path.join(project, 'site.json'), JSON.stringify({ engineClients: ['e'], outputDirectory: 'pki' }));
  const config = loadConfig({ CHARIOT_TLS_CONFIG: 'site.json' }, project);
  const ca = path.join(project, 'pki', 'ca');
  fs.mkdirSync(ca, { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(project, 'root.key'), '-out', path.join(ca, 'ca.crt'),
    '-days', '30', '-subj', '/O=Test/CN=Test Root CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], { stdio: 'pipe' });
  return { project, config, dir: path.join(project, 'pki') };
}

async function inspect(project: string, ...argv: string[]): Promise<string> {
  let stdout = '';
  await runCli(['inspect', ...argv], [INSPECT], { stdout: (t) => (stdout += t), stderr: () => {}, env: { CHARIOT_TLS_CONFIG: 'site.json' }, cwd: project, projectDir: project, now: new Date() });
  return stdout;
}

describe('inspect says which PKI the folder holds, from its PKI-OWNER.json', () => {
  test('on its first line: the state and the configuration the folder was deployed from', async () => {
    const { project, config, dir } = deployed();
    claimOutputDirectory(dir, config);
    expect((await inspect(project)).split('\n')[0]).toBe(`chariot-tls inspect: configuration site.json, output pki, PKI of state ${stateIdentity(config)} (configuration ${config.configFile})`);
    expect((await inspect(project, '--dir', dir)).split('\n')[0]).toBe(`chariot-tls inspect: directory ${dir}, PKI of state ${stateIdentity(config)} (configuration ${config.configFile})`);
  });

  test('in --json as owner: state, configuration and root fingerprints; null without an owner file', async () => {
    const { project, config, dir } = deployed();
    expect(JSON.parse(await inspect(project, '--json')).owner).toBeNull();
    claimOutputDirectory(dir, config);
    expect(JSON.parse(await inspect(project, '--json')).owner).toEqual({ state: stateIdentity(config), configFile: config.configFile, rootFingerprints: [] });
  });

  test('a folder without an owner file keeps its first line as it was; a damaged one is said to be unreadable', async () => {
    const { project, dir } = deployed();
    expect((await inspect(project)).split('\n')[0]).toBe('chariot-tls inspect: configuration site.json, output pki');
    fs.writeFileSync(path.join(dir, OWNER_FILE), '{"state": ');
    expect((await inspect(project)).split('\n')[0]).toBe(`chariot-tls inspect: configuration site.json, output pki, ${OWNER_FILE} unreadable (cut short or edited): whose PKI this is is unknown`);
  });
});
