/**
 * Text is data: no string a user writes, in the configuration or in a construct's props, reaches the engine as a
 * Terraform expression (`${...}`) or directive (`%{...}`). Names are refused with our message; paths and file
 * contents are escaped, so the engine reads them literally. (Issue 12, finding 1.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Construct } from 'constructs';
import { Testing, TerraformVariable } from 'cdktf';
import { ChariotPki, ClientCert, DistinguishedName, IntermediateCa, RootCa, ServerCert } from '../lib';
import { loadConfig } from '../app/config';
import { ChariotTlsStack } from '../app/stack';
import { literalText } from '../lib/private/template';
import { synth } from './helpers/synth';
import { FILE_CALL, TEMPLATE_PAYLOADS, expressions } from './helpers/templates';
import { twoIssuers } from './helpers/hierarchy';

/** A marker cdktf would resolve into a reference to another resource (the first token it made). */
const TOKEN_MARKER = '${TfToken[TOKEN.1]}';
const SUBJECT_FIELDS: (keyof DistinguishedName)[] = ['commonName', 'organization', 'organizationalUnit', 'locality', 'province', 'country'];

/** Each construct that takes a subject, built with one. */
const WITH_SUBJECT: Record<string, (scope: Construct, subject: DistinguishedName) => void> = {
  RootCa: (scope, subject) => new RootCa(scope, 'ca', { subject }),
  IntermediateCa: (scope, subject) => new IntermediateCa(scope, 'ca', { issuer: twoIssuers(scope).root, subject }),
  ServerCert: (scope, subject) => new ServerCert(scope, 'ca', { issuer: twoIssuers(scope).serverCa, dnsNames: ['c.example.com'], subject }),
  ClientCert: (scope, subject) => new ClientCert(scope, 'ca', { issuer: twoIssuers(scope).clientCa, subject }),
};

/** `field "value"`, as every refusal shows it. */
function named(field: string, value: string): string {
  return `${field} ${JSON.stringify(value)}`;
}

describe('a name that Terraform would evaluate is refused', () => {
  const cases = Object.keys(WITH_SUBJECT).flatMap((construct) =>
    SUBJECT_FIELDS.flatMap((field) => TEMPLATE_PAYLOADS.map((payload) => [construct, field, payload] as const)));

  test.each(cases)('%s subject.%s %s', (construct, field, payload) => {
    const subject = { commonName: 'Test', [field]: payload };
    const build = () => synth((scope) => WITH_SUBJECT[construct](scope, subject));
    const why = field === 'country' ? 'is not a two-letter ISO 3166 code' : 'holds "${" or "%{", which Terraform would evaluate as an expression; remove them';
    expect(build).toThrow(`${named(`subject.${field}`, payload)} ${why}`);
  });

  test('a client whose name (its construct id, so its common name) would be evaluated', () => {
    expect(() => synth((scope) => new ClientCert(scope, FILE_CALL, { issuer: twoIssuers(scope).clientCa }))).toThrow(named('subject.commonName', FILE_CALL));
  });

  test('a key algorithm or curve that is not one of ours (JavaScript callers have no types)', () => {
    const key = { algorithm: FILE_CALL as any, ecdsaCurve: FILE_CALL as any };
    expect(() => synth((scope) => new RootCa(scope, 'ca', { subject: { commonName: 'Root' }, key }))).toThrow(
      new RegExp(`key\\.algorithm .* is not one of RSA, ECDSA[^]*key\\.ecdsaCurve .* is not one of P256, P384, P521`));
  });

  test('a reference the code sets on purpose (a token) is left to the engine', () => {
    const json = synth((scope) => {
      const organization = new TerraformVariable(scope, 'org', { type: 'string' }).stringValue;
      new RootCa(scope, 'ca', { subject: { commonName: 'Root', organization } });
    }).json;
    expect(Object.values(json.resource.tls_self_signed_cert)[0]).toMatchObject({ subject: [{ organization: '${var.org}' }] });
  });
});

