import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { Deployment } from './helpers/deployment';
import { certificates, commonNames } from './helpers/pem';
import { startBroker } from './helpers/mosquitto';
import { ClientFiles, publish, subscribe } from './helpers/mqtt';
import { run } from './helpers/run';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(20 * 60_000);

const SERVER = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
const CONFIG = { organization: 'Integration Test', server: SERVER, engineClients: ['engine'], transmissionClients: ['edge-1', 'edge-2', 'edge-3'] };
const CLIENTS = ['engine/engine', 'transmission/edge-1', 'transmission/edge-2', 'transmission/edge-3'];
const CA_CERTS = ['ca/ca.crt', 'ca/server/server-ca.crt', 'ca/engine/engine-ca.crt', 'ca/transmission/transmission-ca.crt'];
const KEYS = ['certs/server/server.key', 'certs/server/server.pkcs8.key', ...CLIENTS.map((c) => `certs/${c}/private.key`)];

const WEB_PKI_SOURCES = 'CABF_BR,CABF_EV,CABF_SMIME_BR,Mozilla,Apple,ETSI_ESI';

let pki: Deployment;

beforeAll(() => {
  pki = Deployment.create(CONFIG);
  pki.deploy();
});

/** `openssl verify` of files in this deployment's `pki/` (helpers/verify.ts). */
function verify(purpose: 'sslserver' | 'sslclient', caFile: string, cert: string, untrusted?: string) {
  return opensslVerify(purpose, pki.file(caFile), pki.file(cert), untrusted && pki.file(untrusted));
}

function x509Text(file: string): string {
  return run('openssl', ['x509', '-noout', '-text', '-in', pki.file(file)]).stdout;
}

describe('the files a deploy writes', () => {
  test('follow the documented layout, with no CA key on disk', () => {
    const client = (c: string) => ['README.txt', 'ca.pem', 'cert.pem', 'private.key'].map((f) => `certs/${c}/${f}`);
    expect(pki.files()).toEqual([
      '.gitignore',
      // Which PKI the folder holds (docs/operate.md, "Environments").
      'PKI-OWNER.json',
      ...CA_CERTS,
      // Each CA's CRL, beside its certificate (docs/operate.md, "Revoking a client").
      ...CA_CERTS.map((f) => f.replace(/\.crt$/, '.crl.pem')),
      ...CLIENTS.flatMap(client),
      ...['README.txt', 'ca-chain.pem', 'client-ca.pem', 'crl.pem', 'fullchain.pem', 'server.crt', 'server.key', 'server.pkcs8.key'].map((f) => `certs/server/${f}`),
    ].sort());
  });

  test('private keys are mode 0600 and certificates 0644', () => {
    for (const file of pki.files()) {
      const mode = fs.statSync(pki.file(file)).mode & 0o777;
      expect([file, mode.toString(8)]).toEqual([file, KEYS.includes(file) ? '600' : '644']);
    }
  });

  test('the server key is RSA: PKCS#1 in server.key, the same key as PKCS#8 in server.pkcs8.key', () => {
    const pkcs1 = pki.read('certs/server/server.key');
    const pkcs8 = pki.read('certs/server/server.pkcs8.key');
    expect(pkcs1).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(pkcs8).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPrivateKey(pkcs1).asymmetricKeyType).toBe('rsa');
    expect(createPublicKey(pkcs8).export({ format: 'pem', type: 'spki' })).toBe(createPublicKey(pkcs1).export({ format: 'pem', type: 'spki' }));
  });

  test.each([['certs/server/server.crt', 'certs/server/server.key'], ...CLIENTS.map((c) => [`certs/${c}/cert.pem`, `certs/${c}/private.key`])])(
    '%s matches its key',
    (cert, key) => {
      expect(new X509Certificate(pki.read(cert)).checkPrivateKey(createPrivateKey(pki.read(key)))).toBe(true);
    },
  );

  test('ca-chain.pem is the Server CA then the root; fullchain.pem puts the server certificate first', () => {
    expect(commonNames(pki.read('certs/server/ca-chain.pem'))).toEqual(['Integration Test Server CA', 'Integration Test Root CA']);
    expect(commonNames(pki.read('certs/server/fullchain.pem'))).toEqual(['localhost', 'Integration Test Server CA', 'Integration Test Root CA']);
  });

  test('client-ca.pem is the Engine CA, the Transmission CA and the root; each client ca.pem the Server CA and the root', () => {
    expect(commonNames(pki.read('certs/server/client-ca.pem'))).toEqual(['Integration Test Engine CA', 'Integration Test Transmission CA', 'Integration Test Root CA']);
    for (const client of CLIENTS) {
      expect(commonNames(pki.read(`certs/${client}/ca.pem`))).toEqual(['Integration Test Server CA', 'Integration Test Root CA']);
    }
  });
});

