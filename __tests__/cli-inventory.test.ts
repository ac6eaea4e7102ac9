import { ChariotPki } from '../lib';
import { synthesizedCertificates } from '../cli/inventory';
import { synth } from './helpers/synth';

describe('chariot-tls inventory reads a synthesized stack', () => {
  const stack = synth((scope) => new ChariotPki(scope, 'pki', {
    outputDirectory: '/srv/pki',
    organization: 'Acme',
    server: { dnsNames: ['chariot.example.com'] },
    engineClients: ['engine'],
    transmissionClients: ['edge-1'],
  }));
  const certificates = synthesizedCertificates(stack.json);
  const byPath = Object.fromEntries(certificates.map((c) => [c.construct, c]));

  test('lists every certificate, each CA before what it signs', () => {
    expect(certificates.map((c) => `${c.construct} ${c.role} <- ${c.issuer ?? 'self'}`)).toEqual([
      'pki/root-ca root CA <- self',
      'pki/engine-ca intermediate CA <- pki/root-ca',
      'pki/engine/engine client <- pki/engine-ca',
      'pki/server-ca intermediate CA <- pki/root-ca',
      'pki/server server <- pki/server-ca',
      'pki/transmission-ca intermediate CA <- pki/root-ca',
      'pki/transmission/edge-1 client <- pki/transmission-ca',
    ]);
  });

  test('reads subjects, keys, names and path lengths from the resources', () => {
    expect(byPath['pki/server-ca']).toMatchObject({ subject: 'CN=Acme Server CA, OU=CA, O=Acme', key: 'RSA 4096', maxPathLength: 0, validityPeriodHours: 43800 });
    expect(byPath['pki/root-ca']).toMatchObject({ maxPathLength: null, earlyRenewalHours: 0 });
    expect(byPath['pki/server']).toMatchObject({ names: ['DNS:chariot.example.com'], key: 'RSA 2048', maxPathLength: undefined });
  });

  test('lists the files a construct writes, private keys marked', () => {
    expect(byPath['pki/transmission/edge-1'].files).toEqual(expect.arrayContaining([
      { path: '/srv/pki/certs/transmission/edge-1/cert.pem', secret: false },
      { path: '/srv/pki/certs/transmission/edge-1/private.key', secret: true },
    ]));
  });
});
