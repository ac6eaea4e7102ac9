/**
 * Text is data, with the real engine (issue 12, finding 1): a configuration whose paths hold Terraform expressions
 * deploys with every path taken literally, and one whose names hold them is refused before the engine runs.
 * A canary variable in the engine's environment shows that `file("/proc/self/environ")` never ran.
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { keyTraces, output, privateKeyLines } from './helpers/secrets';
import { RunResult } from './helpers/run';
import { DIRECTIVE, ESCAPED, FILE_CALL, KEY_REFERENCE } from '../helpers/templates';

jest.setTimeout(10 * 60_000);

/** A value only the engine's environment holds: it shows up wherever `file("/proc/self/environ")` was evaluated. */
const CANARY = `canary-${randomBytes(8).toString('hex')}`;
const ENV = { CHARIOT_TLS_TEXT_CANARY: CANARY };
/** Every payload at once, each a directory of the output path. */
const HOSTILE_OUTPUT = ['out', FILE_CALL, ESCAPED, DIRECTIVE, KEY_REFERENCE].join('/');
const CONFIG = { caRsaBits: 2048, outputDirectory: HOSTILE_OUTPUT, server: { dnsNames: ['localhost'] }, engineClients: ['engine'] };

describe('paths holding expressions are written literally by a real deploy', () => {
  let pki: Deployment;
  let deploy: RunResult;
  const outputDir = () => path.join(pki.dir, HOSTILE_OUTPUT);

  beforeAll(() => {
    pki = Deployment.create(CONFIG);
    deploy = pki.deploy({ env: ENV, allowFailure: true });
  });

  afterAll(() => fs.rmSync(pki.dir, { recursive: true, force: true }));

  test('the deploy succeeds and every file lands under the directory exactly as written', () => {
    expect(deploy.status).toBe(0);
    for (const file of ['ca/ca.crt', 'certs/server/server.crt', 'certs/server/README.txt', 'certs/engine/engine/private.key']) {
      expect(fs.existsSync(path.join(outputDir(), file))).toBe(true);
    }
  });

  test('the state records the literal paths, and nothing the engine read from its environment', () => {
    const state = JSON.parse(fs.readFileSync(path.join(pki.dir, 'terraform.tfstate'), 'utf8'));
    const filenames = state.resources.filter((r: any) => r.type === 'local_file').flatMap((r: any) => r.instances.map((i: any) => i.attributes.filename));
    expect(filenames.length).toBeGreaterThan(5);
    for (const filename of filenames) expect(filename.startsWith(`${outputDir()}/`)).toBe(true);
    expect(JSON.stringify(state)).not.toContain(CANARY);
  });

  test('the deploy output and a later plan hold neither the canary nor a key, and the plan changes nothing', () => {
    const plan = pki.plan({ env: ENV });
    for (const text of [output(deploy), output(plan)]) {
      expect(text).not.toContain(CANARY);
      expect(keyTraces(text, privateKeyLines(outputDir()))).toEqual([]);
    }
    expect(output(plan)).toMatch(/no change/i);
  });

  test('certificates and READMEs hold the names configured, never a key', () => {
    const subject = (file: string) => new X509Certificate(fs.readFileSync(path.join(outputDir(), file))).subject;
    expect(subject('certs/server/server.crt')).toBe('CN=localhost');
    expect(subject('ca/ca.crt')).toBe('O=Chariot TLS\nOU=CA\nCN=Chariot TLS Root CA');
    const readme = fs.readFileSync(path.join(outputDir(), 'certs/server/README.txt'), 'utf8');
    expect(readme).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    expect(readme).not.toContain(CANARY);
  });
});

describe('names holding expressions are refused before the engine runs', () => {
  const cases = (['plan', 'deploy'] as const).flatMap((command) => [KEY_REFERENCE, FILE_CALL].map((payload) => [command, payload] as const));

  test.each(cases)('%s with server.commonName %s fails with our message and writes nothing', (command, payload) => {
    const pki = Deployment.create({ caRsaBits: 2048, server: { dnsNames: ['c.example.com'], commonName: payload }, engineClients: ['e'] });
    const result = pki[command]({ env: ENV, allowFailure: true });
    expect(result.status).not.toBe(0);
    expect(output(result)).toContain(`server.commonName ${JSON.stringify(payload)} holds "\${" or "%{", which Terraform would evaluate as an expression`);
    expect(output(result)).not.toContain(CANARY);
    // No state, no output directory, no synthesized stack: nothing reached the engine.
    expect(fs.readdirSync(pki.dir).filter((f) => f !== 'cdktf.out').sort()).toEqual(['chariot-tls.json']);
    expect(fs.existsSync(path.join(pki.stackDir, 'cdk.tf.json'))).toBe(false);
    fs.rmSync(pki.dir, { recursive: true, force: true });
  });
});
