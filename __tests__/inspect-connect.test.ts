import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { runCli } from '../app/command-line';
import { INSPECT } from '../app/commands/inspect';
import { ExitCode, inspect } from '../app/inspect';
import { connectTarget, readServedChain } from '../app/inspect-connect';
import { readDirectory } from '../app/inspect-files';
import { TABLE_WIDTH } from '../app/inspect-report';
import { ServedProblemKind, checkServed } from '../app/inspect-served';
import { main as packageMain } from '../cli/chariot-tls';
import { IssuedServer, ServerPki, serverPki } from './helpers/server-pki';

const PROJECT = path.resolve(__dirname, '..');

let pki: ServerPki;
/** Every TLS or TCP server a test started, closed after it. */
const servers: net.Server[] = [];

beforeAll(() => {
  pki = serverPki();
});
afterAll(() => pki.remove());
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** What a TLS server on 127.0.0.1 serves: its certificate file (a chain when it holds several) and key. */
interface Serving {
  readonly cert: string;
  readonly key: string;
  /** Require a client certificate, refusing a handshake without one (Chariot, Mosquitto `require_certificate`). */
  readonly requireClientCertificate?: boolean;
  readonly maxVersion?: tls.SecureVersion;
}

/** Starts a TLS server on 127.0.0.1; returns its port. Closed after the test. */
async function serve(serving: Serving): Promise<number> {
  const server = tls.createServer({
    cert: fs.readFileSync(serving.cert), key: fs.readFileSync(serving.key), maxVersion: serving.maxVersion,
    requestCert: serving.requireClientCertificate ?? false, rejectUnauthorized: serving.requireClientCertificate ?? false,
    ca: serving.requireClientCertificate ? fs.readFileSync(path.join(pki.dir, 'ca/ca.crt')) : undefined,
  });
  server.on('tlsClientError', () => undefined);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as net.AddressInfo).port;
}

const chainOf = (s: IssuedServer): Serving => ({ cert: s.fullchainFile, key: s.keyFile });
const leafOf = (s: IssuedServer): Serving => ({ cert: s.certFile, key: s.keyFile });

/** Reads what 127.0.0.1:PORT serves and checks it against the PKI's directory, as `name`. */
async function check(port: number, name = 'chariot.example.com') {
  const reading = readDirectory(pki.dir);
  const inspection = inspect(pki.dir, reading.files, new Date(), reading.problems);
  return checkServed(await readServedChain({ host: '127.0.0.1', port }, name, 5000), inspection, reading.files, name);
}

/** `npm run inspect -- --dir DIR ...argv`, captured. */
async function inspectCli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['inspect', '--dir', pki.dir, ...argv], [INSPECT], {
    stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd: PROJECT, projectDir: PROJECT, now: new Date(),
  });
  return { code, stdout, stderr };
}

