/**
 * Upgrading from the previous release changes nothing: a PKI that the previous release deployed keeps its keys,
 * certificates, files, state and Terraform addresses when this release deploys it.
 *
 * The previous release is what it gave the engine: __tests__/fixtures/previous-release/cdk.tf.json, synthesized by
 * release 0.1.0 (commit a9c3df9, before products became files) from chariot-tls.json beside it, with the deployment
 * directory replaced by @DEPLOYMENT_DIR@. It holds no secret (keys are made by the engine), needs no git history, and
 * the engine deploys it here for real, as the previous release did.
 */
import { X509Certificate, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment, PROJECT } from './helpers/deployment';
import { run } from './helpers/run';
import { verifyPki } from './helpers/verify';

jest.setTimeout(20 * 60_000);

const FIXTURE = path.join(PROJECT, '__tests__', 'fixtures', 'previous-release');

let pki: Deployment;
let before: Record<string, unknown>;

/**
 * Every file of the PKI under `pki/` by SHA-256 (not the `.gitignore` and `PKI-OWNER.json` the deploy adds beside them), and the Terraform
 * addresses in the state. The state's content may change: this release keeps fewer copies of the CA keys in it.
 */
function hashes(): Record<string, unknown> {
  const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  const state = JSON.parse(fs.readFileSync(path.join(pki.dir, 'terraform.tfstate'), 'utf8'));
  const addresses = state.resources.map((r: { type: string; name: string }) => `${r.type}.${r.name}`).sort();
  const files = pki.files().filter((f) => f !== '.gitignore' && f !== 'PKI-OWNER.json');
  return { ...Object.fromEntries(files.map((f) => [f, sha(pki.file(f))])), addresses };
}

beforeAll(() => {
  pki = Deployment.create(JSON.parse(fs.readFileSync(path.join(FIXTURE, 'chariot-tls.json'), 'utf8')));
  const previous = path.join(pki.dir, 'previous-release');
  fs.mkdirSync(previous);
  const synthesized = fs.readFileSync(path.join(FIXTURE, 'cdk.tf.json'), 'utf8').split('@DEPLOYMENT_DIR@').join(pki.dir);
  fs.writeFileSync(path.join(previous, 'cdk.tf.json'), synthesized);
  const engine = '"$CHARIOT_TLS_ENGINE_BIN" init -input=false >/dev/null && "$CHARIOT_TLS_ENGINE_BIN" apply -input=false -auto-approve >/dev/null';
  run(path.join(PROJECT, 'scripts', 'engine', 'run.sh'), ['sh', '-c', engine], { cwd: previous });
  before = hashes();
});

describe('a PKI deployed by the previous release', () => {
  test('is a working PKI to begin with', () => {
    expect(() => verifyPki(pki, ['engine/engine-a', 'engine/engine-b', 'transmission/edge-1', 'transmission/edge-2'])).not.toThrow();
  });

  test('is deployed by this release with no change to any certificate, key, file or Terraform address', () => {
    const deployed = pki.deploy();
    expect(deployed.stdout).toContain('Certificates: no change.');
    const after = hashes() as Record<string, string> & { addresses: string[] };
    const { addresses, ...files } = before as Record<string, string> & { addresses: string[] };
    // Added on purpose since: the CRLs (signed by the deploy), the path length checks (data sources, read only) and
    // the server README's line on crl.pem. Nothing that was there changes otherwise.
    const added = (list: string[], was: string[]) => list.filter((x) => !was.includes(x));
    expect(added(Object.keys(after), Object.keys(before)).filter((f) => !/(^|[./])crl\.pem$/.test(f))).toEqual([]);
    expect(Object.fromEntries(Object.keys(files).filter((f) => f !== 'certs/server/README.txt').map((f) => [f, after[f]])))
      .toEqual(Object.fromEntries(Object.entries(files).filter(([f]) => f !== 'certs/server/README.txt')));
    expect(added(after.addresses, addresses).filter((a) => !/^tls_certificate\..*_path-length-check_/.test(a))).toEqual([]);
    expect(added(addresses, after.addresses)).toEqual([]);
  });

  test('and its output directory now says which PKI it holds: its state and its root', () => {
    const owner = JSON.parse(pki.read('PKI-OWNER.json'));
    expect(owner.state).toBe(`local:${path.join(pki.dir, 'terraform.tfstate')}`);
    expect(owner.rootFingerprints).toEqual([new X509Certificate(pki.read('ca/ca.crt')).fingerprint256]);
    expect(owner.files).toEqual(expect.arrayContaining(['ca/ca.crt', 'certs/server/server.key', 'certs/server/crl.pem']));
  });

  test('then plans no change', () => {
    expect(pki.plan().stdout).toContain('Certificates: no change.');
  });
});
