import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OpensslCa, opensslCa } from '../helpers/openssl-ca';
import { Deployment } from './helpers/deployment';
import { Broker, startBroker } from './helpers/mosquitto';
import { certificates } from './helpers/pem';
import { RunResult, run } from './helpers/run';

jest.setTimeout(10 * 60_000);

/** The variable the deploy reads the PKCS#12 password from (the configuration's default). */
const PASSWORD_ENV = 'CHARIOT_TLS_PKCS12_PASSWORD';
const PASSWORD = 'integration-p12-password';
const NEW_PASSWORD = 'integration-p12-password-2';
const SERVER = { dnsNames: ['localhost', 'chariot.local'], ipAddresses: ['127.0.0.1'] };
// 2048-bit CA keys: the hierarchy is the same, the deploy quicker.
const CONFIG = { organization: 'Bundle Test', caRsaBits: 2048, server: SERVER, engineClients: ['engine'], transmissionClients: ['edge-1'], pkcs12: {} };
const FOLDERS: Record<string, string[]> = {
  'certs/server': ['README.txt', 'ca-chain.pem', 'client-ca.pem', 'client-truststore.p12', 'crl.pem', 'fullchain.pem', 'server.crt', 'server.key', 'server.p12', 'server.pkcs8.key'],
  'certs/engine/engine': ['README.txt', 'ca.pem', 'cert.pem', 'client.p12', 'private.key'],
  'certs/transmission/edge-1': ['README.txt', 'ca.pem', 'cert.pem', 'client.p12', 'private.key'],
};
const JAVA_CLIENT = path.join(__dirname, 'helpers', 'JavaMqttClient.java');
/** A Java TLS server that requires a client certificate, and a Java client, in one run (helpers/JavaRevocationCheck.java). */
const JAVA_SERVER_AND_CLIENT = path.join(__dirname, 'helpers', 'JavaRevocationCheck.java');
const TRUST_STORE = 'certs/server/client-truststore.p12';

let pki: Deployment;
let first: RunResult;

/** Runs a deploy with the PKCS#12 password in the environment, as an operator would. */
function deployWith(password: string): RunResult {
  process.env[PASSWORD_ENV] = password;
  try {
    return pki.deploy();
  } finally {
    delete process.env[PASSWORD_ENV];
  }
}

beforeAll(() => {
  pki = Deployment.create(CONFIG);
  first = deployWith(PASSWORD);
});

// The directory holds private keys and state: leave none behind.
afterAll(() => pki && fs.rmSync(pki.dir, { recursive: true, force: true }));

/** The fields a README's table maps to files: `[field, file]`. */
function fieldTable(readme: string): [string, string][] {
  const rows = readme.split('\n').filter((l) => /^ {2}\S/.test(l));
  const header = rows.findIndex((l) => /^ {2}Field +File +What it is$/.test(l));
  return rows.slice(header + 1).map((l) => l.trim().split(/ {2,}/)).filter((r) => r.length === 3).map(([field, file]) => [field, file]);
}

