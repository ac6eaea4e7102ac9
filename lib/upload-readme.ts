import * as path from 'node:path';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { ClientCert, ClientCertFiles } from './client-cert';
import { KeyAlgorithm } from './key';
import { LeafCertificate } from './leaf-certificate';
import { ServerCert, ServerCertFiles } from './server-cert';
import { writePublicPem } from './private/pem-file';
import { Problems, isIpAddress, isKnown } from './private/validation';

/** Chariot's MQTT over TLS port, what Engine and Transmission connect to. */
const DEFAULT_PORT = 8883;
/** Terraform's formatdate layout for the expiry: `2028-11-22 16:42:39 UTC`. */
const EXPIRY_FORMAT = 'YYYY-MM-DD hh:mm:ss ZZZ';
/** The README's name in each certificate's folder. */
const README_FILE = 'README.txt';

/**
 * The product a certificate's folder is uploaded to.
 */
export enum UploadProduct {
  /** Cirrus Link Chariot MQTT Server: takes a `ServerCert`'s files. */
  CHARIOT = 'chariot',
  /** Ignition MQTT Engine: takes a `ClientCert`'s files. */
  MQTT_ENGINE = 'mqtt-engine',
  /** Ignition MQTT Transmission: takes a `ClientCert`'s files. */
  MQTT_TRANSMISSION = 'mqtt-transmission',
}

/**
 * Properties of an `UploadReadme`.
 */
export interface UploadReadmeProps {
  /**
   * The product whose upload screen the folder's files go into.
   */
  readonly product: UploadProduct;

  /**
   * The certificate whose folder gets the README: a `ServerCert` for Chariot, a `ClientCert` for
   * MQTT Engine or MQTT Transmission, written to disk (its `outputDirectory` set).
   */
  readonly certificate: LeafCertificate;

  /**
   * The Chariot server the clients connect to: its DNS names and IP addresses give the server URLs.
   * @default - the certificate itself for Chariot; for a client, the README says to use a name in Chariot's certificate
   */
  readonly server?: ServerCert;

  /**
   * The port of Chariot's MQTT over TLS listener.
   * @default 8883
   */
  readonly port?: number;
}

/**
 * A `README.txt` beside a server or client certificate's files, for whoever uploads them: which file goes
 * into which field of the product's UI, that the key password stays empty, the server URLs
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
  /** The URLs clients connect to (`ssl://HOST:PORT`), from the server's DNS names then IP addresses. */
  public readonly serverUrls: string[];

  constructor(scope: Construct, id: string, props: UploadReadmeProps) {
    super(scope, id);
    const port = props.port ?? DEFAULT_PORT;
    const files = checkProps(this, props, port);
    this.certificate = props.certificate;
    const server = props.server ?? (props.certificate instanceof ServerCert ? props.certificate : undefined);
    this.serverUrls = server ? [...server.dnsNames, ...server.ipAddresses].map((host) => serverUrl(host, port)) : [];
    const facts: ReadmeFacts = { certificate: props.certificate, serverUrls: this.serverUrls, port };
    const text = props.product === UploadProduct.CHARIOT
      ? chariotText(files as ServerCertFiles, facts)
      : clientText(props.product, files as ClientCertFiles, facts);
    this.content = `${text.join('\n')}\n`;
    this.file = writePublicPem(this, 'file', path.join(path.dirname(files.cert), README_FILE), this.content);
  }
}

/** What both READMEs say besides the file table. */
interface ReadmeFacts {
  readonly certificate: LeafCertificate;
  readonly serverUrls: string[];
  readonly port: number;
}

const PRODUCT_NAME: Record<UploadProduct, string> = {
  [UploadProduct.CHARIOT]: 'Chariot MQTT Server',
  [UploadProduct.MQTT_ENGINE]: 'MQTT Engine',
  [UploadProduct.MQTT_TRANSMISSION]: 'MQTT Transmission',
};

