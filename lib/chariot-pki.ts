import * as path from 'node:path';
import { Construct } from 'constructs';
import { ClientCert } from './client-cert';
import { DistinguishedName } from './distinguished-name';
import { IntermediateCa } from './intermediate-ca';
import { KeyOptions } from './key';
import { RootCa } from './root-ca';
import { ServerCert } from './server-cert';
import { UploadProduct, UploadReadme } from './upload-readme';
import { Problems, checkUnique, isKnown } from './private/validation';

/** A client name becomes a directory and a construct id: keep it to one safe path segment. */
const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * The Chariot server a `ChariotPki` issues a certificate for.
 */
export interface ChariotServerOptions {
  /**
   * DNS names clients use to reach the server (`ssl://HOST:8883`).
   * @default []
   */
  readonly dnsNames?: string[];

  /**
   * IP addresses clients use to reach the server.
   * @default []
   */
  readonly ipAddresses?: string[];

  /**
   * The certificate's common name; also put in the subjectAltName.
   * @default - the first DNS name, else the first IP address
   */
  readonly commonName?: string;
}

/**
 * Properties of a `ChariotPki`.
 */
export interface ChariotPkiProps {
  /**
   * The organization (O) in every certificate's subject, and the prefix of the CA names.
   * @default "Chariot TLS"
   */
  readonly organization?: string;

  /**
   * The two-letter country code (C) in every certificate's subject.
   * @default - none
   */
  readonly country?: string;

  /**
   * The directory the files are written under (`ca/`, `certs/`). A relative path is resolved
   * against the working directory at synth time (the project, under `cdktf`).
   * @default "pki"
   */
  readonly outputDirectory?: string;

  /**
   * The Chariot server to issue a certificate for.
   * @default - no server certificate (the Server CA is still created, for servers added later)
   */
  readonly server?: ChariotServerOptions;

  /**
   * Names of the MQTT Engine clients; each gets `certs/engine/NAME/`.
   * @default []
   */
  readonly engineClients?: string[];

  /**
   * Names of the MQTT Transmission clients (one per edge gateway); each gets `certs/transmission/NAME/`.
   * @default []
   */
  readonly transmissionClients?: string[];

  /**
   * The keys of the four CAs.
   * @default - RSA 4096
   */
  readonly caKey?: KeyOptions;

  /**
   * The keys of the server and client certificates. Chariot accepts only RSA for its server key.
   * @default - RSA 2048
   */
  readonly leafKey?: KeyOptions;

  /**
   * Validity of the root CA, in hours.
   * @default 87600 (10 years)
   */
  readonly rootValidityPeriodHours?: number;

  /**
   * Validity of the Server, Engine and Transmission CAs, in hours.
   * @default 43800 (5 years)
   */
  readonly intermediateValidityPeriodHours?: number;

  /**
   * Validity of the server and client certificates, in hours.
   * @default 17520 (2 years)
   */
  readonly leafValidityPeriodHours?: number;

  /**
   * Hours before expiry at which a server or client certificate is re-issued.
   * @default 1440 (60 days)
   */
  readonly leafEarlyRenewalHours?: number;

  /**
   * Also write the CA private keys beside the CA certificates (mode 0600).
   * @default false - CA keys stay in Terraform state only
   */
  readonly writeCaPrivateKeys?: boolean;
}

/**
 * The whole Chariot / MQTT Engine / MQTT Transmission hierarchy of the Cirrus Link procedure:
 * a Root CA; a Server CA, an Engine CA and a Transmission CA under it; the Chariot server
 * certificate; one client certificate per Engine and per Transmission; and every trust bundle.
 */
export class ChariotPki extends Construct {
  /** The absolute directory the files are written under. */
  public readonly outputDirectory: string;
  /** The Root CA, the trust anchor of every product. */
  public readonly rootCa: RootCa;
  /** Signs the Chariot server certificates. */
  public readonly serverCa: IntermediateCa;
  /** Signs the MQTT Engine client certificates. */
  public readonly engineCa: IntermediateCa;
  /** Signs the MQTT Transmission client certificates. */
  public readonly transmissionCa: IntermediateCa;
  /** The Chariot server certificate, if a server was given. */
  public readonly server?: ServerCert;
  /** The MQTT Engine client certificates, in the order given. */
  public readonly engineClients: ClientCert[];
  /** The MQTT Transmission client certificates, in the order given. */
  public readonly transmissionClients: ClientCert[];

