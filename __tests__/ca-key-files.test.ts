import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { caKeyVariable, caKeysFromHandover, signingWithOfflineKey } from '../app/ca-key-files';
import { formatRevocations } from '../app/revocation-summary';
import { loadConfig } from '../app/config';
import { ChariotPki, caKeyId } from '../lib';
import { synth } from './helpers/synth';

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

  test('names a site\'s CA by its path under the hierarchy, sites/SITE/ca, each generation alike', () => {
    const { config } = load({ caKeyFiles: { directory: 'keys', cas: ['sites/north-sea/ca', 'sites/north-sea/ca-g2'] } });
    expect(config().pki.caKeyVariables).toEqual({ 'sites/north-sea/ca': 'chariot_tls_ca_key_sites_north_sea_ca', 'sites/north-sea/ca-g2': 'chariot_tls_ca_key_sites_north_sea_ca_g2' });
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

describe('the keys that sign the CRLs', () => {
  const config = { directory: '/keys', cas: ['root-ca', 'transmission-ca'] };
  const ca = (id: string) => ({ node: { id, path: `chariot-tls/pki/${id}`, scopes: [] } }) as any;
  const fromState = { privateKeyPem: async (c: any) => `state key of ${c.node.id}` };
  const handover = {
    env: { [`TF_VAR_${caKeyVariable('transmission-ca')}`]: 'file key', [`TF_VAR_${caKeyVariable('root-ca')}`]: 'placeholder' },
    offline: new Map([['root-ca', caKeyVariable('root-ca')]]),
    notes: [],
  };
  const keys = caKeysFromHandover(config, () => handover, fromState);

  test('a CA with a key file signs with the key handed to the engine, not one from the state', async () => {
    await expect(keys.privateKeyPem(ca('transmission-ca'))).resolves.toBe('file key');
  });

  test('an offline root gives no key (its CRL is left as it is), never the placeholder', async () => {
    await expect(keys.privateKeyPem(ca('root-ca'))).resolves.toBeUndefined();
  });

  test('every other CA\'s key comes from the state', async () => {
    await expect(keys.privateKeyPem(ca('engine-ca'))).resolves.toBe('state key of engine-ca');
  });

  test('a key file CA whose keys were never handed over is an error naming it', async () => {
    await expect(caKeysFromHandover(config, () => undefined, fromState).privateKeyPem(ca('transmission-ca'))).rejects.toThrow(/the key of chariot-tls\/pki\/transmission-ca was not read from its key file/);
  });
});

describe('what a deploy says of a CRL whose CA key is offline', () => {
  const crl = (nextUpdate: Date) => ({ file: '/pki/ca/ca.crl.pem', signed: false, revokedCount: 0, nextUpdate, keptFromOldCrl: 0, keyOffline: true });

  test('until when the old CRL holds, and how to sign it', () => {
    expect(formatRevocations([], [crl(new Date('2999-01-02T03:04:05.678Z'))], '/pki', false))
      .toBe('CRL ca/ca.crl.pem: due to be signed, but its CA key is offline (peers accept it until 2999-01-02T03:04:05Z); deploy once with the key file present to sign it');
  });

  test('that it expired, or that there is none', () => {
    expect(formatRevocations([], [crl(new Date('2000-01-01T00:00:00Z'))], '/pki', false)).toContain('(it expired 2000-01-01T00:00:00Z)');
    expect(formatRevocations([], [crl(new Date(0))], '/pki', false)).toContain('(none was signed yet)');
  });
});

describe('a site\'s CA with its key in a file', () => {
  let pki!: ChariotPki;
  const synthesized = synth((scope) => {
    pki = new ChariotPki(scope, 'pki', {
      outputDirectory: '/srv/pki',
      sites: { 'north-sea': { transmissionClients: ['ns-1'], issuingCa: true } },
      caKeyVariables: { 'sites/north-sea/ca': caKeyVariable('sites/north-sea/ca') },
    });
  });

  test('has the id sites/SITE/ca, where the Transmission CA has transmission-ca', () => {
    expect(pki.certificateAuthorities.map(caKeyId)).toEqual(expect.arrayContaining(['transmission-ca', 'sites/north-sea/ca']));
  });

  test('has no key resource in the stack: it signs with the key its variable hands over', () => {
    expect(synthesized.resources('tls_private_key').map((r) => r.path).filter((p) => p.includes('sites/north-sea/ca'))).toEqual([]);
    expect(synthesized.resources('tls_private_key').map((r) => r.path)).toContainEqual(expect.stringContaining('pki/transmission-ca/key'));
  });
});