describe('openssl verify -x509_strict', () => {
  test('the server certificate verifies for sslserver from the root, with ca-chain.pem as Chariot sends it', () => {
    expect(verify('sslserver', 'ca/ca.crt', 'certs/server/server.crt', 'certs/server/ca-chain.pem')).toMatchObject({ status: 0, stdout: expect.stringContaining(': OK') });
  });

  test.each(CLIENTS)('the server certificate verifies against the ca.pem of %s', (client) => {
    expect(verify('sslserver', `certs/${client}/ca.pem`, 'certs/server/server.crt').status).toBe(0);
  });

  test.each(CLIENTS)('the client certificate of %s verifies for sslclient against the server\'s client-ca.pem', (client) => {
    expect(verify('sslclient', 'certs/server/client-ca.pem', `certs/${client}/cert.pem`).status).toBe(0);
  });

  test('a client certificate is refused for sslserver, and the server certificate for sslclient', () => {
    expect(verify('sslserver', 'certs/server/client-ca.pem', 'certs/engine/engine/cert.pem').status).not.toBe(0);
    expect(verify('sslclient', 'certs/engine/engine/ca.pem', 'certs/server/server.crt').status).not.toBe(0);
  });

  test('without ca-chain.pem the server certificate does not verify from the root alone: the chain file is needed', () => {
    expect(verify('sslserver', 'ca/ca.crt', 'certs/server/server.crt').status).not.toBe(0);
  });

  test.each(CA_CERTS.slice(1))('%s is a CA with path length 0, key identifiers, and keyCertSign', (file) => {
    const text = x509Text(file);
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Certificate Sign/);
    expect(text).toMatch(/X509v3 Subject Key Identifier/);
    expect(text).toMatch(/X509v3 Authority Key Identifier/);
  });

  test('the root is a CA with a subject key identifier and no path length limit', () => {
    const text = x509Text('ca/ca.crt');
    expect(text).toMatch(/CA:TRUE\n/);
    expect(text).toMatch(/X509v3 Subject Key Identifier/);
  });

  test.each(['certs/server/server.crt', ...CLIENTS.map((c) => `certs/${c}/cert.pem`)])('%s is no CA and cannot sign certificates', (file) => {
    const text = x509Text(file);
    expect(text).toMatch(/CA:FALSE/);
    expect(text).not.toMatch(/Certificate Sign/);
    expect(text).toMatch(/X509v3 Authority Key Identifier/);
  });

  test('the server certificate names localhost and 127.0.0.1 in its subjectAltName', () => {
    expect(new X509Certificate(pki.read('certs/server/server.crt')).subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
  });
});

describe('a Node TLS mutual handshake with checkServerIdentity', () => {
  const handshake = (servername: string, client = 'engine/engine') =>
    new Promise<{ serverSawClient: string; authorized: boolean }>((resolve, reject) => {
      const server = tls.createServer({
        key: pki.read('certs/server/server.key'),
        cert: pki.read('certs/server/fullchain.pem'),
        ca: pki.read('certs/server/client-ca.pem'),
        requestCert: true,
        rejectUnauthorized: true,
      });
      let serverSawClient = '';
      server.on('secureConnection', (socket) => {
        serverSawClient = socket.getPeerCertificate().subject.CN;
        socket.end();
      });
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        const socket = tls.connect({
          host: '127.0.0.1', port, servername,
          ca: pki.read(`certs/${client}/ca.pem`),
          cert: pki.read(`certs/${client}/cert.pem`),
          key: pki.read(`certs/${client}/private.key`),
          checkServerIdentity: (_host, cert) => tls.checkServerIdentity(servername, cert),
        });
        socket.on('secureConnect', () => {
          const authorized = socket.authorized;
          socket.on('close', () => { server.close(); resolve({ serverSawClient, authorized }); });
          socket.end();
        });
        socket.on('error', (e) => { server.close(); reject(e); });
      });
    });

  test('an Engine client and the server authenticate each other', async () => {
    await expect(handshake('localhost')).resolves.toEqual({ serverSawClient: 'engine', authorized: true });
  });

  test('a Transmission client and the server authenticate each other', async () => {
    await expect(handshake('localhost', 'transmission/edge-2')).resolves.toEqual({ serverSawClient: 'edge-2', authorized: true });
  });

  test('a name not in the subjectAltName is refused', async () => {
    await expect(handshake('chariot.example.com')).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });
});

