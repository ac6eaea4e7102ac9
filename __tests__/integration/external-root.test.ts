/**
 * An enterprise root above the hierarchy, for real: an enterprise CA built by openssl in the test (a root and its
 * issuing intermediate), a first deploy that writes the three CA requests and stops in our words, the requests
 * signed by openssl as a security team would, and a second deploy that checks the certificates and issues
 * everything below them. The leaves sit four levels deep; openssl strict, Mosquitto mutual TLS and a Java client
 * reading the PEM files check every chain. Bad certificates are refused before anything is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnterpriseCa, SignOptions, enterpriseCa } from '../helpers/enterprise-ca';
import { Deployment, PROJECT } from './helpers/deployment';
import { Broker, startBroker } from './helpers/mosquitto';
import { publish } from './helpers/mqtt';
import { RunResult, run } from './helpers/run';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(20 * 60_000);

const JAVA_CLIENT = path.join(__dirname, 'helpers', 'JavaMqttClient.java');
const CAS = ['server', 'engine', 'transmission'];
const CONFIG = {
  organization: 'Corp Test',
  caRsaBits: 2048,
  server: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
  engineClients: ['engine'],
  transmissionClients: ['edge-1'],
  externalRoot: { certFile: 'enterprise/root.pem', intermediateFiles: ['enterprise/issuing.pem'] },
};

let enterprise: EnterpriseCa;
let pki: Deployment;
let first: RunResult;
let second: RunResult;
const signedFile = (kind: string) => path.join(pki.dir, 'enterprise', `${kind}-ca.crt`);
const sign = (kind: string, options?: SignOptions) => enterprise.sign(pki.file(`ca/${kind}/${kind}-ca.csr`), options);
/** Every file under the output directory with its content: what "nothing was written" is checked against. */
const snapshot = () => Object.fromEntries(pki.files().map((f) => [f, fs.readFileSync(pki.file(f), 'utf8')]));

beforeAll(() => {
  enterprise = enterpriseCa('Corp Test Enterprise');
  pki = Deployment.create(CONFIG);
  enterprise.handTo(pki.dir);
  first = pki.deploy();
  // The security team signs each request with the enterprise issuing CA, with the extensions the deploy asked for.
  for (const kind of CAS) fs.writeFileSync(signedFile(kind), sign(kind));
  second = pki.deploy();
});