describe('the served chain compared with the files', () => {
  test('the deployed files, served with their chain: the server certificate is certs/server/server.crt, the chain reaches ca/ca.crt', async () => {
    const served = await check(await serve(chainOf(pki.deployed)));
    expect(served.problems).toEqual([]);
    expect(served.leafFile).toBe('certs/server/server.crt');
    expect(served.certificates.map((c) => [c.subjectCommonName, c.files])).toEqual([
      ['chariot', ['certs/server/server.crt', 'certs/server/fullchain.pem#1']],
      ['Test Server CA', ['ca/server/server-ca.crt', 'certs/server/ca-chain.pem#1', 'certs/server/fullchain.pem#2']],
    ]);
    expect(served.chain).toEqual({ verified: true, path: ['chariot', 'Test Server CA', 'Test Root CA'] });
    expect(served.rootFile).toBe('ca/ca.crt');
    expect(served.nameMatches).toBe(true);
  });

  test('the certificate before a renewal (expiring sooner than the files\' own): named older than certs/server/server.crt, to upload', async () => {
    const served = await check(await serve(chainOf(pki.issue('before-renewal', 30))));
    expect(served.leafFile).toBeUndefined();
    expect(served.problems.map((p) => p.kind)).toEqual([ServedProblemKind.LEAF]);
    expect(served.problems[0].problem).toMatch(/^the server serves CN=chariot, O=Test \(not after \S+, SHA-256 [0-9A-F:]{95}\), which is in no file here: it is older than certs\/server\/server\.crt \(not after \S+, SHA-256 [0-9A-F:]{95}\); upload certs\/server\/server\.crt \(and its chain\) to the server, or reload it$/);
    expect(served.chain.verified).toBe(true);
  });

  test('a certificate of the same CA expiring later than the files\' own: the files are the older ones', async () => {
    const served = await check(await serve(chainOf(pki.issue('later', 700))));
    expect(served.problems[0].problem).toMatch(/it is newer than certs\/server\/server\.crt .*; deploy, or check which PKI's files the server has$/);
  });

  test('the leaf without its intermediate: chain incomplete, naming the CA not sent and the chain file to serve', async () => {
    const served = await check(await serve(leafOf(pki.deployed)));
    expect(served.leafFile).toBe('certs/server/server.crt');
    expect(served.problems).toEqual([{
      kind: ServedProblemKind.CHAIN_INCOMPLETE,
      problem: "chain incomplete: the server does not send Test Server CA, so a client with only the trust bundle cannot verify it; serve the chain: certs/server/fullchain.pem, or the chain field of the server's upload screen",
    }]);
    expect(served.chain.verified).toBe(false);
  });

  test("another PKI's certificate and CA: not in the files, a CA that is in no file, and no chain to our root", async () => {
    const served = await check(await serve(chainOf(pki.foreign())));
    expect(served.problems.map((p) => p.kind)).toEqual([ServedProblemKind.LEAF, ServedProblemKind.FOREIGN_CA, ServedProblemKind.CHAIN]);
    expect(served.problems[0].problem).toMatch(/which is in no file here, nor is it certs\/server\/server\.crt: the server serves another PKI's certificate$/);
    expect(served.problems[1].problem).toMatch(/^the server sends CN=Other Root CA, O=Other \(certificate 2, SHA-256 [0-9A-F:]+\), which is in no file here$/);
    expect(served.problems[2].problem).toBe("the served chain does not reach our root: no signature path to the root in ca/ca.crt; the server serves another PKI's certificate");
  });

  test('a name not in the subjectAltName (checked as tls.checkServerIdentity does): reported, the rest still fine', async () => {
    const served = await check(await serve(chainOf(pki.deployed)), 'mqtt.example.org');
    expect(served.nameMatches).toBe(false);
    expect(served.problems).toEqual([{
      kind: ServedProblemKind.NAME,
      problem: 'mqtt.example.org is not a name of the served certificate (DNS:localhost, DNS:chariot.example.com, IP Address:127.0.0.1): clients connecting as mqtt.example.org refuse it',
    }]);
    expect((await check(await serve(chainOf(pki.deployed)), '127.0.0.1')).nameMatches).toBe(true);
  });
});

describe('reading the chain a server serves', () => {
  test.each(['TLSv1.2', 'TLSv1.3'] as const)('a server requiring a client certificate (%s) still shows its chain: it is read before the server refuses the handshake', async (version) => {
    const port = await serve({ ...chainOf(pki.deployed), requireClientCertificate: true, maxVersion: version });
    // The server does refuse a client without a certificate.
    const plain = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, maxVersion: version });
      socket.once('secureConnect', () => socket.once('error', (e) => resolve(e.message)).once('close', () => resolve('closed')));
      socket.once('error', (e) => resolve(e.message));
    });
    expect(plain).toMatch(/alert/);
    const served = await readServedChain({ host: '127.0.0.1', port }, 'localhost', 5000);
    expect(served.protocol).toBe(version);
    expect(served.certificates.map((c) => c.subject)).toEqual(['O=Test\nCN=chariot', 'O=Test\nCN=Test Server CA']);
  });

  test('nothing listening: the error names the address, at once', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(readServedChain({ host: '127.0.0.1', port }, 'localhost', 5000)).rejects.toThrow(`cannot read the certificate of 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a listener that never answers: given up after the timeout', async () => {
    const silent = net.createServer(() => undefined);
    const sockets: net.Socket[] = [];
    silent.on('connection', (s) => sockets.push(s));
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const { port } = silent.address() as net.AddressInfo;
    const started = Date.now();
    await expect(readServedChain({ host: '127.0.0.1', port }, 'localhost', 700)).rejects.toThrow(`no TLS certificate from 127.0.0.1:${port} within 0.7 s`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(690);
    expect(Date.now() - started).toBeLessThan(3000);
    for (const s of sockets) s.destroy();
  });
});

describe('--connect HOST:PORT', () => {
  test.each([
    ['chariot.example.com:8883', { host: 'chariot.example.com', port: 8883 }],
    ['127.0.0.1:1', { host: '127.0.0.1', port: 1 }],
    ['[::1]:8883', { host: '::1', port: 8883 }],
  ])('%s is read as host and port', (value, target) => {
    expect(connectTarget(value)).toEqual(target);
  });

  test.each(['chariot.example.com', 'chariot:0', 'chariot:65536', '::1:8883', '[chariot]:8883', ':8883', 'a b:1'])('%s is refused, naming it and an example', (value) => {
    expect(() => connectTarget(value)).toThrow(JSON.stringify(value));
    expect(() => connectTarget(value)).toThrow(/use e\.g\./);
  });
});

describe('npm run inspect -- --connect: exit codes, table and JSON', () => {
  test('the server serves the files: exit 0, a "served by" section within 120 columns naming server.crt and the root', async () => {
    const port = await serve(chainOf(pki.deployed));
    const { code, stdout } = await inspectCli('--connect', `127.0.0.1:${port}`, '--servername', 'chariot.example.com');
    expect(code).toBe(ExitCode.OK);
    const section = stdout.slice(stdout.indexOf('\nserved by'));
    expect(section).toMatch(new RegExp(`^\\nserved by 127\\.0\\.0\\.1:${port} \\(TLSv1\\.3\\):\\n`));
    expect(section).toContain('  file          certs/server/server.crt (+1)\n');
    expect(section).toContain('  chain         ok: chariot > Test Server CA > Test Root CA (ca/ca.crt)\n');
    expect(section).toContain('  name          chariot.example.com: in the subjectAltName\n');
    expect(section).toContain('  result        ok: the server serves the files here\n');
    expect(Math.max(...stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(TABLE_WIDTH);
  });

  test('--json: a connect object with the served certificates, the matching file, the chain and the exit code', async () => {
    const port = await serve(chainOf(pki.deployed));
    const { code, stdout } = await inspectCli('--connect', `127.0.0.1:${port}`, '--json');
    const doc = JSON.parse(stdout);
    expect(code).toBe(ExitCode.OK);
    expect(doc.exitCode).toBe(ExitCode.OK);
    expect(doc.connect).toMatchObject({
      target: `127.0.0.1:${port}`, name: '127.0.0.1', error: null, ok: true, leafFile: 'certs/server/server.crt', nameMatches: true,
      chain: { verified: true, root: 'ca/ca.crt', problem: null }, problems: [],
    });
    const serverCrt = doc.certificates.find((c: any) => c.label === 'certs/server/server.crt');
    expect(doc.connect.certificates[0]).toMatchObject({ position: 1, fingerprint256: serverCrt.fingerprint256, notAfter: serverCrt.notAfter, subjectAltName: 'DNS:localhost, DNS:chariot.example.com, IP Address:127.0.0.1' });
  });

  test('the leaf without its chain: exit 7, "chain incomplete" on stderr and in the JSON', async () => {
    const port = await serve(leafOf(pki.deployed));
    const table = await inspectCli('--connect', `127.0.0.1:${port}`);
    expect(table.code).toBe(ExitCode.SERVED);
    expect(table.stderr).toContain(`inspect: 127.0.0.1:${port}: chain incomplete: the server does not send Test Server CA`);
    const doc = JSON.parse((await inspectCli('--connect', `127.0.0.1:${port}`, '--json')).stdout);
    expect([doc.exitCode, doc.connect.ok, doc.connect.problems[0].kind]).toEqual([ExitCode.SERVED, false, 'chain-incomplete']);
  });

  test('a name not in the subjectAltName: exit 7 (clients using it refuse the server)', async () => {
    const port = await serve(chainOf(pki.deployed));
    const { code, stderr } = await inspectCli('--connect', `127.0.0.1:${port}`, '--servername', 'mqtt.example.org');
    expect(code).toBe(ExitCode.SERVED);
    expect(stderr).toContain('mqtt.example.org is not a name of the served certificate');
  });

  test('a served certificate expiring within --warn-days: exit 2, naming it', async () => {
    const soon = pki.issue('soon', 5);
    const port = await serve(chainOf(soon));
    // The files hold the same certificate: the comparison passes, the expiry alone decides.
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-served-copy-'));
    fs.cpSync(pki.dir, copy, { recursive: true });
    fs.copyFileSync(soon.certFile, path.join(copy, 'certs/server/server.crt'));
    fs.copyFileSync(soon.keyFile, path.join(copy, 'certs/server/server.key'));
    fs.copyFileSync(soon.fullchainFile, path.join(copy, 'certs/server/fullchain.pem'));
    let stderr = '';
    const code = await runCli(['inspect', '--dir', copy, '--connect', `127.0.0.1:${port}`, '--warn-days', '30'], [INSPECT], {
      stdout: () => undefined, stderr: (t) => (stderr += t), env: {}, cwd: PROJECT, projectDir: PROJECT, now: new Date(),
    });
    fs.rmSync(copy, { recursive: true, force: true });
    expect(code).toBe(ExitCode.EXPIRING);
    expect(stderr).toMatch(new RegExp(`inspect: 127\\.0\\.0\\.1:${port} serves CN=chariot, O=Test, which expires \\S+ \\(4 days left\\), within 30 days`));
  });

  test('nothing listening: exit 1 with the error, and --json still a document saying it', async () => {
    const port = await freePort();
    const table = await inspectCli('--connect', `127.0.0.1:${port}`, '--timeout', '2');
    expect(table.code).toBe(ExitCode.ERROR);
    expect(table.stderr).toContain(`inspect: cannot read the certificate of 127.0.0.1:${port}: connect ECONNREFUSED`);
    const doc = JSON.parse((await inspectCli('--connect', `127.0.0.1:${port}`, '--json')).stdout);
    expect(doc).toMatchObject({ exitCode: ExitCode.ERROR, connect: { target: `127.0.0.1:${port}`, ok: false, error: expect.stringContaining('ECONNREFUSED') } });
  });

  test('bad --connect and --timeout values are refused before anything is read', async () => {
    expect(await inspectCli('--connect', 'chariot')).toMatchObject({ code: ExitCode.ERROR, stderr: expect.stringContaining('"chariot" is not HOST:PORT; use e.g. --connect chariot.example.com:8883') });
    expect(await inspectCli('--connect', '127.0.0.1:1', '--timeout', '0')).toMatchObject({ code: ExitCode.ERROR, stderr: expect.stringContaining('"0" is not a whole number of seconds from 1') });
  });

  test('--help names --connect, --servername and --timeout, and exit code 7', async () => {
    const help = await inspectCli('--help');
    for (const text of ['--connect <host:port>', '--servername <name>', '--timeout <seconds>', '\n7 (--connect) the server serves']) expect(help.stdout).toContain(text);
  });

  test("the package's chariot-tls inspect DIR --connect does the same", async () => {
    const port = await serve(leafOf(pki.deployed));
    let stderr = '';
    const io = { stdout: () => undefined, stderr: (t: string) => (stderr += t), stdin: () => '', env: {}, cwd: PROJECT, now: new Date() };
    expect(await packageMain(['inspect', pki.dir, '--connect', `127.0.0.1:${port}`], io)).toBe(ExitCode.SERVED);
    expect(stderr).toContain('chain incomplete');
  });
});

/** A port on 127.0.0.1 nothing listens on (it did a moment ago). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