describe('zlint', () => {
  const zlint = process.env.CHARIOT_TLS_ZLINT ?? path.resolve(__dirname, '../../.engine/bin/zlint');

  test.each([...CA_CERTS, 'certs/server/server.crt', ...CLIENTS.map((c) => `certs/${c}/cert.pem`)])('%s has no error or fatal lint', (file) => {
    // A private PKI: the Web PKI programmes' rules (CA/Browser Forum, Mozilla, Apple, ETSI) do not apply.
    const results: Record<string, { result: string }> = JSON.parse(run(zlint, ['-excludeSources', WEB_PKI_SOURCES, pki.file(file)]).stdout);
    const failing = Object.entries(results).filter(([, r]) => r.result === 'error' || r.result === 'fatal').map(([name]) => name);
    expect(failing).toEqual([]);
    expect(Object.keys(results).length).toBeGreaterThan(50);
  });
});

describe('a real Mosquitto broker with the server files, requiring client certificates', () => {
  const clientFiles = (client: string): ClientFiles => ({
    ca: pki.file(`certs/${client}/ca.pem`),
    cert: pki.file(`certs/${client}/cert.pem`),
    privateKey: pki.file(`certs/${client}/private.key`),
  });
  const transmissions = CLIENTS.filter((c) => c.startsWith('transmission/'));
  let broker: Awaited<ReturnType<typeof startBroker>>;

  beforeAll(async () => {
    broker = await startBroker({
      cert: pki.file('certs/server/fullchain.pem'),
      privateKey: pki.file('certs/server/server.key'),
      clientCa: pki.file('certs/server/client-ca.pem'),
    });
  });
  afterAll(() => broker?.stop());

  test('the Engine receives a message from every Transmission client', async () => {
    const subscription = await subscribe('localhost', broker.port, clientFiles('engine/engine'), 'spBv1.0/#', transmissions.length);
    for (const client of transmissions) {
      const name = path.basename(client);
      expect(publish('localhost', broker.port, clientFiles(client), `spBv1.0/plant/NBIRTH/${name}`, `hello from ${name}`)).toMatchObject({ status: 0 });
    }
    const received = await subscription.messages;
    expect(received.sort()).toEqual(transmissions.map((c) => `spBv1.0/plant/NBIRTH/${path.basename(c)} hello from ${path.basename(c)}`).sort());
  });

  test('a client with no certificate is refused', () => {
    const result = publish('localhost', broker.port, { ca: pki.file('certs/engine/engine/ca.pem') }, 'spBv1.0/x', 'no cert');
    expect(result.status).not.toBe(0);
  });

  test('a client whose certificate comes from a CA we did not create is refused', () => {
    const rogue = rogueClient();
    const result = publish('localhost', broker.port, { ca: pki.file('certs/engine/engine/ca.pem'), ...rogue }, 'spBv1.0/x', 'rogue');
    expect(result.status).not.toBe(0);
  });

  test('a client that connects to an address not in the server certificate refuses the server', () => {
    const files = clientFiles('engine/engine');
    const wrongName = publish('127.0.0.2', broker.otherAddressPort, files, 'spBv1.0/x', 'wrong name');
    expect(wrongName.status).not.toBe(0);
    expect(wrongName.stderr).toMatch(/certificate verify failed|hostname|TLS|protocol/i);
    // The same connection without the name check goes through: only the name was wrong.
    expect(publish('127.0.0.2', broker.otherAddressPort, files, 'spBv1.0/x', 'insecure', ['--insecure']).status).toBe(0);
  });

  /** A client key and certificate from a fresh CA of its own, made with openssl. */
  function rogueClient(): { cert: string; privateKey: string } {
    const dir = fs.mkdtempSync(path.join(pki.dir, 'rogue-'));
    const f = (n: string) => path.join(dir, n);
    run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '1', '-subj', '/CN=Rogue CA']);
    run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('client.key'), '-out', f('client.csr'), '-subj', '/CN=edge-1']);
    run('openssl', ['x509', '-req', '-in', f('client.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-out', f('client.crt')]);
    return { cert: f('client.crt'), privateKey: f('client.key') };
  }
});

