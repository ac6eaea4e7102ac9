import { changedResources } from '../app/site-targets';

/** A site's stack as cdktf writes it: per client a key, a certificate and a file of it. */
function stack(clients: Record<string, string>, backend = 'site.tfstate'): any {
  const resource: any = { tls_private_key: {}, tls_locally_signed_cert: {}, local_file: {} };
  for (const [name, subject] of Object.entries(clients)) {
    resource.tls_private_key[`${name}_key`] = { algorithm: 'RSA' };
    resource.tls_locally_signed_cert[`${name}_cert`] = { subject, private_key_pem: `\${tls_private_key.${name}_key.private_key_pem}` };
    resource.local_file[`${name}_cert-file`] = { content: `\${tls_locally_signed_cert.${name}_cert.cert_pem}`, filename: `/pki/${name}/cert.pem` };
  }
  const metadata = { metadata: { overrides: { tls_cert_request: Object.keys(clients).map(() => 'private_key_pem') } } };
  return { '//': metadata, terraform: { backend: { local: { path: backend } } }, variable: { signing_key: { ephemeral: true } }, resource };
}

describe('the resources a site plan targets, against the stack its last deploy applied', () => {
  const applied = stack({ 'bt-1': 'CN=bt-1', 'bt-2': 'CN=bt-2' });

  test('nothing changed: nothing to target', () => {
    expect(changedResources(applied, stack({ 'bt-1': 'CN=bt-1', 'bt-2': 'CN=bt-2' }))).toEqual([]);
  });

  test('a client added: its key, certificate and file, nothing of the others', () => {
    expect(changedResources(applied, stack({ 'bt-1': 'CN=bt-1', 'bt-2': 'CN=bt-2', 'bt-3': 'CN=bt-3' }))?.sort())
      .toEqual(['local_file.bt-3_cert-file', 'tls_locally_signed_cert.bt-3_cert', 'tls_private_key.bt-3_key']);
  });

  test('a certificate changed: it, and the file whose block is the same but holds it (what uses a target is a target)', () => {
    expect(changedResources(applied, stack({ 'bt-1': 'CN=bt-1,O=Renamed', 'bt-2': 'CN=bt-2' }))?.sort())
      .toEqual(['local_file.bt-1_cert-file', 'tls_locally_signed_cert.bt-1_cert']);
  });

  test('a client removed: the whole stack is planned, so its destroy is', () => {
    expect(changedResources(applied, stack({ 'bt-1': 'CN=bt-1' }))).toBeUndefined();
  });

  test('anything but resources changed (the backend, a variable, a provider): the whole stack is planned', () => {
    expect(changedResources(applied, stack({ 'bt-1': 'CN=bt-1', 'bt-2': 'CN=bt-2' }, 'elsewhere.tfstate'))).toBeUndefined();
  });
});
