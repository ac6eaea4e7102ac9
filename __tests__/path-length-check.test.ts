import { ChariotPki, IntermediateCa, RootCa } from '../lib';
import { Synthesized, synth } from './helpers/synth';

/** The `tls_certificate` data source of a CA (child `path-length-check`), by the CA's construct id. */
function checks(stack: Synthesized): Record<string, any> {
  const blocks: Record<string, any> = stack.json.data?.tls_certificate ?? {};
  return Object.fromEntries(Object.values(blocks).map((block) => [block['//'].metadata.path.split('/').slice(-2, -1)[0], block]));
}

describe('the path length check on each CA', () => {
  const stack = synth((scope) => {
    const root = new RootCa(scope, 'root-ca', { subject: { commonName: 'Root' }, maxPathLength: 2 });
    const site = new IntermediateCa(scope, 'site-ca', { issuer: root, subject: { commonName: 'Site' }, maxPathLength: 1 });
    new IntermediateCa(scope, 'leaf-ca', { issuer: site, subject: { commonName: 'Leaf CA' } });
  });
  const found = checks(stack);

  test('reads back the certificate the provider issued, one data source per CA', () => {
    expect(Object.keys(found).sort()).toEqual(['leaf-ca', 'root-ca', 'site-ca']);
    expect(found['root-ca'].content).toBe(stack.ref('tls_self_signed_cert', 'root-ca/cert', 'cert_pem'));
    expect(found['site-ca'].content).toBe(stack.ref('tls_locally_signed_cert', 'site-ca/cert', 'cert_pem'));
  });

  test('fails the deploy unless the issued path length is the one asked for', () => {
    const condition = (id: string) => found[id].lifecycle.postcondition[0].condition;
    expect(condition('root-ca')).toBe('${self.certificates[0].max_path_length == 2}');
    expect(condition('site-ca')).toBe('${self.certificates[0].max_path_length == 1}');
    // An intermediate without maxPathLength is path length 0 (the default) and is checked for it.
    expect(condition('leaf-ca')).toBe('${self.certificates[0].max_path_length == 0}');
  });

  test('says which CA, why (the upstream bug) and both fixes, with the certificate to issue again', () => {
    const message: string = found['leaf-ca'].lifecycle.postcondition[0].error_message;
    const cert = stack.resource('tls_locally_signed_cert', 'leaf-ca/cert').address;
    expect(message).toContain('CA test/leaf-ca asked for path length 0 (maxPathLength)');
    expect(message).toContain('hashicorp/tls provider bug that drops pathlen:0');
    expect(message).toContain('docs/package.md, "The path length check"');
    expect(message).toContain(`-replace=${cert}`);
    expect(message).toContain('maxPathLength: undefined on this CA to accept no limit knowingly');
  });
});

describe('the path length check is absent', () => {
  test('on a root without maxPathLength: there is no limit to check', () => {
    const stack = synth((scope) => new RootCa(scope, 'root-ca', { subject: { commonName: 'Root' } }));
    expect(stack.json.data).toBeUndefined();
  });

  test('on leaves and on a root without a limit: ChariotPki checks its three intermediate CAs, whatever the number of clients', () => {
    const stack = synth((scope) => new ChariotPki(scope, 'pki', {
      outputDirectory: '/tmp/pki',
      server: { dnsNames: ['chariot.example.com'] },
      engineClients: ['engine'],
      transmissionClients: ['edge-1', 'edge-2', 'edge-3'],
    }));
    expect(Object.keys(checks(stack)).sort()).toEqual(['engine-ca', 'server-ca', 'transmission-ca']);
  });
});

test('a construct id cannot become a Terraform expression in the message', () => {
  const stack = synth((scope) => new RootCa(scope, 'root-${file("passwd")}-%{if 1}', { subject: { commonName: 'Root' }, maxPathLength: 0 }));
  const message: string = Object.values<any>(stack.json.data.tls_certificate)[0].lifecycle.postcondition[0].error_message;
  expect(message).toContain('CA test/root-$${file("passwd")}-%%{if 1} asked');
});
