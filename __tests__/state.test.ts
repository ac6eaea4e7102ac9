import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import { AppConfig, loadConfig, parseConfig } from '../app/config';
import { INCOMPLETE_MARKER, PreflightError, preflight } from '../app/preflight';
import { ChariotTlsStack, STATE_PASSPHRASE_VARIABLE } from '../app/stack';
import { run } from './integration/helpers/run';

const PROJECT = path.resolve(__dirname, '..');
const PASSPHRASE = 'correct horse battery staple';

/** Loads `json` as the configuration file `site.json` of a fresh directory. */
function configOf(json: Record<string, unknown>): AppConfig {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-state-'));
  const file = path.join(dir, 'site.json');
  fs.writeFileSync(file, JSON.stringify({ engineClients: ['e'], ...json }));
  return loadConfig({ CHARIOT_TLS_CONFIG: file });
}

function synth(config: AppConfig): Record<string, any> {
  return JSON.parse(Testing.synth(new ChariotTlsStack(Testing.app(), 'chariot-tls', config)));
}

describe('backend', () => {
  test('pg: state in PostgreSQL, the schema defaulting to terraform_remote_state, the connection string from PG_CONN_STR', () => {
    const config = configOf({ backend: { type: 'pg' } });
    expect(config.backend).toEqual({ type: 'pg', connectionString: undefined, schemaName: 'terraform_remote_state' });
    expect(synth(config).terraform.backend).toEqual({ pg: { schema_name: 'terraform_remote_state' } });
  });

  test('pg: a connection string and schema from the file', () => {
    const config = configOf({ backend: { type: 'pg', connectionString: 'postgres://pki@db.example.com/pki', schemaName: 'chariot_tls' } });
    expect(synth(config).terraform.backend).toEqual({ pg: { conn_str: 'postgres://pki@db.example.com/pki', schema_name: 'chariot_tls' } });
  });

  test.each([
    'postgres://pki:s3cret@db.example.com/pki',
    'postgresql://pki:@db/pki',
    'host=db user=pki password=s3cret dbname=pki',
    'postgres://pki@db/pki?sslmode=require&password=s3cret',
  ])('pg: refuses a connection string with a password in the file: %s', (connectionString) => {
    expect(() => parseConfig({ backend: { type: 'pg', connectionString } }, 'site.json')).toThrow(
      /backend\.connectionString ".*": holds a password; keep it out of the file: set PG_CONN_STR instead, or use PGPASSWORD or ~\/\.pgpass/,
    );
  });

  test('refuses a backend type other than local and pg, naming both', () => {
    expect(() => parseConfig({ backend: { type: 's3' } }, 'site.json')).toThrow(/backend\.type "s3": Invalid discriminator value\. Expected 'local' \| 'pg'/);
  });

  test('refuses a schema name PostgreSQL would need quoted', () => {
    expect(() => parseConfig({ backend: { type: 'pg', schemaName: 'Chariot-TLS' } }, 'site.json')).toThrow(/backend\.schemaName "Chariot-TLS": must be a PostgreSQL name/);
  });
});

describe('state encryption', () => {
  test('is off by default: no encryption block, no passphrase variable', () => {
    const config = configOf({});
    expect(config.stateEncryption).toEqual({ enabled: false, migrateFromUnencrypted: false });
    const json = synth(config);
    expect(json.terraform.encryption).toBeUndefined();
    expect(json.variable).toBeUndefined();
  });

  test('when enabled: AES-GCM state and plans, PBKDF2 key from an ephemeral sensitive variable, enforced', () => {
    const json = synth(configOf({ stateEncryption: { enabled: true } }));
    expect(json.terraform.encryption).toEqual({
      key_provider: { pbkdf2: { chariot_tls: { passphrase: `\${var.${STATE_PASSPHRASE_VARIABLE}}` } } },
      method: { aes_gcm: { chariot_tls: { keys: '${key_provider.pbkdf2.chariot_tls}' } } },
      state: { method: 'method.aes_gcm.chariot_tls', enforced: true },
      plan: { method: 'method.aes_gcm.chariot_tls', enforced: true },
    });
    expect(json.variable[STATE_PASSPHRASE_VARIABLE]).toMatchObject({ type: 'string', sensitive: true, ephemeral: true, nullable: false });
  });

  test('migrating: plain state and plans may still be read, so not enforced; writes are encrypted', () => {
    const json = synth(configOf({ stateEncryption: { enabled: true, migrateFromUnencrypted: true } }));
    const target = { method: 'method.aes_gcm.chariot_tls', enforced: false, fallback: { method: 'method.unencrypted.migrate' } };
    expect(json.terraform.encryption).toMatchObject({ method: { unencrypted: { migrate: {} } }, state: target, plan: target });
  });

  test('the passphrase never reaches the synthesized JSON', () => {
    const before = process.env.CHARIOT_TLS_STATE_PASSPHRASE;
    process.env.CHARIOT_TLS_STATE_PASSPHRASE = PASSPHRASE;
    try {
      expect(Testing.synth(new ChariotTlsStack(Testing.app(), 'chariot-tls', configOf({ stateEncryption: { enabled: true } })))).not.toContain(PASSPHRASE);
    } finally {
      if (before === undefined) delete process.env.CHARIOT_TLS_STATE_PASSPHRASE;
      else process.env.CHARIOT_TLS_STATE_PASSPHRASE = before;
    }
  });

  test('scripts/engine/env.sh passes CHARIOT_TLS_STATE_PASSPHRASE on as the variable the stack reads', () => {
    const result = run('bash', ['-c', '. scripts/engine/env.sh && printf %s "${!1}"', 'env', `TF_VAR_${STATE_PASSPHRASE_VARIABLE}`], {
      cwd: PROJECT,
      env: { ...process.env, CHARIOT_TLS_STATE_PASSPHRASE: PASSPHRASE },
    });
    expect(result.stdout).toBe(PASSPHRASE);
  });

  test('refuses an unknown field in stateEncryption', () => {
    expect(() => parseConfig({ stateEncryption: { enabled: true, passphrase: 'x' } }, 'site.json')).toThrow(/stateEncryption: unknown field\(s\) "passphrase"/);
  });
});

