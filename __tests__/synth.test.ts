import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../app/config';
import { synthesizeForCommand } from '../app/synth';

describe("what a command's synth gives the engine", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-synth-'));
  fs.writeFileSync(path.join(dir, 'chariot-tls.json'), JSON.stringify({ server: { dnsNames: ['localhost'] }, transmissionClients: ['edge-1'] }));
  const config = loadConfig({}, dir);
  const app = synthesizeForCommand(config, path.join(dir, 'cdktf.out'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the parsed stack is the cdk.tf.json it wrote, also when the result is passed on as a copy ({ ...app })', () => {
    const written = JSON.parse(fs.readFileSync(path.join(app.stackDir, 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(written.resource.tls_private_key)).toContainEqual(expect.stringMatching(/^pki_transmission_edge-1_key_/));
    expect({ ...app }.synthesized).toEqual(written);
    expect(app.synthesized).toBe(app.synthesized);
  });

  test('carries the configuration it was given', () => {
    expect(app.config).toBe(config);
    expect({ ...app }.config).toBe(config);
  });
});
