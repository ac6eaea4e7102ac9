/**
 * An enterprise root deployed from a hosted CI runner: a fresh checkout of the repository (the configuration, the
 * enterprise files and the certificates the enterprise CA returned, the encrypted CA key file) and the shared state in
 * PostgreSQL, with no output folder and so none of the requests the first deploy wrote. The returned certificates'
 * keys are checked against the requests in the state, as strictly as against the files: a good certificate deploys
 * and verifies four levels deep, one for another key is refused before anything is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnterpriseCa, enterpriseCa } from '../helpers/enterprise-ca';
import { Deployment } from './helpers/deployment';
import { Postgres, startPostgres } from './helpers/postgres';
import { RunResult, run } from './helpers/run';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(15 * 60_000);

const CAS = ['server', 'engine', 'transmission'];
const CONFIG = {
  organization: 'Runner Test',
  caRsaBits: 2048,
  server: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
  engineClients: ['engine'],
  transmissionClients: ['edge-1'],
  externalRoot: { certFile: 'enterprise/root.pem', intermediateFiles: ['enterprise/issuing.pem'] },
  // The Transmission CA's key is in an encrypted key file (in the repository, or restored from a CI secret).
  caKeyFiles: { directory: 'ca-keys', cas: ['transmission-ca'] },
  backend: { type: 'pg' },
  stateEncryption: { enabled: true },
};

let db: Postgres;
let env: Record<string, string>;
let enterprise: EnterpriseCa;
let operator: Deployment;
/** The requests the operator's first deploy wrote, by CA kind. */
const requests: Record<string, string> = {};
const runners: Deployment[] = [];

/** A fresh checkout: the repository's files (configuration, enterprise/, ca-keys/) and nothing else; no pki/, no cdktf.out/. */
function checkout(replace: Record<string, string> = {}): Deployment {
  const runner = Deployment.create(CONFIG);
  runners.push(runner);
  for (const folder of ['enterprise', 'ca-keys']) fs.cpSync(path.join(operator.dir, folder), path.join(runner.dir, folder), { recursive: true });
  for (const [file, pem] of Object.entries(replace)) fs.writeFileSync(path.join(runner.dir, file), pem);
  return runner;
}

beforeAll(async () => {
  db = await startPostgres();
  env = { PG_CONN_STR: db.url, CHARIOT_TLS_STATE_PASSPHRASE: 'runner test state passphrase', CHARIOT_TLS_CA_KEY_PASSPHRASE: 'runner test key file passphrase' };
  enterprise = enterpriseCa('Runner Test Enterprise');
  // The operator's first deploy writes the requests; the security team signs them; the certificates are committed.
  operator = Deployment.create(CONFIG);
  fs.mkdirSync(path.join(operator.dir, 'enterprise'));
  fs.copyFileSync(enterprise.rootFile, path.join(operator.dir, 'enterprise', 'root.pem'));
  fs.copyFileSync(enterprise.issuingFile, path.join(operator.dir, 'enterprise', 'issuing.pem'));
  const first = operator.deploy({ env });
  expect(first.stdout).toContain('waiting for the enterprise CA: 3 certificate signing requests to sign.');
  for (const kind of CAS) {
    requests[kind] = operator.read(`ca/${kind}/${kind}-ca.csr`);
    fs.writeFileSync(path.join(operator.dir, 'enterprise', `${kind}-ca.crt`), enterprise.sign(operator.file(`ca/${kind}/${kind}-ca.csr`)));
  }
});

afterAll(() => {
  db?.stop();
  enterprise?.remove();
  for (const dir of [operator, ...runners].filter(Boolean).map((d) => d.dir)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a runner with the repository and the shared state only', () => {
  let runner: Deployment;
  let deployed: RunResult;
  beforeAll(() => {
    runner = checkout();
    expect(fs.existsSync(runner.file(''))).toBe(false);
    deployed = runner.deploy({ env, allowFailure: true });
  });

  test('deploys: the returned certificates are checked against the requests in the state and used', () => {
    expect(deployed.stderr).not.toContain('no request');
    expect(deployed.status).toBe(0);
    expect(deployed.stdout).not.toContain('waiting for the enterprise CA');
    for (const kind of CAS) expect(runner.read(`ca/${kind}/${kind}-ca.crt`).trim()).toBe(fs.readFileSync(path.join(runner.dir, 'enterprise', `${kind}-ca.crt`), 'utf8').trim());
  });

  test('its output folder holds the requests the operator\'s first deploy wrote, written again from the state', () => {
    for (const kind of CAS) expect(runner.read(`ca/${kind}/${kind}-ca.csr`)).toBe(requests[kind]);
  });

  test.each([
    ['sslserver', 'certs/server/server.crt', 'certs/server/ca-chain.pem'],
    ['sslclient', 'certs/engine/engine/cert.pem', 'certs/server/client-ca.pem'],
    ['sslclient', 'certs/transmission/edge-1/cert.pem', 'certs/server/client-ca.pem'],
  ] as const)('openssl verify -x509_strict -purpose %s accepts %s four levels deep under the enterprise root', (purpose, cert, chain) => {
    const result = opensslVerify(purpose, runner.file('ca/ca.crt'), runner.file(cert), runner.file(chain));
    expect(result).toMatchObject({ status: 0 });
    expect(result.stdout).toContain('depth=3: O = Runner Test Enterprise, CN = Runner Test Enterprise Root CA\n');
  });

  test('the Transmission CA, whose key is in its key file, signed its CRL', () => {
    const crl = run('openssl', ['crl', '-in', runner.file('ca/transmission/transmission-ca.crl.pem'), '-noout', '-CAfile', runner.file('ca/transmission/transmission-ca.crt')], { allowFailure: true });
    expect(`${crl.stdout}${crl.stderr}`).toMatch(/verify OK/);
  });
});

describe('a runner whose returned certificate is for another key than the request in the state', () => {
  let runner: Deployment;
  beforeAll(() => {
    runner = checkout({ 'enterprise/server-ca.crt': enterprise.sign(enterprise.foreignRequest('Runner Test Server CA')) });
  });

  test.each(['plan', 'deploy'] as const)('%s refuses it, naming the certificate and the request in the state, and writes no output folder', (command) => {
    const refused = runner[command]({ env, allowFailure: true });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('enterprise/server-ca.crt (the certificate returned for server-ca): is not for the key of server-ca (its public key is not the one in the request of server-ca in the state)');
    expect(fs.existsSync(runner.file(''))).toBe(false);
  });
});

describe('a checkout whose state holds no request (another state), and no output folder', () => {
  test('the deploy refuses, saying the request is neither in the output folder nor in the state', () => {
    const runner = checkout();
    // A local state of its own, empty: not the state that made the requests.
    runner.configure({ ...CONFIG, backend: { type: 'local', path: 'terraform.tfstate' } });
    const refused = runner.deploy({ env, allowFailure: true });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/enterprise\/server-ca\.crt \(the certificate returned for server-ca\): there is no request to check its key against: .*\/pki\/ca\/server\/server-ca\.csr is absent, and the state holds no request of server-ca/);
    expect(fs.existsSync(runner.file(''))).toBe(false);
  });
});