/** Checks the product matches the certificate and that it writes files; returns them. */
function checkProps(scope: Construct, props: UploadReadmeProps, port: number): ServerCertFiles | ClientCertFiles {
  const problems = new Problems(scope);
  const { certificate, product } = props;
  const wanted = product === UploadProduct.CHARIOT ? ServerCert : ClientCert;
  const files = certificate instanceof wanted ? certificate.files : undefined;
  if (!(certificate instanceof wanted)) {
    problems.add('certificate', certificate.node.path, `is not a ${wanted.name}, which ${PRODUCT_NAME[product]} takes`, `pass a ${wanted.name} or choose the product that takes a ${certificate.constructor.name}`);
  } else if (files === undefined) {
    problems.add('certificate', certificate.node.path, 'writes no files, so there is no folder for the README', 'set the certificate\'s outputDirectory');
  }
  if (isKnown(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    problems.add('port', port, 'is not a TCP port', 'use a whole number from 1 to 65535, usually 8883');
  }
  problems.throwIfAny();
  return files!;
}

function chariotText(files: ServerCertFiles, facts: ReadmeFacts): string[] {
  const name = (file: string) => path.basename(file);
  return [
    ...header(`${PRODUCT_NAME[UploadProduct.CHARIOT]}: TLS files for ${facts.certificate.commonName}`, facts),
    'Chariot web UI > Configuration > System > Certificates: upload these three with the links on the right,',
    'then click "Setup SSL".',
    '',
    ...table([
      ['Private Key', name(files.privateKey), `the server's ${keyText(facts.certificate)} (${name(files.privateKeyPkcs8)} is the same key as PKCS#8 PEM: Chariot 2.3.1+ takes either)`],
      ['Server Certificate', name(files.cert), 'the server certificate, PEM'],
      ['Root CA Chain', name(files.caChain), 'the issuing CA, then its issuers up to the Root CA, PEM'],
    ]),
    '',
    ...passwordNote(),
    '',
    'Client trust store (client certificate authentication, Chariot 2.3.1+):',
    `  ${name(files.clientCa)}  the CAs whose client certificates Chariot accepts, up to the root:`,
    `  ${' '.repeat(name(files.clientCa).length)}  put each into Chariot's client trust store.`,
    '',
    'Also here, not uploaded to Chariot:',
    `  ${name(files.fullChain)}  the certificate then its chain, for servers that take one file (Mosquitto, nginx)`,
    '  server.p12     only when PKCS#12 output is on: key, certificate and chain for a Java key store',
    '',
    ...urlLines('MQTT Engine and MQTT Transmission connect to', facts),
    '',
    ...secretNote([name(files.privateKey), name(files.privateKeyPkcs8)]),
  ];
}

function clientText(product: UploadProduct, files: ClientCertFiles, facts: ReadmeFacts): string[] {
  const name = (file: string) => path.basename(file);
  const productName = PRODUCT_NAME[product];
  return [
    ...header(`${productName}: TLS client files for "${facts.certificate.commonName}"`, facts),
    `Ignition Gateway > Config > ${productName} > Settings > Servers: in the Chariot server's connection,`,
    'set these fields:',
    '',
    ...table([
      ['URL', `ssl://HOST:${facts.port}`, 'HOST: a name in Chariot\'s certificate, see below'],
      ['CA Certificate File', name(files.ca), `the CAs ${productName} trusts to verify Chariot, up to the root`],
      ['Client Certificate File', name(files.cert), `this client's certificate (CN=${facts.certificate.commonName})`],
      ['Client Private Key File', name(files.privateKey), `its ${keyText(facts.certificate)}`],
      ['Password', '(leave empty)', 'the key is not encrypted'],
    ]),
    '',
    'Keep the file names: the module expects names ending in ca.pem, cert.pem and private.key.',
    'Also here: client.p12, only when PKCS#12 output is on (key, certificate and chain for a Java key store).',
    '',
    ...urlLines('Server URL, one of', facts),
    '',
    ...secretNote([name(files.privateKey)]),
  ];
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
    `Certificate expires: ${Fn.formatdate(EXPIRY_FORMAT, facts.certificate.certificate.validityEndTime)}; ${renewal}.`,
    '',
  ];
}

function passwordNote(): string[] {
  return ['Key password: none. The key is not encrypted: leave every password field empty.'];
}

function urlLines(title: string, facts: ReadmeFacts): string[] {
  if (facts.serverUrls.length === 0) {
    return [`${title}: ssl://HOST:${facts.port}, where HOST is a DNS name or IP address in Chariot's certificate.`];
  }
  return [`${title} (the names in Chariot's certificate, which clients check):`, ...facts.serverUrls.map((url) => `  ${url}`)];
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
  return certificate.keyAlgorithm === KeyAlgorithm.RSA ? `RSA ${certificate.rsaBits} key, PKCS#1 PEM` : `ECDSA ${certificate.ecdsaCurve} key, SEC 1 PEM`;
}

/** `ssl://HOST:PORT`, with an IPv6 address in brackets. */
function serverUrl(host: string, port: number): string {
  const shown = isKnown(host) && isIpAddress(host) && host.includes(':') ? `[${host}]` : host;
  return `ssl://${shown}:${port}`;
}
