import * as path from 'node:path';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { FileKind } from './certificate-file';
import { KeyAlgorithm } from './key';
import { LeafCertificate } from './leaf-certificate';
import { ClientCert } from './client-cert';
import { ServerCert } from './server-cert';
import { IServerEndpoint } from './server-endpoint';
import { writePublicPem } from './private/pem-file';
import { wildcardMeaning } from './private/subject-alt-names';
import { Problems, isIpAddress, isKnown } from './private/validation';

/** Chariot's MQTT over TLS port, what Engine and Transmission connect to. */
const DEFAULT_PORT = 8883;
/** Terraform's formatdate layout for the expiry: `2028-11-22 16:42:39 UTC`. */
const EXPIRY_FORMAT = 'YYYY-MM-DD hh:mm:ss ZZZ';
/** The README's name in each certificate's folder. */
const README_FILE = 'README.txt';

/**
 * Properties of an `UploadReadme`.
 */
export interface UploadReadmeProps {
  /**
   * The certificate whose folder gets the README, written to disk (its `outputDirectory` set). Its product
   * says what the README tells.
   */
  readonly certificate: LeafCertificate;

  /**
   * The servers the clients connect to, in the order they should try them: their DNS names and IP addresses give
   * the server URLs.
   * @default - the certificate itself for a server; for a client, the README says to use a name in the server's certificate
   */
  readonly servers?: IServerEndpoint[];

  /**
   * The port of Chariot's MQTT over TLS listener.
   * @default 8883
   */
  readonly port?: number;
}

/**
 * A `README.txt` beside a server or client certificate's files, for whoever uploads them: which file goes
 * into which field of the product's UI, what the key password field takes (empty, or the encrypted key's password), the server URLs
 * (`ssl://HOST:8883`) and when the certificate expires. Rewritten by the deploy that re-issues the certificate.
 *
 * The certificate's own folder is the upload folder: it already holds the files under the names the products
 * expect, so no second copy of a private key is made.
 */
export class UploadReadme extends Construct {
  /** The certificate whose folder holds the README. */
  public readonly certificate: LeafCertificate;
  /** The README's path. */
  public readonly file: string;
  /** The README's text; the expiry date in it is known at deploy time. */
  public readonly content: string;
  /** The URLs clients connect to (`ssl://HOST:PORT`): each server's DNS names then IP addresses, server by server; a wildcard name gives none. */
  public readonly serverUrls: string[];

  constructor(scope: Construct, id: string, props: UploadReadmeProps) {
    super(scope, id);
    const port = props.port ?? DEFAULT_PORT;
    const certFile = checkProps(this, props, port);
    this.certificate = props.certificate;
    const servers: IServerEndpoint[] = props.servers ?? (props.certificate instanceof ServerCert ? [props.certificate] : []);
    // A wildcard is no host to connect to: the README says what it covers instead.
    const urls = servers.map((server): ServerUrls => {
      const hosts = [...server.dnsNames, ...server.ipAddresses];
      return { server, urls: hosts.filter((host) => !isWildcard(host)).map((host) => serverUrl(host, port)), wildcards: hosts.filter(isWildcard) };
    });
    this.serverUrls = urls.flatMap((s) => s.urls);
    this.content = `${readmeText({ certificate: props.certificate, servers: urls, port }).join('\n')}\n`;
    this.file = writePublicPem(this, 'file', path.join(path.dirname(certFile), README_FILE), this.content);
  }
}

/** One server's URLs, and the wildcard names that give none. */
interface ServerUrls {
  readonly server: IServerEndpoint;
  readonly urls: string[];
  readonly wildcards: string[];
}

/** What every README says besides the file table. */
interface ReadmeFacts {
  readonly certificate: LeafCertificate;
  readonly servers: ServerUrls[];
  readonly port: number;
}

