import { X509Certificate } from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Command, InvalidArgumentError } from 'commander';

/** How long `inspect --connect` waits for the server's certificate, in seconds, unless `--timeout` says otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
/** Longer chains than this are not read (ours have three certificates, an enterprise root's a few more). */
const MAX_SERVED_CERTIFICATES = 10;

/** Where `--connect` goes: `HOST:PORT`, `[IPv6]:PORT`. */
export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
}

/** What a TLS server sent, read at its Certificate message. */
export interface ServedChain {
  /** `HOST:PORT` as given. */
  readonly target: string;
  /** The certificates as the server sent them, its own first. */
  readonly certificates: X509Certificate[];
  /** `TLSv1.3`, `TLSv1.2`. */
  readonly protocol?: string;
}

/** `--connect HOST:PORT`: a host name or address and a port; an IPv6 address in brackets. */
export function connectTarget(value: string): ConnectTarget {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not HOST:PORT; use e.g. --connect chariot.example.com:8883 or --connect [::1]:8883`);
  }
  const host = match[1] ?? match[2];
  if (match[1] !== undefined && net.isIPv6(host) === false) throw new InvalidArgumentError(`${JSON.stringify(host)} in ${JSON.stringify(value)} is not an IPv6 address; use e.g. [::1]:8883`);
  return { host, port };
}

/** `--timeout SECONDS`: a whole number from 1. */
export function timeoutSeconds(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole number of seconds from 1; use e.g. --timeout ${DEFAULT_CONNECT_TIMEOUT_SECONDS}`);
  return Number(value);
}

/** Adds `--connect`, `--servername` and `--timeout` to both CLIs' `inspect`. */
export function connectOptions(command: Command): Command {
  return command
    .option('--connect <host:port>', 'also read the chain a live server serves and check it against DIR: its certificate in a file, its CAs too, chaining to a root', connectTarget)
    .option('--servername <name>', 'with --connect: the name clients use, sent as SNI and checked against the subjectAltName (default: the host)')
    .option('--timeout <seconds>', `with --connect: how long to wait for the server's certificate (default: ${DEFAULT_CONNECT_TIMEOUT_SECONDS})`, timeoutSeconds);
}

/** `HOST:PORT`, with an IPv6 address in brackets. */
export function targetText(target: ConnectTarget): string {
  return net.isIPv6(target.host) ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

/**
 * Connects to a TLS server and reads the chain it serves, sending `servername` as SNI (not an IP address: RFC 6066
 * allows none) and no client certificate. The chain is read when the client has the server's Certificate message:
 * Node emits `OCSPResponse` (asked for with `requestOCSP`, emitted with or without a stapled response) while it
 * processes the server's first flight, before it answers a certificate request. So a broker that requires client
 * certificates (Chariot, Mosquitto with `require_certificate`) and ends the handshake for want of one still shows
 * its chain, over TLS 1.2 as over 1.3; the connection is closed as soon as the chain is read, the handshake
 * unfinished. Nothing is trusted here: the caller checks the chain. Rejects with the error text when no chain comes
 * within `timeoutMs`.
 */
export function readServedChain(target: ConnectTarget, servername: string, timeoutMs: number): Promise<ServedChain> {
  const text = targetText(target);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: target.host,
      port: target.port,
      servername: net.isIP(servername) === 0 ? servername : undefined,
      rejectUnauthorized: false,
      // Asks for a stapled OCSP response: Node's OCSPResponse event is where the chain can be read (above).
      requestOCSP: true,
    } as tls.ConnectionOptions);
    const timer = setTimeout(() => finish(new Error(`no TLS certificate from ${text} within ${timeoutMs / 1000} s`)), timeoutMs);
    let done = false;
    const finish = (outcome: ServedChain | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const read = () => {
      const certificates = peerChain(socket);
      if (certificates.length > 0) finish({ target: text, certificates, protocol: socket.getProtocol() ?? undefined });
    };
    socket.once('OCSPResponse', read);
    socket.once('secureConnect', () => {
      read();
      finish(new Error(`${text} completed a TLS handshake but sent no certificate`));
    });
    // on, not once: a later error after the first must not go unhandled.
    socket.on('error', (e) => finish(new Error(`cannot read the certificate of ${text}: ${firstLine(e.message)}`)));
    socket.once('close', () => finish(new Error(`${text} closed the connection before it sent a certificate`)));
  });
}

/** The peer's certificates as sent, its own first, each the issuer of the one before where the server sent it. */
function peerChain(socket: tls.TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  for (let cert = socket.getPeerX509Certificate(); cert !== undefined && chain.length < MAX_SERVED_CERTIFICATES; cert = cert.issuerCertificate) {
    if (chain.some((c) => c.fingerprint256 === cert!.fingerprint256)) break;
    chain.push(cert);
  }
  return chain;
}

/** OpenSSL's messages carry the source file and line after a colon-separated code; the reason is what helps. */
function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
