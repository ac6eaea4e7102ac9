/**
 * Bad input is refused at synth time, naming the field, the value and the fix (issue 12: findings 5, 6 and 8 and
 * the weak spots in free text, SANs and limits). Each refusal is tried through the constructs and, where the
 * configuration file has the field, through it too.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { Testing } from 'cdktf';
import { ChariotPki, ChariotPkiProps, IntermediateCa, MAX_VALIDITY_HOURS, RootCa, ServerCert } from '../lib';
import { loadConfig } from '../app/config';
import { ChariotTlsStack } from '../app/stack';
import { synth } from './helpers/synth';
import { twoIssuers } from './helpers/hierarchy';

const minimal: ChariotPkiProps = { engineClients: ['engine'] };
const pki = (props: ChariotPkiProps) => () => synth((scope) => new ChariotPki(scope, 'pki', { ...minimal, ...props }));
const root = (props: Partial<ConstructorParameters<typeof RootCa>[2]>) => () => synth((scope) => new RootCa(scope, 'root', { subject: { commonName: 'Root' }, ...props }));
const server = (dnsNames: string[], ipAddresses: string[] = [], commonName?: string) => () =>
  synth((scope) => new ServerCert(scope, 'server', { issuer: twoIssuers(scope).serverCa, dnsNames, ipAddresses, subject: commonName ? { commonName } : undefined }));

/** The configuration file's stack, synthesized; throws what refused it. */
function fromConfig(fields: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-bad-input-'));
  try {
    const file = path.join(dir, 'chariot-tls.json');
    fs.writeFileSync(file, JSON.stringify({ engineClients: ['engine'], ...fields }));
    return Testing.synth(new ChariotTlsStack(Testing.app(), 'chariot-tls', loadConfig({ CHARIOT_TLS_CONFIG: file })));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('client names equal but for case (one folder on macOS and Windows)', () => {
  test('are refused, naming both', () => {
    expect(pki({ transmissionClients: ['edge-1', 'Edge-1'] })).toThrow(
      'transmissionClients[1] "Edge-1" is the same client name as transmissionClients[0] "edge-1" but for case or spelling, which macOS and Windows folders and TLS clients ignore; give each client a unique name');
  });

  test('are refused through the configuration file', () => {
    expect(() => fromConfig({ engineClients: ['Engine-A', 'engine-a'] })).toThrow(/engineClients\[1\] "engine-a" is the same client name as engineClients\[0\] "Engine-A"/);
  });

  test('an exact repeat is still reported as one', () => {
    expect(pki({ engineClients: ['a', 'b', 'a'] })).toThrow('engineClients "a" appears more than once');
  });

  test('an Engine and a Transmission client may share a name: their folders differ', () => {
    expect(pki({ engineClients: ['site-1'], transmissionClients: ['Site-1'] })).not.toThrow();
  });
});

describe('validity hours past the engine clock (Go time.Duration overflows above 2562047 hours)', () => {
  test.each([2_562_048, 10 ** 12, MAX_VALIDITY_HOURS + 1])('validityPeriodHours %p is refused', (hours) => {
    expect(root({ validityPeriodHours: hours })).toThrow(`validityPeriodHours ${hours} is more than 876000 hours (100 years)`);
  });

  test('earlyRenewalHours past the bound is refused too', () => {
    expect(root({ earlyRenewalHours: 3_000_000 })).toThrow('earlyRenewalHours 3000000 is more than 876000 hours (100 years)');
  });

  test('100 years is the bound, and accepted', () => {
    expect(root({ validityPeriodHours: MAX_VALIDITY_HOURS })).not.toThrow();
  });

  test.each(['rootValidityPeriodHours', 'intermediateValidityPeriodHours', 'leafValidityPeriodHours', 'leafEarlyRenewalHours'])('the configuration refuses %s past it', (field) => {
    expect(() => fromConfig({ [field]: 2_562_048 })).toThrow(`${field} 2562048: must be at most 876000 (100 years)`);
  });
});

describe('IP addresses no client can use', () => {
  test('an IPv6 address with a zone is refused at synth, not mid-apply', () => {
    expect(server([], ['fe80::1%eth0'])).toThrow('ipAddresses[0] "fe80::1%eth0" has a zone (%...), which a certificate cannot hold; use the address without it, e.g. "fe80::1"');
  });

  test.each(['0.0.0.0', '::', '0:0:0:0:0:0:0:0'])('the unspecified address %s is refused', (address) => {
    expect(server([], [address])).toThrow(`ipAddresses[0] ${JSON.stringify(address)} is the unspecified address: a server listens on it, but no client connects to it`);
  });

  test('a common name that is the unspecified address is refused (it would join the subjectAltName)', () => {
    expect(server(['c.example.com'], [], '0.0.0.0')).toThrow('subject.commonName "0.0.0.0" is the unspecified address');
  });

  test('the same address written twice is refused', () => {
    expect(server([], ['::1', '0:0:0:0:0:0:0:1'])).toThrow('ipAddresses[1] "0:0:0:0:0:0:0:1" is the same IP address as ipAddresses[0] "::1"');
  });

  test('through the configuration file', () => {
    expect(() => fromConfig({ server: { ipAddresses: ['fe80::1%eth0'] } })).toThrow(/ipAddresses\[0\] "fe80::1%eth0" has a zone/);
  });
});

describe('DNS names', () => {
  test('two that differ only in case are refused (DNS ignores case)', () => {
    expect(server(['chariot.example.com', 'Chariot.Example.com'])).toThrow('dnsNames[1] "Chariot.Example.com" is the same DNS name as dnsNames[0] "chariot.example.com"');
  });

  test('a common name that differs from a listed name only in case is not added again', () => {
    let names: string[] = [];
    synth((scope) => {
      names = new ServerCert(scope, 's', { issuer: twoIssuers(scope).serverCa, dnsNames: ['chariot.example.com'], subject: { commonName: 'Chariot.example.com' } }).dnsNames;
    });
    expect(names).toEqual(['chariot.example.com']);
  });

  test.each(['*.com', '*.co.uk', '*.github.io', '*.lan'])('a wildcard over the public suffix in %s is refused, and the message says what a wildcard covers', (name) => {
    expect(server([name])).toThrow(
      `dnsNames[0] "${name}" is a wildcard over the public suffix "${name.slice(2)}": it would cover names anyone can register; use a wildcard under your own domain, e.g. "*.plant.example.com"; "*.plant.example.com" matches any one label in its place (e.g. "edge-1.plant.example.com"), not "plant.example.com" itself nor "a.b.plant.example.com"`);
  });

  test.each(['*.example.com', '*.plant.example.co.uk', '*.site.lan'])('a wildcard under a registrable domain (%s) is accepted', (name) => {
    expect(server([name])).not.toThrow();
  });

  test('the README gives no URL with a wildcard in it, and says what the wildcard covers', () => {
    const stack = synth((scope) => new ChariotPki(scope, 'pki', { outputDirectory: '/srv/pki', server: { dnsNames: ['chariot.example.com', '*.example.com'] }, engineClients: ['e'] }));
    const readme = stack.resource('local_file', 'engine/e/readme/file').props.content as string;
    expect(readme).not.toContain('ssl://*.');
    expect(readme).toContain('  ssl://chariot.example.com:8883\n');
    expect(readme).toContain('  ssl://HOST:8883, where HOST is a name *.example.com covers: "*.example.com" matches any one label in its place (e.g. "edge-1.example.com"), not "example.com" itself nor "a.b.example.com"\n');
  });
});

describe('free text in a subject: one line of visible text', () => {
  const unseen: [string, string][] = [
    ['a newline', 'Acme\nO=Evil'], ['a carriage return', 'Acme\r'], ['NUL', 'Acme\0'], ['a tab', 'Ac\tme'], ['DEL', 'Acme\u007f'],
    ['a right-to-left override', 'Acme\u202etxt.exe'], ['a zero-width space', 'Ac\u200bme'], ['a zero-width joiner', 'Ac\u200dme'],
    ['a byte order mark', '\ufeffAcme'], ['a line separator', 'Acme\u2028x'], ['a lone surrogate', 'Acme\ud800'], ['a private-use character', 'Acme\ue000'],
  ];
  const fields = ['commonName', 'organization', 'organizationalUnit'] as const;
  const cases = fields.flatMap((field) => unseen.map(([what, value]) => [field, what, value] as const));

  test.each(cases)('subject.%s with %s is refused, and the message shows its code point, not the character', (field, _what, value) => {
    let message = '';
    try {
      root({ subject: { commonName: 'Root', [field]: value } })();
    } catch (e) {
      message = (e as Error).message;
    }
    const char = [...value].find((c) => /[\p{C}\p{Zl}]/u.test(c))!;
    const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    expect(message).toContain(`subject.${field} `);
    expect(message).toContain(`holds the invisible or control character ${code}; remove it: a name is one line of visible text`);
    // Each problem is one line, and none holds the character itself.
    expect(message.split('\n').slice(1).filter((line) => line.includes(char))).toEqual([]);
  });

  test.each(['   ', '\u00a0\u3000'])('an organization of only spaces (%j) is refused', (organization) => {
    expect(pki({ organization })).toThrow(`organization ${JSON.stringify(organization)} must have 1 to 44 characters, not only spaces`);
  });

  test('a common name with a newline is refused through the configuration file, so it never reaches README.txt', () => {
    expect(() => fromConfig({ server: { dnsNames: ['c.example.com'], commonName: 'c\nURL: ssl://evil.example:8883' } })).toThrow(/server\.commonName "c\\nURL: ssl:\/\/evil\.example:8883" holds the invisible or control character U\+000A/);
  });

  test('letters of any script are accepted', () => {
    expect(pki({ organization: 'Zürcher Wasserwerke AG', server: { dnsNames: ['c.example.com'], commonName: '東京 Chariot' } })).not.toThrow();
  });
});

describe('limits', () => {
  test.each([8193, 65536])('an RSA key of %p bits is refused: generating it would seem to hang the deploy', (rsaBits) => {
    expect(root({ key: { rsaBits } })).toThrow(`key.rsaBits ${rsaBits} is more than 8192: generating the key would take hours`);
    expect(pki({ caKey: { rsaBits } })).toThrow(`key.rsaBits ${rsaBits} is more than 8192`);
    expect(pki({ leafKey: { rsaBits } })).toThrow(`key.rsaBits ${rsaBits} is more than 8192`);
  });

  test.each(['caRsaBits', 'leafRsaBits'])('the configuration refuses %s 65536', (field) => {
    expect(() => fromConfig({ [field]: 65536 })).toThrow(`${field} 65536: must be at most 8192: a larger key takes hours to generate`);
  });

  test('8192 bits is the bound, and accepted', () => {
    expect(root({ key: { rsaBits: 8192 } })).not.toThrow();
  });

  test('the organization leaves room for the longest CA name at the last generation: 64 - " Transmission CA G99" = 44', () => {
    expect(ChariotPki.MAX_ORGANIZATION_LENGTH).toBe(44);
    expect(pki({ organization: 'O'.repeat(44) })).not.toThrow();
    expect(pki({ organization: 'O'.repeat(45) })).toThrow(
      `organization "${'O'.repeat(45)}" must have 1 to 44 characters, not only spaces; shorten it: it starts every CA's name, and the longest, "<organization> Transmission CA G99", must fit X.509's 64`);
  });

  test('an organization of 48 characters, which could never be rotated, is refused through the configuration file', () => {
    expect(() => fromConfig({ organization: 'O'.repeat(48) })).toThrow(/organization "O{48}" must have 1 to 44 characters/);
  });

  test('an intermediate CA that is never re-signed (earlyRenewalHours 0) gets a warning: at its expiry everything it signed stops verifying', () => {
    synth((scope: Construct) => {
      const ca = new IntermediateCa(scope, 'ca', { issuer: twoIssuers(scope).root, subject: { commonName: 'CA' }, earlyRenewalHours: 0 });
      const warnings = ca.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => m.data);
      expect(warnings).toEqual([expect.stringMatching(/^earlyRenewalHours is 0: this CA is never re-signed before it expires, and when it does every certificate it signed stops verifying at once; set it/)]);
    });
  });
});
