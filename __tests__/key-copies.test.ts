import { removeKeyCopies, replacedForKeyCopy } from '../app/key-copies';
import { ResourceChange } from '../app/plan-facts';

const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n';
const CA_KEY_REF = '${tls_private_key.pki_root-ca_key_1.private_key_pem}';

/** A state as `tofu state pull` prints it, from before write-only keys: the certificate keeps its CA key. */
function oldState(): any {
  return {
    version: 4,
    serial: 7,
    resources: [
      {
        mode: 'managed',
        type: 'tls_locally_signed_cert',
        name: 'pki_server-ca_cert_2',
        instances: [{
          attributes: { id: '123', ca_private_key_pem: KEY, ca_private_key_pem_wo: null, ca_private_key_pem_wo_version: null, cert_pem: 'CERT' },
          sensitive_attributes: [[{ type: 'get_attr', value: 'ca_private_key_pem' }]],
        }],
      },
      { mode: 'managed', type: 'tls_private_key', name: 'pki_root-ca_key_1', instances: [{ attributes: { private_key_pem: KEY } }] },
    ],
  };
}

const SYNTHESIZED = {
  resource: {
    tls_locally_signed_cert: { 'pki_server-ca_cert_2': { ca_private_key_pem_wo: CA_KEY_REF, ca_private_key_pem_wo_version: 1 } },
    tls_private_key: { 'pki_root-ca_key_1': {} },
  },
};

describe('removing the key copies from old state', () => {
  test('empties the plain key attribute and sets the configured write-only version, as a write-only create stores them', () => {
    const state = oldState();
    expect(removeKeyCopies(state, SYNTHESIZED)).toBe(1);
    expect(state.resources[0].instances[0].attributes).toEqual({
      id: '123', ca_private_key_pem: null, ca_private_key_pem_wo: null, ca_private_key_pem_wo_version: 1, cert_pem: 'CERT',
    });
    expect(state.resources[0].instances[0].sensitive_attributes).toEqual([]);
  });

  test('leaves the key resource itself alone: the one copy the state keeps', () => {
    const state = oldState();
    removeKeyCopies(state, SYNTHESIZED);
    expect(state.resources[1].instances[0].attributes.private_key_pem).toBe(KEY);
  });

  test('raises the serial, so the engine accepts the state back', () => {
    const state = oldState();
    removeKeyCopies(state, SYNTHESIZED);
    expect(state.serial).toBe(8);
  });

  test('changes nothing, serial included, when the configuration still passes the key in the plain attribute', () => {
    const state = oldState();
    const plain = { resource: { tls_locally_signed_cert: { 'pki_server-ca_cert_2': { ca_private_key_pem: CA_KEY_REF } } } };
    expect(removeKeyCopies(state, plain)).toBe(0);
    expect(state).toEqual(oldState());
  });

  test('changes nothing in state already without copies', () => {
    const state = oldState();
    removeKeyCopies(state, SYNTHESIZED);
    const again = JSON.parse(JSON.stringify(state));
    expect(removeKeyCopies(again, SYNTHESIZED)).toBe(0);
    expect(again).toEqual(state);
  });
});

describe('telling a key copy apart in a plan', () => {
  const change = (type: string, replacePaths: string[]): ResourceChange => ({
    address: `${type}.x`, type, path: 'pki/x/cert', actions: ['delete', 'create'], replacePaths, before: null, after: null,
  });

  test('a certificate replaced for its CA key attribute or the new write-only version is a key copy', () => {
    expect(replacedForKeyCopy(change('tls_locally_signed_cert', ['ca_private_key_pem']))).toBe(true);
    expect(replacedForKeyCopy(change('tls_locally_signed_cert', ['ca_private_key_pem_wo_version']))).toBe(true);
    expect(replacedForKeyCopy(change('tls_cert_request', ['private_key_pem']))).toBe(true);
    expect(replacedForKeyCopy(change('tls_self_signed_cert', ['private_key_pem_wo_version']))).toBe(true);
  });

  test('a certificate replaced for another reason is not', () => {
    expect(replacedForKeyCopy(change('tls_locally_signed_cert', ['ready_for_renewal']))).toBe(false);
    expect(replacedForKeyCopy(change('tls_private_key', ['private_key_pem']))).toBe(false);
  });
});
