import { Construct } from 'constructs';
import { IntermediateCa, RootCa } from '../lib';
import { synth } from './helpers/synth';

const subject = { commonName: 'Example Root CA', organization: 'Example' };

/** A root whose key comes from `root_key`, and a Server CA under it whose key comes from `server_key`. */
function hierarchy(scope: Construct) {
  const root = new RootCa(scope, 'root', { subject, keyVariable: 'root_key' });
  new IntermediateCa(scope, 'server-ca', { issuer: root, subject: { commonName: 'Example Server CA' }, keyVariable: 'server_key' });
}

describe('a CA whose key comes from keyVariable', () => {
  const stack = synth(hierarchy);
  const json = stack.json;

  test('has no key resource: no key of it in the state', () => {
    expect(Object.keys(json.resource.tls_private_key ?? {})).toEqual([]);
  });

  test('declares an ephemeral, sensitive variable for the key', () => {
    expect(json.variable.root_key).toMatchObject({ type: 'string', sensitive: true, nullable: false, ephemeral: true });
    expect(json.variable.server_key).toMatchObject({ ephemeral: true });
  });

  test('hands the key only write-only: to its own certificate or request and to what it signs', () => {
    expect(stack.resource('tls_self_signed_cert', 'root/cert').props).toMatchObject({ private_key_pem_wo: '${var.root_key}', private_key_pem_wo_version: 1 });
    expect(stack.resource('tls_cert_request', 'server-ca/csr').props).toMatchObject({ private_key_pem_wo: '${var.server_key}' });
    expect(stack.resource('tls_locally_signed_cert', 'server-ca/cert').props).toMatchObject({ ca_private_key_pem_wo: '${var.root_key}' });
    expect(JSON.stringify(json)).not.toMatch(/"(ca_)?private_key_pem":/);
  });

  test('forgets, never destroys, the key resource the CA had in the state, at its old address', () => {
    const before = synth((scope) => {
      const root = new RootCa(scope, 'root', { subject });
      new IntermediateCa(scope, 'server-ca', { issuer: root, subject: { commonName: 'Example Server CA' } });
    });
    expect(json.removed).toEqual([
      { from: before.resource('tls_private_key', 'root/key').address, lifecycle: { destroy: false } },
      { from: before.resource('tls_private_key', 'server-ca/key').address, lifecycle: { destroy: false } },
    ]);
  });
});

describe('keyVariable errors', () => {
  test('a name that is not a variable name is refused, with the fix', () => {
    expect(() => synth((scope) => new RootCa(scope, 'root', { subject, keyVariable: 'root-key' }))).toThrow(/keyVariable "root-key" is not a variable name; use lower-case letters/);
  });

  test('a key file beside it is refused: the key is ephemeral', () => {
    expect(() => synth((scope) => new RootCa(scope, 'root', { subject, keyVariable: 'root_key', privateKeyFile: '/tmp/ca.key' })))
      .toThrow(/privateKeyFile "\/tmp\/ca.key" cannot be written for a CA whose key comes from keyVariable/);
  });
});
