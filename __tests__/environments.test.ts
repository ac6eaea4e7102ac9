import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../app/config';
import { EnvironmentError, checkEnvironment, workingDirectory } from '../app/environments';

/** A project folder with `environments/NAME.json` for each configuration given. */
function project(environments: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-envs-'));
  fs.mkdirSync(path.join(dir, 'environments'));
  for (const [name, config] of Object.entries(environments)) fs.writeFileSync(path.join(dir, 'environments', `${name}.json`), JSON.stringify(config));
  return dir;
}

const own = (name: string, extra: Record<string, unknown> = {}) => ({
  engineClients: ['e'], outputDirectory: `pki-${name}`, inventoryDirectory: name, backend: { type: 'local', path: `${name}.tfstate` }, ...extra,
});
const load = (dir: string, name: string) => loadConfig({ CHARIOT_TLS_CONFIG: `environments/${name}.json` }, dir);

describe('environments', () => {
  test('the default configuration keeps cdktf.out; any other gets cdktf.out/env/ and its place in the project', () => {
    const dir = project({ staging: own('staging') });
    expect(workingDirectory(loadConfig({}, dir), dir, 'cdktf.out')).toBe(path.join(dir, 'cdktf.out'));
    expect(workingDirectory(load(dir, 'staging'), dir, 'cdktf.out')).toBe(path.join(dir, 'cdktf.out', 'env', 'environments', 'staging'));
  });

  test('environments with their own state, output and inventory pass; other JSON beside them is no environment', () => {
    const dir = project({ staging: own('staging'), production: own('production') });
    fs.writeFileSync(path.join(dir, 'environments', 'notes.json'), '{"title": "not a configuration"}');
    expect(() => checkEnvironment(load(dir, 'production'), dir)).not.toThrow();
  });

  test('the inventory beside a configuration is no environment; a configuration with a $schema field still is one', () => {
    const dir = project({ production: own('production') });
    fs.writeFileSync(path.join(dir, 'environments', 'pki-inventory.json'), JSON.stringify({ formatVersion: 1, outputDirectory: 'pki-production', certificates: [], sites: [] }));
    expect(() => checkEnvironment(load(dir, 'production'), dir)).not.toThrow();
    fs.writeFileSync(path.join(dir, 'environments', 'staging.json'), JSON.stringify({ $schema: 'chariot-tls.schema.json', ...own('staging', { outputDirectory: 'pki-production' }) }));
    expect(() => checkEnvironment(load(dir, 'production'), dir)).toThrow(/its outputDirectory .*pki-production is the output directory of environments\/staging\.json/);
  });

  test('a shared PostgreSQL schema is refused, naming the other environment and the fix', () => {
    const pg = { backend: { type: 'pg', schemaName: 'pki' } };
    const dir = project({ staging: own('staging', pg), production: own('production', pg) });
    expect(() => checkEnvironment(load(dir, 'production'), dir)).toThrow(EnvironmentError);
    expect(() => checkEnvironment(load(dir, 'production'), dir)).toThrow(
      /its state \(PostgreSQL schema pki\) is the state of environments\/staging\.json; give it a state of its own: backend\.path "terraform\.production\.tfstate", or its own backend\.schemaName/,
    );
  });

  test('a shared inventory directory is refused', () => {
    const dir = project({ staging: own('staging'), production: own('production', { inventoryDirectory: 'staging' }) });
    expect(() => checkEnvironment(load(dir, 'production'), dir)).toThrow(/its inventoryDirectory environments\/staging is the inventory directory of environments\/staging\.json/);
  });

  test('the default environment counts once it has state: a second configuration may not take its output', () => {
    const dir = project({});
    fs.writeFileSync(path.join(dir, 'environments', 'staging.json'), JSON.stringify(own('staging', { outputDirectory: path.join(dir, 'pki') })));
    expect(() => checkEnvironment(load(dir, 'staging'), dir)).not.toThrow();
    fs.writeFileSync(path.join(dir, 'terraform.chariot-tls.tfstate'), '');
    expect(() => checkEnvironment(load(dir, 'staging'), dir)).toThrow(/its outputDirectory pki is the output directory of the default environment \(chariot-tls\.json\)/);
  });
});
