import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The server files a broker listens with, as Chariot would get them. */
export interface ServerFiles {
  readonly cert: string;
  readonly privateKey: string;
  readonly clientCa: string;
  /** CRLs the broker checks client certificates against (`crlfile`). */
  readonly crlFile?: string;
}

/** A real Mosquitto broker requiring client certificates, on two loopback addresses. */
export interface Broker {
  /** Port on 127.0.0.1, a name in the server certificate. */
  readonly port: number;
  /** Port on 127.0.0.2, an address not in the server certificate. */
  readonly otherAddressPort: number;
  stop(): Promise<void>;
}

/** A free TCP port on loopback. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts mosquitto with TLS on both loopback listeners and waits until it accepts connections. */
export async function startBroker(files: ServerFiles): Promise<Broker> {
  const port = await freePort('127.0.0.1');
  const otherAddressPort = await freePort('127.0.0.2');
  const tlsBlock = [
    `cafile ${files.clientCa}`,
    `certfile ${files.cert}`,
    `keyfile ${files.privateKey}`,
    'require_certificate true',
    ...(files.crlFile ? [`crlfile ${files.crlFile}`] : []),
    'tls_version tlsv1.2',
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-broker-'));
  const logFile = path.join(dir, 'mosquitto.log');
  const config = [
    // As root it would switch to the mosquitto user and lose access to the 0600 key.
    'user root',
    'allow_anonymous true',
    // A file, not a pipe: while a test blocks in spawnSync nobody drains a pipe, and a full one stalls the broker.
    `log_dest file ${logFile}`,
    'log_type all',
    `listener ${port} 127.0.0.1`,
    ...tlsBlock,
    `listener ${otherAddressPort} 127.0.0.2`,
    ...tlsBlock,
  ].join('\n');
  const configFile = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(configFile, `${config}\n`);
  const child = spawn('mosquitto', ['-c', configFile], { stdio: 'ignore' });
  await waitForListening(child, port, () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''));
  return {
    port,
    otherAddressPort,
    stop: () => stop(child),
  };
}

async function waitForListening(child: ChildProcess, port: number, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited ${child.exitCode}:\n${log()}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`mosquitto did not listen on ${port} within 10 s:\n${log()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
