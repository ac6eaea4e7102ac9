import { spawn } from 'node:child_process';
import { RunResult, run } from './run';

/** The TLS files of an MQTT client, as MQTT Engine and Transmission take them. */
export interface ClientFiles {
  readonly ca: string;
  readonly cert?: string;
  readonly privateKey?: string;
}

function tlsArgs(host: string, port: number, files: ClientFiles): string[] {
  const identity = files.cert && files.privateKey ? ['--cert', files.cert, '--key', files.privateKey] : [];
  return ['-h', host, '-p', String(port), '--cafile', files.ca, ...identity];
}

/** Publishes one message with mosquitto_pub over TLS; the result says whether the broker took it. */
export function publish(host: string, port: number, files: ClientFiles, topic: string, message: string, extra: string[] = []): RunResult {
  return run('mosquitto_pub', [...tlsArgs(host, port, files), '-q', '1', '-t', topic, '-m', message, ...extra], { allowFailure: true, timeout: 20_000 });
}

/** A subscriber that is connected and subscribed, collecting `count` messages. */
export interface Subscription {
  /** The messages, `topic payload` each, once `count` have arrived. */
  readonly messages: Promise<string[]>;
}

/** Subscribes with mosquitto_sub over TLS and resolves once the broker acknowledged the subscription. */
export function subscribe(host: string, port: number, files: ClientFiles, topic: string, count: number): Promise<Subscription> {
  // stdbuf: into a pipe, stdout is block-buffered and the SUBACK line would only arrive at exit.
  const args = ['-oL', 'mosquitto_sub', ...tlsArgs(host, port, files), '-d', '-v', '-t', topic, '-C', String(count), '-W', '60'];
  const child = spawn('stdbuf', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const messages = new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => {
      const lines = out.split('\n').filter((l) => l && !l.startsWith('Client ') && !l.startsWith('Subscribed'));
      if (code === 0) resolve(lines);
      else reject(new Error(`mosquitto_sub exited ${code}: ${err}\n${out}`));
    });
  });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('received SUBACK')) resolve({ messages });
    });
    messages.catch(reject);
  });
}