describe('a path that Terraform would evaluate is written literally', () => {
  const baseline = (dir: string) => synth((scope) => new ChariotPki(scope, 'pki', { outputDirectory: dir, server: { dnsNames: ['c.example.com'] }, engineClients: ['e'], writeCaPrivateKeys: true })).json;
  const filenames = (json: any) => Object.values(json.resource).flatMap((blocks: any) => Object.values(blocks)).map((r: any) => r.filename).filter(Boolean);

  test.each(TEMPLATE_PAYLOADS)('ChariotPki outputDirectory %s: every file name escaped, no expression added', (payload) => {
    const json = baseline(`/tmp/${payload}`);
    expect(expressions(json)).toEqual(expressions(baseline('/tmp/plain')));
    expect(filenames(json)).toHaveLength(19);
    for (const filename of filenames(json)) expect(filename.startsWith(`/tmp/${literalText(payload)}/`)).toBe(true);
  });

  test('the key reference in a file name is doubled to $${, as Terraform escapes it', () => {
    const json = synth((scope) => new RootCa(scope, 'ca', { subject: { commonName: 'Root' }, certFile: 'a/${file("/x")}%{y}.crt' })).json;
    expect(Object.values(json.resource.local_file)[0]).toMatchObject({ filename: 'a/$${file("/x")}%%{y}.crt' });
  });

  const pathProps: Record<string, (scope: Construct, file: string) => void> = {
    'RootCa certFile': (scope, file) => new RootCa(scope, 'ca', { subject: { commonName: 'Root' }, certFile: file }),
    'RootCa privateKeyFile': (scope, file) => new RootCa(scope, 'ca', { subject: { commonName: 'Root' }, privateKeyFile: file }),
    'IntermediateCa certFile': (scope, file) => new IntermediateCa(scope, 'ca', { issuer: twoIssuers(scope).root, subject: { commonName: 'CA' }, certFile: file }),
    'IntermediateCa privateKeyFile': (scope, file) => new IntermediateCa(scope, 'ca', { issuer: twoIssuers(scope).root, subject: { commonName: 'CA' }, privateKeyFile: file }),
    'ServerCert outputDirectory': (scope, dir) => new ServerCert(scope, 's', { issuer: twoIssuers(scope).serverCa, dnsNames: ['c.example.com'], outputDirectory: dir }),
    'ClientCert outputDirectory': (scope, dir) => new ClientCert(scope, 'c', { issuer: twoIssuers(scope).clientCa, outputDirectory: dir }),
  };
  const cases = Object.keys(pathProps).flatMap((prop) => TEMPLATE_PAYLOADS.map((payload) => [prop, payload] as const));

  test.each(cases)('%s %s: no expression added', (prop, payload) => {
    const json = synth((scope) => pathProps[prop](scope, `out/${payload}`)).json;
    expect(expressions(json)).toEqual(expressions(synth((scope) => pathProps[prop](scope, 'out/plain')).json));
  });
});

describe('literalText', () => {
  test('doubles ${ and %{ in literal text and leaves the tokens our code put in', () => {
    let text = '';
    synth((scope) => {
      const root = new RootCa(scope, 'ca', { subject: { commonName: 'Root' } });
      text = literalText(`a ${'${x}'} %{y} ${root.certPem} $\${z}`);
    });
    expect(text).toMatch(/^a \$\$\{x\} %%\{y\} \$\{TfToken\[TOKEN\.\d+\]\} \$\$\$\{z\}$/);
  });
});

/** Where each string of the configuration goes; every one is tried with every payload. */
const CONFIG_FIELDS: Record<string, (payload: string) => Record<string, unknown>> = {
  organization: (p) => ({ organization: p }),
  country: (p) => ({ country: p }),
  outputDirectory: (p) => ({ outputDirectory: p }),
  'server.commonName': (p) => ({ server: { dnsNames: ['c.example.com'], commonName: p } }),
  'server.dnsNames[0]': (p) => ({ server: { dnsNames: [p] } }),
  'server.ipAddresses[0]': (p) => ({ server: { ipAddresses: [p] } }),
  'engineClients[0]': (p) => ({ engineClients: [p] }),
  'transmissionClients[0]': (p) => ({ transmissionClients: [p] }),
  'caGenerations.serverCa.previous': (p) => ({ caGenerations: { serverCa: { generation: 2, previous: p } } }),
  'backend.path': (p) => ({ backend: { type: 'local', path: p } }),
  'backend.connectionString': (p) => ({ backend: { type: 'pg', connectionString: p } }),
  'backend.schemaName': (p) => ({ backend: { type: 'pg', schemaName: p } }),
  'pkcs12.passwordEnv': (p) => ({ pkcs12: { passwordEnv: p } }),
  inventoryDirectory: (p) => ({ inventoryDirectory: p }),
};
/** The fields whose text is legitimate: escaped (a path) or never synthesized (read by the app only). */
const TAKEN_LITERALLY = ['outputDirectory', 'inventoryDirectory'];

/** The configuration file's stack, synthesized: its JSON, or the message that refused it. */
function synthConfig(fields: Record<string, unknown>): { json?: unknown; refused?: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-text-'));
  const file = path.join(dir, 'chariot-tls.json');
  fs.writeFileSync(file, JSON.stringify({ engineClients: ['e'], ...fields }));
  try {
    const stack = new ChariotTlsStack(Testing.app(), 'chariot-tls', loadConfig({ CHARIOT_TLS_CONFIG: file }));
    return { json: JSON.parse(Testing.synth(stack)) };
  } catch (e) {
    return { refused: (e as Error).message };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('through the configuration file, every string is refused or taken literally', () => {
  const cases = Object.keys(CONFIG_FIELDS).flatMap((field) => TEMPLATE_PAYLOADS.map((payload) => [field, payload] as const));

  test.each(cases)('%s %s', (field, payload) => {
    const result = synthConfig(CONFIG_FIELDS[field](payload));
    if (TAKEN_LITERALLY.includes(field)) {
      expect(result.refused).toBeUndefined();
      expect(expressions(result.json)).toEqual(expressions(synthConfig(CONFIG_FIELDS[field]('plain')).json));
    } else {
      // The message names the field (its last part: the library names its own props) and shows the value.
      expect(result.refused).toContain(named(field.replace(/^.*\./, ''), payload));
    }
  });

  test.each(Object.keys(CONFIG_FIELDS))('%s holding a cdktf token marker is refused (it would become a reference to a key)', (field) => {
    expect(synthConfig(CONFIG_FIELDS[field](TOKEN_MARKER)).refused).toContain(
      `${JSON.stringify(TOKEN_MARKER)}: holds a cdktf token marker, which would become a reference to another resource; remove it: configuration text is data`);
  });
});
