/**
 * Text is data, as properties: for any text in any text field, synth either refuses it with our message (the
 * construct path, "invalid configuration", the field) or emits JSON in which the text added no expression and no
 * directive: the stack's expressions are exactly those of the same stack with a plain value. (Issue 12, finding 1.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { Construct } from 'constructs';
import { Testing } from 'cdktf';
import { ChariotPki, ClientCert, DistinguishedName, IntermediateCa, RootCa, ServerCert } from '../lib';
import { loadConfig } from '../app/config';
import { ChariotTlsStack } from '../app/stack';
import { synth } from './helpers/synth';
import { expressions } from './helpers/templates';
import { twoIssuers } from './helpers/hierarchy';

/** Pieces Terraform's templates and JSON care about, and text that hides or reorders. */
const PIECES = ['${', '%{', '}', '$${', '%%{', '$', '%', '{', '"', '\\', '\n', '\r\n', '\0', '\u202e', '\u200b', '\u2028', '\ufeff', ' ',
  'file("/proc/self/environ")', 'tls_private_key.pki_root-ca_key_DF61D2FB.private_key_pem', 'env', 'é', '東京', '😀', 'Acme'];
/** cdktf's token markers: only the configuration file is tried with them (in code, a token is a reference set on purpose). */
const TOKEN_MARKERS = ['${TfToken[TOKEN.1]}', '#{TfToken[TOKEN.2]}', '&{TfToken[TOKEN.3]}'];

const text = (pieces: string[]) =>
  fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ unit: 'binary', maxLength: 4 })), { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));
const RUNS = { numRuns: 40 };

/** The result of building a stack: its expressions, or the refusal's message. */
type Outcome = { expressions: string[] } | { refused: string };

/**
 * The stack's expressions with resource names left out (a client's name is part of its resources' names), sorted:
 * where each expression is and what it refers to, which any expression from the text would change.
 */
function shape(json: unknown): string[] {
  return expressions(json).map((e) => e.replace(/\b((?:tls|local)_[a-z_]+)\.[A-Za-z0-9_-]+/g, '$1.*')).sort();
}

function outcome(build: () => unknown): Outcome {
  try {
    return { expressions: shape(build()) };
  } catch (e) {
    return { refused: (e as Error).message };
  }
}

/** The property: refused with our message naming `field`, or the same expressions as with a plain value. */
function refusedOrInert(field: string, build: (value: string) => unknown, values: fc.Arbitrary<string>, plainValue = 'Plain'): void {
  const plain = outcome(() => build(plainValue));
  expect(plain).toHaveProperty('expressions');
  fc.assert(
    fc.property(values, (value) => {
      const result = outcome(() => build(value));
      if ('refused' in result) {
        expect(result.refused).toMatch(/: invalid configuration:\n {2}- /);
        expect(result.refused).toContain(field);
      } else {
        expect(result).toEqual(plain);
      }
    }),
    RUNS,
  );
}

describe('every text field of the constructs', () => {
  const subjectOf: Record<string, (scope: Construct, subject: DistinguishedName) => void> = {
    RootCa: (scope, subject) => new RootCa(scope, 'ca', { subject }),
    IntermediateCa: (scope, subject) => new IntermediateCa(scope, 'ca', { issuer: twoIssuers(scope).root, subject }),
    ServerCert: (scope, subject) => new ServerCert(scope, 'ca', { issuer: twoIssuers(scope).serverCa, dnsNames: ['c.example.com'], subject }),
    ClientCert: (scope, subject) => new ClientCert(scope, 'ca', { issuer: twoIssuers(scope).clientCa, subject }),
  };
  const fields: (keyof DistinguishedName)[] = ['commonName', 'organization', 'organizationalUnit', 'locality', 'province', 'country'];
  const subjectCases = Object.keys(subjectOf).flatMap((construct) => fields.map((field) => [construct, field] as const));

  test.each(subjectCases)('%s subject.%s', (construct, field) => {
    const build = (value: string) => synth((scope) => subjectOf[construct](scope, { commonName: 'CN', [field]: value })).json;
    refusedOrInert(`subject.${field}`, build, text(PIECES), field === 'country' ? 'US' : 'Plain');
  });

  const pathOf: Record<string, (scope: Construct, value: string) => void> = {
    'RootCa certFile': (scope, file) => new RootCa(scope, 'ca', { subject: { commonName: 'Root' }, certFile: file, privateKeyFile: `${file}.key` }),
    'ServerCert outputDirectory': (scope, dir) => new ServerCert(scope, 's', { issuer: twoIssuers(scope).serverCa, dnsNames: ['c.example.com'], outputDirectory: dir }),
    'ClientCert outputDirectory': (scope, dir) => new ClientCert(scope, 'c', { issuer: twoIssuers(scope).clientCa, outputDirectory: dir }),
  };

  test.each(Object.keys(pathOf))('%s', (prop) => {
    refusedOrInert('', (value) => synth((scope) => pathOf[prop](scope, value)).json, text(PIECES).filter((p) => p.length > 0));
  });

  const pkiOf: Record<string, (value: string) => unknown> = {
    organization: (organization) => ({ organization }),
    'server.commonName': (commonName) => ({ server: { dnsNames: ['c.example.com'], commonName } }),
    'dnsNames[0]': (name) => ({ server: { dnsNames: [name] } }),
    'ipAddresses[0]': (address) => ({ server: { ipAddresses: [address] } }),
    'engineClients[0]': (name) => ({ engineClients: [name] }),
    outputDirectory: (outputDirectory) => ({ outputDirectory }),
  };

  test.each(Object.keys(pkiOf))('ChariotPki %s', (field) => {
    const build = (value: string) => synth((scope) => new ChariotPki(scope, 'pki', { engineClients: ['e'], ...(pkiOf[field](value) as object) })).json;
    refusedOrInert(field, build, text(PIECES), field === 'ipAddresses[0]' ? '192.0.2.1' : 'Plain');
  });
});

describe('every string of the configuration file, token markers included', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-properties-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const configOf: Record<string, (value: string) => Record<string, unknown>> = {
    organization: (organization) => ({ organization }),
    country: (country) => ({ country }),
    outputDirectory: (outputDirectory) => ({ outputDirectory }),
    commonName: (commonName) => ({ server: { dnsNames: ['c.example.com'], commonName } }),
    transmissionClients: (name) => ({ transmissionClients: [name] }),
    'backend.path': (p) => ({ backend: { type: 'local', path: p } }),
    'backend.connectionString': (connectionString) => ({ backend: { type: 'pg', connectionString } }),
  };

  test.each(Object.keys(configOf))('%s', (field) => {
    const build = (value: string) => {
      const file = path.join(dir, 'chariot-tls.json');
      fs.writeFileSync(file, JSON.stringify({ engineClients: ['e'], ...configOf[field](value) }));
      return JSON.parse(Testing.synth(new ChariotTlsStack(Testing.app(), 'chariot-tls', loadConfig({ CHARIOT_TLS_CONFIG: file }))));
    };
    refusedOrInert(field.replace(/^.*\./, ''), build, text([...PIECES, ...TOKEN_MARKERS]), field === 'country' ? 'US' : 'Plain');
  });
});
