import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { caKeyVariable, signingWithOfflineKey } from '../app/ca-key-files';
import { loadConfig } from '../app/config';

/** Loads a configuration file with `fields`, from a fresh directory. */
function load(fields: Record<string, unknown>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-ca-keys-'));
  fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify(fields));
  return { dir, config: () => loadConfig({ CHARIOT_TLS_CONFIG: 'chariot-tls.json' }, dir) };
}

describe('caKeyFiles in the configuration', () => {
  test('names, per listed CA, the variable its key reaches the engine through; the directory is taken from the file', () => {
    const { dir, config } = load({ caKeyFiles: { directory: 'keys', cas: ['root-ca', 'transmission-ca-g2'] } });
    expect(config().pki.caKeyVariables).toEqual({ 'root-ca': 'chariot_tls_ca_key_root_ca', 'transmission-ca-g2': 'chariot_tls_ca_key_transmission_ca_g2' });
    expect(config().caKeyFiles).toEqual({ directory: path.join(dir, 'keys'), cas: ['root-ca', 'transmission-ca-g2'] });
  });

  test('is off by default: every CA key in the state', () => {
    const { config } = load({});
    expect(config().pki.caKeyVariables).toBeUndefined();
    expect(config().caKeyFiles).toBeUndefined();
  });

  test('a name that is no CA id is refused, with the fix', () => {
    const { config } = load({ caKeyFiles: { directory: 'keys', cas: ['root'] } });
    expect(config).toThrow(/caKeyFiles\.cas\[0\] "root": must be a CA id such as "root-ca"/);
  });
});

describe('a deploy with the root key offline', () => {
  const root = caKeyVariable('root-ca');
  const handover = { env: {}, offline: new Map([['root-ca', root]]), notes: [] };
  const synthesized = {
    resource: {
      tls_locally_signed_cert: {
        ica: { ca_private_key_pem_wo: `\${var.${root}}` },
        leaf: { ca_private_key_pem_wo: '${tls_private_key.k.private_key_pem}' },
      },
    },
  };
  const change = (name: string, actions: string[], replacePaths: string[] = []) => ({ address: `tls_locally_signed_cert.${name}`, path: `pki/${name}/cert`, actions, replacePaths });

  test('must not sign a certificate the root signs, new or again, and says which and why', () => {
    expect(signingWithOfflineKey(handover, synthesized, [change('ica', ['delete', 'create'], ['validity_period_hours'])])).toEqual(['pki/ica (re-signed: validity_period_hours)']);
    expect(signingWithOfflineKey(handover, synthesized, [change('ica', ['create'])])).toEqual(['pki/ica (new)']);
  });

  test('may sign what other CAs sign, and change the root\'s certificates in place', () => {
    expect(signingWithOfflineKey(handover, synthesized, [change('leaf', ['create']), change('ica', ['update'])])).toEqual([]);
  });
});