afterAll(() => {
  enterprise.remove();
  fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('the first deploy', () => {
  test('writes a request for each CA and stops in our words: what to sign, with which extensions, where to put it', () => {
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('chariot-tls: waiting for the enterprise CA: 3 certificate signing requests to sign.');
    for (const kind of CAS) expect(first.stdout).toContain(`  pki/ca/${kind}/${kind}-ca.csr  ->  enterprise/${kind}-ca.crt`);
    expect(first.stdout).toContain('  basicConstraints = critical, CA:TRUE, pathlen:0');
    expect(first.stdout).toContain('  keyUsage         = critical, keyCertSign, cRLSign');
  });

  test('each request is signed by its key and names its CA', () => {
    for (const kind of CAS) {
      const text = run('openssl', ['req', '-in', pki.file(`ca/${kind}/${kind}-ca.csr`), '-noout', '-verify', '-subject'], { allowFailure: true });
      expect(`${text.stdout}${text.stderr}`).toMatch(/verify OK/i);
      expect(text.stdout).toContain(`CN = Corp Test ${kind[0].toUpperCase()}${kind.slice(1)} CA`);
    }
  });
});

describe('the second deploy, with the certificates back', () => {
  test('issues the server and client certificates; the enterprise chain is in ca/', () => {
    expect(second.stdout).not.toContain('waiting for the enterprise CA');
    for (const file of ['certs/server/server.crt', 'certs/engine/engine/cert.pem', 'certs/transmission/edge-1/cert.pem', 'ca/ca.crt', 'ca/enterprise/intermediate-1.crt']) {
      expect(fs.existsSync(pki.file(file))).toBe(true);
    }
    expect(pki.read('ca/ca.crt')).toBe(fs.readFileSync(enterprise.rootFile, 'utf8'));
    expect(pki.read('ca/server/server-ca.crt').trim()).toBe(fs.readFileSync(signedFile('server'), 'utf8').trim());
  });

  test.each([
    ['sslserver', 'certs/server/server.crt', 'certs/server/ca-chain.pem'],
    ['sslclient', 'certs/engine/engine/cert.pem', 'certs/server/client-ca.pem'],
    ['sslclient', 'certs/transmission/edge-1/cert.pem', 'certs/server/client-ca.pem'],
  ] as const)('openssl verify -x509_strict -purpose %s accepts %s four levels deep, with %s as the chain', (purpose, cert, chain) => {
    const result = opensslVerify(purpose, pki.file('ca/ca.crt'), pki.file(cert), pki.file(chain));
    expect(result).toMatchObject({ status: 0 });
    expect(result.stdout).toContain('depth=3: O = Corp Test Enterprise, CN = Corp Test Enterprise Root CA\n');
    expect(result.stdout).toContain('depth=2: O = Corp Test Enterprise, CN = Corp Test Enterprise Issuing CA 1 (untrusted)\n');
  });

  test('the Root CA Chain and every ca.pem end with the enterprise intermediate and root', () => {
    const names = (file: string) => run('openssl', ['crl2pkcs7', '-nocrl', '-certfile', pki.file(file)]).stdout;
    for (const file of ['certs/server/ca-chain.pem', 'certs/engine/engine/ca.pem', 'certs/transmission/edge-1/ca.pem', 'certs/server/client-ca.pem']) {
      const text = pki.read(file);
      expect(names(file)).toBeTruthy();
      expect(text).toContain(fs.readFileSync(enterprise.issuingFile, 'utf8').trim());
      expect(text.trim().endsWith(fs.readFileSync(enterprise.rootFile, 'utf8').trim())).toBe(true);
    }
  });

  test('each CA gets its CRL, signed with its own key', () => {
    for (const kind of CAS) {
      const result = run('openssl', ['crl', '-in', pki.file(`ca/${kind}/${kind}-ca.crl.pem`), '-noout', '-CAfile', pki.file(`ca/${kind}/${kind}-ca.crt`)], { allowFailure: true });
      expect(`${result.stdout}${result.stderr}`).toMatch(/verify OK/);
    }
  });

  test('inspect verifies every chain up to the enterprise root', () => {
    const result = run('npm', ['run', '--silent', 'inspect', '--', '--json', '--dir', pki.file('')], { cwd: PROJECT, allowFailure: true });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    const failed = report.certificates.filter((c: any) => !c.chain.verified).map((c: any) => c.label);
    expect(failed).toEqual([]);
  });

  describe('with real peers', () => {
    let broker: Broker;
    beforeAll(async () => {
      broker = await startBroker({ cert: pki.file('certs/server/fullchain.pem'), privateKey: pki.file('certs/server/server.key'), clientCa: pki.file('certs/server/client-ca.pem') });
    });
    afterAll(() => broker?.stop());

    test.each(['engine/engine', 'transmission/edge-1'])('Mosquitto takes %s over mutual TLS', (client) => {
      const folder = `certs/${client}`;
      const result = publish('localhost', broker.port, { ca: pki.file(`${folder}/ca.pem`), cert: pki.file(`${folder}/cert.pem`), privateKey: pki.file(`${folder}/private.key`) }, 'spBv1.0/x', 'hello');
      expect(result).toMatchObject({ status: 0 });
    });

    test('a Java client reading cert.pem, private.key and ca.pem connects, checking the server name', () => {
      const folder = 'certs/transmission/edge-1';
      const result = run('java', [JAVA_CLIENT, 'localhost', String(broker.port), pki.file(`${folder}/cert.pem`), pki.file(`${folder}/private.key`), pki.file(`${folder}/ca.pem`), '--pem'], { allowFailure: true });
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/^TLS TLSv1\.[23] as CN=edge-1,OU=transmission,O=Corp Test; CONNACK return code 0\n/);
    });

    test('the Java client refuses an address not in the server certificate', () => {
      const folder = 'certs/transmission/edge-1';
      const result = run('java', [JAVA_CLIENT, '127.0.0.2', String(broker.otherAddressPort), pki.file(`${folder}/cert.pem`), pki.file(`${folder}/private.key`), pki.file(`${folder}/ca.pem`), '--pem'], { allowFailure: true });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('No subject alternative names matching IP address 127.0.0.2 found');
    });
  });
});

describe('a bad certificate back from the enterprise CA is refused, naming the problem, and nothing is written', () => {
  test.each<[string, () => string, RegExp]>([
    ['whose key does not match', () => enterprise.sign(enterprise.foreignRequest('Corp Test Server CA')), /is not for the key of server-ca/],
    ['that is not a CA', () => sign('server', { ca: false }), /is not a CA certificate \(basicConstraints CA:TRUE is missing\)/],
    ['whose validity outlives the enterprise issuer', () => sign('server', { days: 5000 }), /is valid until .*, after its issuer externalRoot\.intermediateFiles\[0\] "enterprise\/issuing\.pem" expires/],
  ])('one %s', (_, bad, message) => {
    const good = fs.readFileSync(signedFile('server'), 'utf8');
    const before = snapshot();
    fs.writeFileSync(signedFile('server'), bad());
    try {
      const refused = pki.deploy({ allowFailure: true });
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain('enterprise/server-ca.crt (the certificate returned for server-ca): ');
      expect(refused.stderr).toMatch(message);
      expect(snapshot()).toEqual(before);
    } finally {
      fs.writeFileSync(signedFile('server'), good);
    }
  });

  test('a missing certificate over a PKI issued below it is refused: the deploy would destroy every certificate', () => {
    const good = fs.readFileSync(signedFile('engine'), 'utf8');
    const before = snapshot();
    fs.rmSync(signedFile('engine'));
    try {
      const refused = pki.deploy({ allowFailure: true });
      expect(refused.status).not.toBe(0);
      expect(`${refused.stdout}${refused.stderr}`).toMatch(/the certificate the enterprise CA returned is missing \(.*enterprise\/engine-ca\.crt\), but the state holds \d+ certificates issued below it/);
      expect(snapshot()).toEqual(before);
    } finally {
      fs.writeFileSync(signedFile('engine'), good);
    }
  });
});

describe('a fresh checkout beside the local state: no output folder, so none of the requests', () => {
  let good: string;
  beforeAll(() => {
    good = fs.readFileSync(signedFile('server'), 'utf8');
    fs.rmSync(pki.file(''), { recursive: true });
    fs.rmSync(pki.outdir, { recursive: true });
  });
  afterAll(() => fs.writeFileSync(signedFile('server'), good));

  test('a returned certificate for another key is refused against the request in the state, and no output folder is written', () => {
    fs.writeFileSync(signedFile('server'), enterprise.sign(enterprise.foreignRequest('Corp Test Server CA')));
    const refused = pki.deploy({ allowFailure: true });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('enterprise/server-ca.crt (the certificate returned for server-ca): is not for the key of server-ca (its public key is not the one in the request of server-ca in the state)');
    expect(fs.existsSync(pki.file(''))).toBe(false);
  });

  test('with the right certificates the deploy checks them against the state and writes every file again; the chains verify', () => {
    fs.writeFileSync(signedFile('server'), good);
    const again = pki.deploy({ allowFailure: true });
    expect(again.stderr).not.toContain('invalid configuration');
    expect(again.status).toBe(0);
    for (const kind of CAS) expect(fs.existsSync(pki.file(`ca/${kind}/${kind}-ca.csr`))).toBe(true);
    expect(opensslVerify('sslclient', pki.file('ca/ca.crt'), pki.file('certs/transmission/edge-1/cert.pem'), pki.file('certs/server/client-ca.pem'))).toMatchObject({ status: 0 });
    expect(opensslVerify('sslserver', pki.file('ca/ca.crt'), pki.file('certs/server/server.crt'), pki.file('certs/server/ca-chain.pem'))).toMatchObject({ status: 0 });
  });
});

describe('with the Transmission CA key in an encrypted key file (caKeyFiles)', () => {
  const ENV = { CHARIOT_TLS_CA_KEY_PASSPHRASE: 'external root key file passphrase' };
  let keyed: Deployment;
  let firstKeyed: RunResult;
  let secondKeyed: RunResult;
  beforeAll(() => {
    keyed = Deployment.create({ ...CONFIG, caKeyFiles: { directory: 'ca-keys', cas: ['transmission-ca'] } });
    fs.mkdirSync(path.join(keyed.dir, 'enterprise'));
    fs.copyFileSync(enterprise.rootFile, path.join(keyed.dir, 'enterprise', 'root.pem'));
    fs.copyFileSync(enterprise.issuingFile, path.join(keyed.dir, 'enterprise', 'issuing.pem'));
    firstKeyed = keyed.deploy({ env: ENV });
    for (const kind of CAS) fs.writeFileSync(path.join(keyed.dir, 'enterprise', `${kind}-ca.crt`), enterprise.sign(keyed.file(`ca/${kind}/${kind}-ca.csr`)));
    secondKeyed = keyed.deploy({ env: ENV });
  });
  afterAll(() => fs.rmSync(keyed.dir, { recursive: true, force: true }));

  test('the first deploy creates the key file and makes the request with it; the state holds no copy of that key', () => {
    expect(firstKeyed.stdout).toContain('waiting for the enterprise CA: 3 certificate signing requests');
    expect(fs.existsSync(path.join(keyed.dir, 'ca-keys', 'transmission-ca.key'))).toBe(true);
    const state = JSON.parse(fs.readFileSync(path.join(keyed.dir, 'terraform.tfstate'), 'utf8'));
    const keys = state.resources.filter((r: any) => r.type === 'tls_private_key').map((r: any) => r.name);
    expect(keys.some((name: string) => name.includes('transmission-ca'))).toBe(false);
    expect(keys.some((name: string) => name.includes('server-ca'))).toBe(true);
  });

  test('the certificate returned for the key file\'s request is accepted, and its clients verify four levels deep', () => {
    expect(secondKeyed.status).toBe(0);
    const result = opensslVerify('sslclient', keyed.file('ca/ca.crt'), keyed.file('certs/transmission/edge-1/cert.pem'), keyed.file('certs/server/client-ca.pem'));
    expect(result).toMatchObject({ status: 0 });
    expect(result.stdout).toContain('depth=3: O = Corp Test Enterprise, CN = Corp Test Enterprise Root CA\n');
    const crl = run('openssl', ['crl', '-in', keyed.file('ca/transmission/transmission-ca.crl.pem'), '-noout', '-CAfile', keyed.file('ca/transmission/transmission-ca.crt')], { allowFailure: true });
    expect(`${crl.stdout}${crl.stderr}`).toMatch(/verify OK/);
  });
});