describe('preflight: what a deploy checks before the engine starts', () => {
  test('encryption on without CHARIOT_TLS_STATE_PASSPHRASE: refused, naming the file, the field and the variable', () => {
    const config = configOf({ stateEncryption: { enabled: true } });
    expect(() => preflight(config, {})).toThrow(PreflightError);
    expect(() => preflight(config, {})).toThrow(`${config.configFile}: stateEncryption.enabled is true, but CHARIOT_TLS_STATE_PASSPHRASE is not set; export the state passphrase (at least 16 characters) before deploying`);
  });

  test('encryption on with a passphrase under 16 characters: refused', () => {
    expect(() => preflight(configOf({ stateEncryption: { enabled: true } }), { CHARIOT_TLS_STATE_PASSPHRASE: 'short' })).toThrow(
      'CHARIOT_TLS_STATE_PASSPHRASE has 5 characters; use a passphrase of at least 16 characters',
    );
  });

  test('encryption on with a passphrase: no warning', () => {
    expect(preflight(configOf({ stateEncryption: { enabled: true } }), { CHARIOT_TLS_STATE_PASSPHRASE: PASSPHRASE }).warnings).toEqual([]);
  });

  test('encryption off: one warning that says the state holds the keys in plain text, and how to encrypt it', () => {
    const config = configOf({});
    const { warnings } = preflight(config, {});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^chariot-tls: warning: state encryption is off: the Terraform state \(.*terraform\.chariot-tls\.tfstate\) holds every private key in plain text\. To encrypt it, set "stateEncryption": \{ "enabled": true \} in .*site\.json and export CHARIOT_TLS_STATE_PASSPHRASE/);
  });

  test('encryption off with a passphrase set: the warning says it is not used', () => {
    expect(preflight(configOf({}), { CHARIOT_TLS_STATE_PASSPHRASE: PASSPHRASE }).warnings[0]).toContain('CHARIOT_TLS_STATE_PASSPHRASE is set but not used.');
  });

  test('migrating: a note to remove migrateFromUnencrypted once done', () => {
    const config = configOf({ stateEncryption: { enabled: true, migrateFromUnencrypted: true } });
    expect(preflight(config, { CHARIOT_TLS_STATE_PASSPHRASE: PASSPHRASE }).warnings).toEqual([
      `chariot-tls: note: stateEncryption.migrateFromUnencrypted is true: state that is not encrypted yet is still accepted. Once this deploy has succeeded, remove it from ${config.configFile}.`,
    ]);
  });

  test('pg without a connection string needs PG_CONN_STR', () => {
    const config = configOf({ backend: { type: 'pg' } });
    expect(() => preflight(config, {})).toThrow(/backend\.type is "pg" with no connectionString, and PG_CONN_STR is not set; export PG_CONN_STR=/);
    expect(preflight(config, { PG_CONN_STR: 'postgres://pki@db/pki' }).localStateFile).toBeUndefined();
  });

  test('reports every problem at once', () => {
    expect(() => preflight(configOf({ backend: { type: 'pg' }, stateEncryption: { enabled: true } }), {})).toThrow(/cannot deploy:\n  - .*CHARIOT_TLS_STATE_PASSPHRASE[^]*\n  - .*PG_CONN_STR/);
  });

  test('the facts: the output directory, its DEPLOY-INCOMPLETE marker, the local state file', () => {
    const config = configOf({ outputDirectory: 'out', backend: { type: 'local', path: 'state/x.tfstate' } });
    const dir = path.dirname(config.configFile!);
    expect(preflight(config, {})).toMatchObject({ outputDirectory: path.join(dir, 'out'), marker: path.join(dir, 'out', INCOMPLETE_MARKER), localStateFile: path.join(dir, 'state/x.tfstate') });
  });
});