  constructor(scope: Construct, id: string, props: ChariotPkiProps = {}) {
    super(scope, id);
    const engineNames = props.engineClients ?? [];
    const transmissionNames = props.transmissionClients ?? [];
    checkHierarchy(this, props, engineNames, transmissionNames);

    this.outputDirectory = path.resolve(props.outputDirectory ?? 'pki');
    const organization = props.organization ?? 'Chariot TLS';
    const dn = (commonName: string, organizationalUnit?: string): DistinguishedName => ({
      commonName, organization, organizationalUnit, country: props.country,
    });
    const caFiles = (dir: string, base: string) => ({
      certFile: path.join(this.outputDirectory, dir, `${base}.crt`),
      privateKeyFile: props.writeCaPrivateKeys ? path.join(this.outputDirectory, dir, `${base}.key`) : undefined,
    });
    const intermediate = (caId: string, title: string) =>
      new IntermediateCa(this, `${caId}-ca`, {
        issuer: this.rootCa,
        subject: dn(`${organization} ${title} CA`, 'CA'),
        key: props.caKey,
        validityPeriodHours: props.intermediateValidityPeriodHours,
        ...caFiles(`ca/${caId}`, `${caId}-ca`),
      });

    this.rootCa = new RootCa(this, 'root-ca', {
      subject: dn(`${organization} Root CA`, 'CA'),
      key: props.caKey,
      validityPeriodHours: props.rootValidityPeriodHours,
      ...caFiles('ca', 'ca'),
    });
    this.serverCa = intermediate('server', 'Server');
    this.engineCa = intermediate('engine', 'Engine');
    this.transmissionCa = intermediate('transmission', 'Transmission');

    const leaf = {
      key: props.leafKey,
      validityPeriodHours: props.leafValidityPeriodHours,
      earlyRenewalHours: props.leafEarlyRenewalHours,
    };
    if (props.server) {
      this.server = new ServerCert(this, 'server', {
        ...leaf,
        issuer: this.serverCa,
        dnsNames: props.server.dnsNames,
        ipAddresses: props.server.ipAddresses,
        subject: props.server.commonName ? dn(props.server.commonName) : undefined,
        trustedCas: [this.engineCa, this.transmissionCa],
        outputDirectory: path.join(this.outputDirectory, 'certs', 'server'),
      });
      new UploadReadme(this.server, 'readme', { product: UploadProduct.CHARIOT, certificate: this.server });
    }
    const clients = (kind: string, issuer: IntermediateCa, names: string[]) => {
      const group = new Construct(this, kind);
      return names.map((name) => new ClientCert(group, name, {
        ...leaf,
        issuer,
        subject: dn(name, kind),
        trustedCas: [this.serverCa],
        outputDirectory: path.join(this.outputDirectory, 'certs', kind, name),
      }));
    };
    this.engineClients = clients('engine', this.engineCa, engineNames);
    this.transmissionClients = clients('transmission', this.transmissionCa, transmissionNames);
    // Each certificate's folder is its upload folder; the README says what goes where.
    const readme = (product: UploadProduct) => (cert: ClientCert) => new UploadReadme(cert, 'readme', { product, certificate: cert, server: this.server });
    this.engineClients.forEach(readme(UploadProduct.MQTT_ENGINE));
    this.transmissionClients.forEach(readme(UploadProduct.MQTT_TRANSMISSION));
  }
}

/** Checks what the composite itself decides, before any key or certificate is declared. */
function checkHierarchy(scope: Construct, props: ChariotPkiProps, engineNames: string[], transmissionNames: string[]): void {
  const problems = new Problems(scope);
  if (!props.server && engineNames.length === 0 && transmissionNames.length === 0) {
    problems.add('server', props.server, 'is missing and there are no clients: the hierarchy is empty', 'set server, engineClients or transmissionClients');
  }
  for (const [field, names] of [['engineClients', engineNames], ['transmissionClients', transmissionNames]] as const) {
    names.forEach((name, i) => {
      if (isKnown(name) && !CLIENT_NAME.test(name)) {
        problems.add(`${field}[${i}]`, name, 'is not a safe directory name (it would be written outside its folder or is empty)', 'use 1 to 64 letters, digits, - and _, starting with a letter or digit');
      }
    });
    checkUnique(problems, field, names);
  }
  problems.throwIfAny();
}