describe('later deploys', () => {
  let lastDeploy: string | undefined;
  test('a second deploy with no change changes nothing, and stops after the plan: no review, no apply', () => {
    const before = pki.files().map((f) => [f, pki.read(f)]);
    const output = pki.deploy().stdout;
    expect(pki.engineLog('deploy')).toMatch(/No changes/);
    expect(output).toMatch(/^Certificates: no change\.$/m);
    expect(pki.engineLog('deploy')).not.toMatch(/Apply complete/);
    expect(pki.files().map((f) => [f, pki.read(f)])).toEqual(before);
  });

  test('init runs again when the engine working directory lost its providers', () => {
    const stamp = path.join(pki.stackDir, '.terraform', 'chariot-tls-init.json');
    expect(fs.existsSync(stamp)).toBe(true);
    fs.rmSync(path.join(pki.stackDir, '.terraform'), { recursive: true });
    expect(pki.deploy().stdout).toMatch(/^Certificates: no change\.$/m);
    expect(pki.engineLog('deploy')).toMatch(/Initializing provider plugins/);
    expect(fs.existsSync(stamp)).toBe(true);
  });

  test('adding a Transmission client and a server name re-issues only the server certificate and adds the client', () => {
    const fingerprints = () => Object.fromEntries([...CA_CERTS, ...CLIENTS.map((c) => `certs/${c}/cert.pem`), 'certs/server/server.crt'].map((f) => [f, pki.fingerprint(f)]));
    const before = fingerprints();
    const serverKey = pki.read('certs/server/server.key');
    pki.configure({ ...CONFIG, server: { ...SERVER, dnsNames: ['localhost', 'chariot.local'] }, transmissionClients: [...CONFIG.transmissionClients, 'edge-4'] });
    const output = pki.deploy().stdout;
    lastDeploy = output;

    const after = fingerprints();
    const changed = Object.keys(before).filter((f) => before[f] !== after[f]);
    expect(changed).toEqual(['certs/server/server.crt']);
    expect(pki.read('certs/server/server.key')).toBe(serverKey);
    expect(new X509Certificate(pki.read('certs/server/server.crt')).subjectAltName).toBe('DNS:localhost, DNS:chariot.local, IP Address:127.0.0.1');
    expect(certificates(pki.read('certs/transmission/edge-4/cert.pem'))[0].subject).toMatch(/CN=edge-4/);
    // Server: CSR, certificate, server.crt, fullchain.pem and README.txt replaced; the 4 clients' README.txt (they list
    // the server's URLs) replaced; edge-4: key, CSR, certificate and 4 files.
    expect(output).toMatch(/^Certificates: (?=.*\b1 created\b)(?=.*\b1 re-issued\b)/m);
    expect(pki.engineLog('deploy')).toMatch(/Resources: 16 added, 0 changed, 9 destroyed/);
  });

  test('the deploy says it in the plan\'s words, and hands out the server certificate and the new client\'s files, trust first', () => {
    const output = lastDeploy!;
    const plan = /^Certificates: (.*)\.$/m.exec(output)![1];
    expect(plan).toMatch(/^1 created, 1 re-issued; \d+ unchanged$/);
    expect(output).toContain(`\n  certificates   ${plan}\n`);
    expect(output.trimEnd().split('\n').slice(-4)).toEqual([
      "chariot-tls: hand out the changed files, in this order (each folder's README.txt says which field takes which file):",
      '  1. give ca.pem (CA Certificate File) to the MQTT Transmission client in certs/transmission/: edge-4',
      '  2. upload certs/server/server.crt to Chariot (Server Certificate)',
      '  3. give cert.pem (Client Certificate File), private.key (Client Private Key File) to the MQTT Transmission client in certs/transmission/: edge-4',
    ]);
  });

  test('removing a client destroys its files and its folder, and the summary counts it destroyed', () => {
    pki.configure({ ...CONFIG, server: { ...SERVER, dnsNames: ['localhost', 'chariot.local'] } });
    const output = pki.deploy().stdout;
    expect(fs.existsSync(pki.file('certs/transmission/edge-4'))).toBe(false);
    expect(output).toMatch(/^Certificates: 1 destroyed; \d+ unchanged\.$/m);
    expect(output).toMatch(/^ {2}certificates {3}1 destroyed; \d+ unchanged$/m);
    expect(output).toMatch(/^ {2}keys {11}0 created, 1 destroyed, \d+ unchanged$/m);
    expect(output).not.toContain('hand out');
    // The engine's .backup was the state before, with edge-4's key: it is the state as it is now.
    const state = path.join(pki.dir, 'terraform.tfstate');
    expect(fs.readFileSync(`${state}.backup`, 'utf8')).toBe(fs.readFileSync(state, 'utf8'));
  });
});
