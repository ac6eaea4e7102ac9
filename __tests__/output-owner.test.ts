import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../app/config';
import { deployTargetProblems } from '../app/output-directory';
import { OWNER_FILE, claimOutputDirectory, ownerProblems, readOwner, stateIdentity } from '../app/output-owner';
import { preflight } from '../app/preflight';
import { runCli } from '../app/command-line';
import { COMMANDS } from '../app/commands';

/**
 * Two configurations in different folders that name one absolute output directory: the environment checks, which
 * compare the configurations beside each other, cannot see it; the owner file in the folder does.
 */
function twoFolders(): { shared: string; a: ReturnType<typeof loadConfig>; b: ReturnType<typeof loadConfig> } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-owner-'));
  const shared = path.join(root, 'shared-pki');
  const config = (folder: string) => {
    fs.mkdirSync(path.join(root, folder));
    fs.writeFileSync(path.join(root, folder, 'chariot-tls.json'), JSON.stringify({ engineClients: ['e'], outputDirectory: shared }));
    return loadConfig({ CHARIOT_TLS_CONFIG: 'chariot-tls.json' }, path.join(root, folder));
  };
  return { shared, a: config('team-a'), b: config('team-b') };
}

describe('the output directory owner file', () => {
  test('a first deploy claims the folder for its state; a later claim leaves the owner as it is', () => {
    const { shared, a, b } = twoFolders();
    fs.mkdirSync(shared);
    claimOutputDirectory(shared, a);
    claimOutputDirectory(shared, b);
    expect(readOwner(shared)).toMatchObject({ formatVersion: 1, state: stateIdentity(a), configFile: a.configFile, rootFingerprints: [], files: [] });
    expect(fs.statSync(path.join(shared, OWNER_FILE)).mode & 0o777).toBe(0o644);
  });

  test("its own PKI passes; another configuration's is refused, naming the owner's state and the fix", () => {
    const { shared, a, b } = twoFolders();
    fs.mkdirSync(shared);
    claimOutputDirectory(shared, a);
    expect(ownerProblems(shared, a)).toEqual([]);
    const [problem] = ownerProblems(shared, b);
    expect(problem).toContain(`output directory ${shared} holds another PKI: its ${OWNER_FILE} names the state ${stateIdentity(a)} (configuration ${a.configFile})`);
    expect(problem).toContain(`this configuration's state is ${stateIdentity(b)}`);
    expect(problem).toContain('Give this configuration an "outputDirectory" of its own');
  });

  test('a deploy of another PKI is refused by the preflight, before it writes anything', () => {
    const { shared, a, b } = twoFolders();
    fs.mkdirSync(shared);
    claimOutputDirectory(shared, a);
    const before = fs.readdirSync(shared);
    expect(() => preflight(b, {})).toThrow(/cannot deploy:\n {2}- output directory .* holds another PKI/);
    expect(fs.readdirSync(shared)).toEqual(before);
  });

  test('npm run plan of another PKI is refused as the deploy is, before it synthesizes or runs the engine', async () => {
    const { shared, a, b } = twoFolders();
    fs.mkdirSync(shared);
    claimOutputDirectory(shared, a);
    const before = fs.readdirSync(shared);
    let stderr = '';
    const team = path.dirname(b.configFile!);
    const code = await runCli(['plan', '--config', 'chariot-tls.json', '--output', path.join(team, 'out')], COMMANDS, {
      stdout: () => {}, stderr: (t) => (stderr += t), env: {}, cwd: team, projectDir: team, now: new Date(),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`chariot-tls: cannot plan:\n {2}- output directory ${shared} holds another PKI: its ${OWNER_FILE} names the state ${stateIdentity(a)}`));
    expect(fs.readdirSync(shared)).toEqual(before);
    expect(fs.existsSync(path.join(team, 'out'))).toBe(false);
  });

  test('a folder that holds only the owner file is a PKI of ours, not foreign files', () => {
    const { shared, a } = twoFolders();
    fs.mkdirSync(shared);
    claimOutputDirectory(shared, a);
    expect(deployTargetProblems(shared)).toEqual([]);
  });

  test('an owner file cut short or edited is refused: it cannot say whose the folder is', () => {
    const { shared, a } = twoFolders();
    fs.mkdirSync(shared);
    fs.writeFileSync(path.join(shared, OWNER_FILE), '{"state": ');
    expect(ownerProblems(shared, a)).toEqual([expect.stringMatching(/PKI-OWNER\.json is not a PKI-OWNER\.json written by chariot-tls \(cut short or edited\).*remove the file/)]);
  });

  test('no owner file (a new folder, or one from a release before owner files) stops nothing', () => {
    const { shared, a } = twoFolders();
    expect(ownerProblems(shared, a)).toEqual([]);
    fs.mkdirSync(shared);
    expect(readOwner(shared)).toBeUndefined();
  });
});