/** Checks the certificate writes files (the README goes beside them) and the port; returns the certificate's file. */
function checkProps(scope: Construct, props: UploadReadmeProps, port: number): string {
  const problems = new Problems(scope);
  const certFile = props.certificate.filePath(FileKind.CERT);
  if (certFile === undefined) {
    problems.add('certificate', props.certificate.node.path, 'writes no files, so there is no folder for the README', 'set the certificate\'s outputDirectory');
  }
  if (isKnown(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    problems.add('port', port, 'is not a TCP port', 'use a whole number from 1 to 65535, usually 8883');
  }
  problems.throwIfAny();
  return certFile!;
}

/** The README of the certificate's product: header, where to upload, the field table, notes, server URLs, secrets. */
function readmeText(facts: ReadmeFacts): string[] {
  const product = facts.certificate.product;
  const fill = (text: string) => fillIn(text, facts);
  const upload = product.upload;
  const encrypted = facts.certificate.encryptedKeyFile !== undefined;
  const rows = upload.fields.map((field): [string, string, string] => {
    const f = encrypted && field.whenKeyEncrypted !== undefined ? { ...field, ...field.whenKeyEncrypted } : field;
    return [f.field, f.file === undefined ? fill(f.value ?? '') : product.fileName(f.file)!, fill(f.about)];
  });
  const secrets = facts.certificate.files.filter((f) => f.secret).map((f) => path.basename(f.path));
  return [
    ...header(fill(upload.title), facts),
    ...upload.steps.map(fill),
    '',
    ...table(rows),
    '',
    ...upload.notes.map(fill),
    '',
    ...urlLines(upload.serverUrlsTitle, facts),
    '',
    ...secretNote(secrets),
  ];
}

/**
 * Replaces `{cn}`, `{key}`, `{port}` and `{password}` in a product's text, in one pass (a common name or password
 * source is not read for placeholders).
 */
function fillIn(text: string, facts: ReadmeFacts): string {
  const values: Record<string, string> = {
    cn: facts.certificate.commonName,
    key: keyText(facts.certificate),
    port: String(facts.port),
    password: facts.certificate.encryptedKeyFile?.passwordSource ?? '',
  };
  return text.replace(/\{(cn|key|port|password)\}/g, (_, name: string) => values[name]);
}

function header(title: string, facts: ReadmeFacts): string[] {
  const renewal = facts.certificate.earlyRenewalHours > 0
    ? `a deploy re-issues it from ${Math.round((facts.certificate.earlyRenewalHours / 24) * 100) / 100} days before`
    : 'it is not re-issued before then';
  return [
    title,
    '='.repeat(title.length),
    '',
    'Written by chariot-tls on deploy, and rewritten when the certificate changes: do not edit.',
    '',
    ...siteLines(facts.certificate),
    `Certificate expires: ${Fn.formatdate(EXPIRY_FORMAT, facts.certificate.certificate.validityEndTime)}; ${renewal}.`,
    '',
  ];
}

/** A site's client says which site it belongs to and which CA signed it; others say nothing. */
function siteLines(certificate: LeafCertificate): string[] {
  if (!(certificate instanceof ClientCert) || certificate.site === undefined) return [];
  return [`Site: ${certificate.site}; signed by ${certificate.issuer.commonName}.`, ''];
}

function urlLines(title: string, facts: ReadmeFacts): string[] {
  const [first, ...others] = facts.servers;
  if (first === undefined) {
    return [`${title}: ssl://HOST:${facts.port}, where HOST is a DNS name or IP address in Chariot's certificate.`];
  }
  const hosts = (s: ServerUrls) => [...s.urls, ...s.wildcards.map((name) => `ssl://HOST:${facts.port}, where HOST is a name ${name} covers: ${wildcardMeaning(name)}`)];
  if (others.length === 0) {
    return [`${title} (the names in ${first.server.product.shortName}'s certificate, which clients check):`, ...hosts(first).map((url) => `  ${url}`)];
  }
  // Several servers: one connection each, in the order to try them (MQTT Transmission fails over down its list).
  return [
    `Servers, in the order to try them (one connection each; the names in each server's certificate, which clients check):`,
    ...facts.servers.map((s, i) => `  ${i + 1}. ${s.server.serverName} (${s.server.product.name}): ${hosts(s).join(', ')}`),
  ];
}

function isWildcard(host: string): boolean {
  return isKnown(host) && host.startsWith('*.');
}

function secretNote(keys: string[]): string[] {
  return [`${keys.join(' and ')}: secret (mode 0600). Copy only over a secure channel; delete copies after the upload.`];
}

/** Aligned columns: field, file, what it is. */
function table(rows: [string, string, string][]): string[] {
  const all: [string, string, string][] = [['Field', 'File', 'What it is'], ...rows];
  const width = (i: number) => Math.max(...all.map((r) => r[i].length));
  return all.map((r) => `  ${r[0].padEnd(width(0))}  ${r[1].padEnd(width(1))}  ${r[2]}`);
}

function keyText(certificate: LeafCertificate): string {
  const key = certificate.keyAlgorithm === KeyAlgorithm.RSA ? `RSA ${certificate.rsaBits} key` : `ECDSA ${certificate.ecdsaCurve} key`;
  if (certificate.encryptedKeyFile !== undefined) return `${key}, encrypted PKCS#8 PEM (AES-256-CBC)`;
  return `${key}, ${certificate.keyAlgorithm === KeyAlgorithm.RSA ? 'PKCS#1' : 'SEC 1'} PEM`;
}

/** `ssl://HOST:PORT`, with an IPv6 address in brackets. */
function serverUrl(host: string, port: number): string {
  const shown = isKnown(host) && isIpAddress(host) && host.includes(':') ? `[${host}]` : host;
  return `ssl://${shown}:${port}`;
}