describe('the upload folders', () => {
  test.each(Object.entries(FOLDERS))('%s holds exactly its product\'s files and its README', (folder, files) => {
    expect(fs.readdirSync(pki.file(folder)).sort()).toEqual(files);
  });

  test('Chariot\'s README maps its three fields to files in its folder', () => {
    const table = fieldTable(pki.read('certs/server/README.txt'));
    expect(table).toEqual([['Private Key', 'server.key'], ['Server Certificate', 'server.crt'], ['Root CA Chain', 'ca-chain.pem']]);
    for (const [, file] of table) expect(fs.existsSync(pki.file(`certs/server/${file}`))).toBe(true);
  });

  test.each(['certs/engine/engine', 'certs/transmission/edge-1'])('%s: the README maps each client field to a file in the folder; the password stays empty', (folder) => {
    const table = fieldTable(pki.read(`${folder}/README.txt`));
    expect(table).toEqual([
      ['URL', 'ssl://HOST:8883'],
      ['CA Certificate File', 'ca.pem'],
      ['Client Certificate File', 'cert.pem'],
      ['Client Private Key File', 'private.key'],
      ['Password', '(leave empty)'],
    ]);
    // "Leave empty" is true: the key is not encrypted.
    expect(pki.read(`${folder}/private.key`)).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n(?!Proc-Type)/);
  });

  test.each(Object.keys(FOLDERS))('%s: the README gives the certificate\'s real expiry', (folder) => {
    const certFile = folder === 'certs/server' ? 'server.crt' : 'cert.pem';
    const notAfter = new Date(new X509Certificate(pki.read(`${folder}/${certFile}`)).validTo);
    const expected = `${notAfter.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
    expect(pki.read(`${folder}/README.txt`)).toContain(`Certificate expires: ${expected}; a deploy re-issues it from 60 days before.`);
  });

  test.each(Object.keys(FOLDERS))('%s: the README lists the server URLs by the names in the server certificate', (folder) => {
    expect(pki.read(`${folder}/README.txt`)).toContain('\n  ssl://localhost:8883\n  ssl://chariot.local:8883\n  ssl://127.0.0.1:8883\n');
  });
});

describe('the PKCS#12 files', () => {
  const p12Files = ['certs/server/server.p12', 'certs/engine/engine/client.p12', 'certs/transmission/edge-1/client.p12'];

  test.each(p12Files)('%s is mode 0600', (file) => {
    expect((fs.statSync(pki.file(file)).mode & 0o777).toString(8)).toBe('600');
  });

  test.each(p12Files)('%s opens in OpenSSL with the password: the folder\'s key and certificate, then its chain to the root', (file) => {
    const folder = path.dirname(file);
    const env = { ...process.env, P12: PASSWORD };
    const certs = run('openssl', ['pkcs12', '-in', pki.file(file), '-passin', 'env:P12', '-nokeys'], { env }).stdout;
    const key = run('openssl', ['pkcs12', '-in', pki.file(file), '-passin', 'env:P12', '-nocerts', '-nodes'], { env }).stdout;
    const leaf = folder === 'certs/server' ? 'server.crt' : 'cert.pem';
    const issuerCa = { 'certs/server': 'ca/server/server-ca.crt', 'certs/engine/engine': 'ca/engine/engine-ca.crt', 'certs/transmission/edge-1': 'ca/transmission/transmission-ca.crt' }[folder]!;
    const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
    expect(certificates(certs).map((c) => c.fingerprint256)).toEqual([`${folder}/${leaf}`, issuerCa, 'ca/ca.crt'].map((f) => fingerprint(pki.read(f))));
    // The same key as the PEM file: compare public keys, not the secret.
    const publicOf = (pem: string) => run('openssl', ['pkey', '-pubout'], { input: pem }).stdout;
    expect(publicOf(key)).toBe(publicOf(pki.read(`${folder}/${folder === 'certs/server' ? 'server.key' : 'private.key'}`)));
  });

  test('a wrong password does not open it', () => {
    expect(run('openssl', ['pkcs12', '-in', pki.file(p12Files[0]), '-passin', 'pass:not-the-password', '-nokeys'], { allowFailure: true }).status).not.toBe(0);
  });

  test.each(p12Files)('%s loads in Java\'s keytool as one private key entry with a chain of 3, aliased by its common name', (file) => {
    const out = run('keytool', ['-list', '-v', '-storetype', 'PKCS12', '-keystore', pki.file(file), '-storepass:env', 'P12'], { env: { ...process.env, P12: PASSWORD } }).stdout;
    const cn = file.includes('server') ? 'localhost' : path.basename(path.dirname(file));
    expect(out).toContain('Your keystore contains 1 entry');
    expect(out).toContain(`Alias name: ${cn}\n`);
    expect(out).toContain('Entry type: PrivateKeyEntry');
    expect(out).toContain('Certificate chain length: 3');
  });

  describe('Java TLS against Mosquitto with the deployed server files', () => {
    let broker: Broker;
    beforeAll(async () => {
      broker = await startBroker({ cert: pki.file('certs/server/fullchain.pem'), privateKey: pki.file('certs/server/server.key'), clientCa: pki.file('certs/server/client-ca.pem') });
    });
    afterAll(() => broker?.stop());

    test.each(['certs/engine/engine', 'certs/transmission/edge-1'])('%s: a Java client with client.p12 and ca.pem connects and is accepted', (folder) => {
      const result = run('java', [JAVA_CLIENT, 'localhost', String(broker.port), pki.file(`${folder}/client.p12`), pki.file(`${folder}/ca.pem`), 'P12'], {
        env: { ...process.env, P12: PASSWORD },
      });
      expect(result.stdout).toMatch(new RegExp(`^TLS TLSv1\\.[23] as CN=${path.basename(folder)},OU=\\w+,O=Bundle Test; CONNACK return code 0\\n`));
    });

    test('the Java client checks the server name: an address not in the certificate is refused', () => {
      const folder = 'certs/engine/engine';
      const result = run('java', [JAVA_CLIENT, '127.0.0.2', String(broker.otherAddressPort), pki.file(`${folder}/client.p12`), pki.file(`${folder}/ca.pem`), 'P12'], {
        env: { ...process.env, P12: PASSWORD }, allowFailure: true,
      });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('No subject alternative names matching IP address 127.0.0.2 found');
    });
  });
});

describe("Chariot's client trust store, client-truststore.p12", () => {
  const env = () => ({ ...process.env, P12: PASSWORD });

  test('is public: mode 0644, like client-ca.pem', () => {
    expect((fs.statSync(pki.file(TRUST_STORE)).mode & 0o777).toString(8)).toBe('644');
  });

  test("keytool lists one trusted certificate entry per CA of client-ca.pem, aliased by its common name (Java lower-cases it)", () => {
    const out = run('keytool', ['-list', '-storetype', 'PKCS12', '-keystore', pki.file(TRUST_STORE), '-storepass:env', 'P12'], { env: env() }).stdout;
    expect(out).toContain('Your keystore contains 3 entries');
    const entries = [...out.matchAll(/^(.+), [A-Z][a-z]{2} \d{1,2}, \d{4}, (\w+),\s*$/gm)].map((m) => [m[1], m[2]]);
    expect(entries.sort()).toEqual([
      ['bundle test engine ca', 'trustedCertEntry'],
      ['bundle test root ca', 'trustedCertEntry'],
      ['bundle test transmission ca', 'trustedCertEntry'],
    ]);
  });

  test('holds exactly the certificates of client-ca.pem', () => {
    const rfc = run('keytool', ['-list', '-rfc', '-storetype', 'PKCS12', '-keystore', pki.file(TRUST_STORE), '-storepass:env', 'P12'], { env: env() }).stdout;
    const fingerprints = (pem: string) => certificates(pem).map((c) => c.fingerprint256).sort();
    expect(fingerprints(rfc)).toEqual(fingerprints(pki.read('certs/server/client-ca.pem')));
  });

  test('keytool refuses it with another password', () => {
    const result = run('keytool', ['-list', '-storetype', 'PKCS12', '-keystore', pki.file(TRUST_STORE), '-storepass', 'not-the-password'], { allowFailure: true });
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('integrity');
  });

  describe('as the trust store of a Java TLS server on 127.0.0.1 that requires a client certificate', () => {
    const clientCrls = () => ['ca/server/server-ca.crl.pem', 'ca/ca.crl.pem'].map((f) => pki.file(f)).join(',');
    /** The Java server with server.p12 and the trust store, and a Java client with this key store and ca.pem. */
    const handshake = (clientKeyStore: string, clientCa: string) => run('java', [JAVA_SERVER_AND_CLIENT, pki.file('certs/server/server.p12'), pki.file(TRUST_STORE),
      pki.file('certs/server/crl.pem'), clientKeyStore, clientCa, clientCrls(), 'P12'], { env: env(), allowFailure: true, timeout: 120_000 });
    let foreign: OpensslCa;
    afterAll(() => foreign?.remove());

    test.each(['certs/transmission/edge-1', 'certs/engine/engine'])('%s: a deployed client certificate is accepted', (folder) => {
      const result = handshake(pki.file(`${folder}/client.p12`), pki.file(`${folder}/ca.pem`));
      expect(result.stdout).toBe('accepted\n');
      expect(result.status).toBe(0);
    });

    test('a client certificate of a CA not in the store is refused by the server', () => {
      foreign = opensslCa('Foreign Client CA');
      const { certFile } = foreign.issue('intruder', 'transmission');
      const keyStore = path.join(foreign.dir, 'intruder.p12');
      run('openssl', ['pkcs12', '-export', '-in', certFile, '-inkey', certFile.replace(/\.crt$/, '.key'), '-certfile', foreign.certFile, '-name', 'intruder', '-out', keyStore, '-passout', 'env:P12'], { env: env() });
      const result = handshake(keyStore, pki.file('certs/transmission/edge-1/ca.pem'));
      expect(result.status).toBe(2);
      expect(result.stdout).toMatch(/^refused: server: javax\.net\.ssl\.SSLHandshakeException: .*(unable to find valid certification path|PKIX path building failed)/);
    });
  });
});

describe('the deploy output', () => {
  test('says what it deploys, then summarizes: everything created, the files, the first expiry', () => {
    expect(first.stdout).toMatch(/^chariot-tls deploy: configuration .*, output .*pki\n/);
    expect(first.stdout).not.toMatch(/CA CHANGE/);
    expect(first.stdout).toContain('chariot-tls: deployed 7 certificates\n  certificates   7 created; 0 unchanged\n  keys           7 created, 0 unchanged\n  PKCS#12        3 created, 0 updated, 0 unchanged (mode 0600)\n  trust stores   1 created, 0 updated, 0 unchanged (client-truststore.p12, mode 0644)\n');
    expect(first.stdout).toMatch(/^ {2}1\. upload certs\/server\/client-truststore\.p12 to Chariot \(client trust store\)$/m);
    expect(first.stdout).toMatch(/\n {2}expires first {2}\d{4}-\d\d-\d\d {2}\S+ \(certs\/[^)]+\), in 729 days\n/);
  });

  test('never shows the PKCS#12 password', () => {
    expect(`${first.stdout}${first.stderr}`).not.toContain(PASSWORD);
  });

  describe('after a new server name and a new password', () => {
    let second: RunResult;
    let before: Record<string, string>;
    beforeAll(() => {
      before = Object.fromEntries(['certs/server/server.crt', 'certs/engine/engine/cert.pem'].map((f) => [f, pki.fingerprint(f)]));
      pki.configure({ ...CONFIG, server: { ...SERVER, dnsNames: [...SERVER.dnsNames, 'mqtt.local'] } });
      second = deployWith(NEW_PASSWORD);
    });

    test('counts the server certificate as re-issued, as the plan did, its key and the rest unchanged', () => {
      expect(pki.fingerprint('certs/server/server.crt')).not.toBe(before['certs/server/server.crt']);
      expect(pki.fingerprint('certs/engine/engine/cert.pem')).toBe(before['certs/engine/engine/cert.pem']);
      expect(second.stdout).toMatch(/^Certificates: 1 re-issued; 6 unchanged\.$/m);
      expect(second.stdout).toContain('  certificates   1 re-issued; 6 unchanged\n  keys           0 created, 7 unchanged\n');
    });

    test('rewrites every PKCS#12 file for the new password, and the server\'s README with the new name', () => {
      expect(second.stdout).toContain('  PKCS#12        0 created, 3 updated, 0 unchanged (mode 0600)\n  trust stores   0 created, 1 updated, 0 unchanged (client-truststore.p12, mode 0644)\n');
      expect(run('keytool', ['-list', '-storetype', 'PKCS12', '-keystore', pki.file(TRUST_STORE), '-storepass:env', 'P12'], { env: { ...process.env, P12: NEW_PASSWORD } }).stdout).toContain('Your keystore contains 3 entries');
      const open = (password: string) => run('openssl', ['pkcs12', '-in', pki.file('certs/engine/engine/client.p12'), '-passin', 'env:P12', '-nokeys'], { env: { ...process.env, P12: password }, allowFailure: true }).status;
      expect(open(NEW_PASSWORD)).toBe(0);
      expect(open(PASSWORD)).not.toBe(0);
      expect(pki.read('certs/server/README.txt')).toContain('  ssl://mqtt.local:8883\n');
    });

    test('a deploy after it with nothing to change rewrites no key store and no trust store, and says no change', () => {
      const files = [TRUST_STORE, ...['certs/server/server.p12', 'certs/engine/engine/client.p12']];
      const bytes = files.map((f) => fs.readFileSync(pki.file(f)));
      const third = deployWith(NEW_PASSWORD);
      expect(third.stdout).toMatch(/^chariot-tls: no change: 7 certificates up to date in /m);
      expect(third.stdout).not.toContain('hand out');
      files.forEach((f, i) => expect(fs.readFileSync(pki.file(f)).equals(bytes[i])).toBe(true));
    });
  });
});
