import * as path from 'node:path';
import { Construct } from 'constructs';
import { ICertificateAuthority } from './certificate-authority';
import { ClientCert } from './client-cert';
import { DistinguishedName } from './distinguished-name';
import { EncryptedKeyFile } from './encrypted-key-file';
import { ExternalCa } from './external-ca';
import { ExternallySignedCa } from './externally-signed-ca';
import { IntermediateCa } from './intermediate-ca';
import { KeyOptions } from './key';
import { RootCa } from './root-ca';
import { Product } from './products/product';
import { ServerCert } from './server-cert';
import { UploadReadme } from './upload-readme';
import { MQTT_ENGINE } from './products/mqtt-engine';
import { MQTT_TRANSMISSION } from './products/mqtt-transmission';
import { CaGenerationOptions, CaGenerations, MAX_CA_GENERATION, caName, generationId, liveGenerations, maxOrganizationLength } from './ca-generations';
import { MAX_NAME_LENGTH } from './private/subject';
import { DEFAULT_ORGANIZATION, checkHierarchy } from './private/hierarchy-checks';
import { TransmissionSite, TransmissionSiteOptions } from './transmission-site';
import { TransmissionSiteClients } from './transmission-site-clients';

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

  /**
   * How long the server certificate is valid, in hours.
   * @default - `leafValidityPeriodHours` of the `ChariotPki`
   */
  readonly validityPeriodHours?: number;

  /**
   * Hours before expiry at which a deploy re-issues the server certificate (same key).
   * @default - `leafEarlyRenewalHours` of the `ChariotPki`
   */
  readonly earlyRenewalHours?: number;
}

/**
 * One of several servers (MQTT brokers) a `ChariotPki` issues a certificate for, in `servers`.
 */
export interface ServerOptions extends ChariotServerOptions {
  /**
   * The server's name: its construct id (`servers/NAME`, a Terraform address) and its folder
   * (`certs/servers/NAME/`). 1 to 64 letters, digits, - and _; unique, ignoring case, among servers and clients.
   */
  readonly name: string;

  /**
   * The product the server runs, which decides its files, key policy and README.
   * @default - Chariot MQTT Server
   */
  readonly product?: Product;
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
   * More servers, in the order clients try them (after `server`): a Chariot backup or one per region, MQTT
   * Distributor, a third-party broker. Each gets `certs/servers/NAME/`; the subject carries the organization and
   * country. Every client trusts every server, and each client's README lists every server's URLs in this order.
   * @default []
   */
  readonly servers?: ServerOptions[];

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
   * MQTT Transmission clients grouped by site, by site name (1 to 32 letters, digits, - and _). The flat
   * `transmissionClients` list stays as it is beside them: its certificates keep their addresses and folders.
   * @default - no sites
   */
  readonly sites?: { [site: string]: TransmissionSiteOptions };

  /**
   * The keys of the four CAs.
   * @default - RSA 4096
   */
  readonly caKey?: KeyOptions;

  /**
   * CAs whose key stays out of the Terraform state, by {@link caKeyId} (`root-ca`, `server-ca-g2`,
   * `sites/north-sea/ca`, ...): the name of the ephemeral variable that holds the key at each deploy
   * (`RootCaProps.keyVariable`).
   * @default {} (every CA key is a `tls_private_key`, in the state)
   */
  readonly caKeyVariables?: Record<string, string>;

  /**
   * The keys of the server and client certificates. Chariot accepts only RSA for its server key.
   * @default - RSA 2048
   */
  readonly leafKey?: KeyOptions;

  /**
   * Writes every MQTT Engine client's `private.key` encrypted (`EncryptedKeyFile`: by the ready app, not the engine).
   * @default - unencrypted
   */
  readonly encryptEngineClientKeys?: EncryptedKeyFile;

  /**
   * Writes every MQTT Transmission client's `private.key` encrypted, the sites' clients included.
   * @default - unencrypted
   */
  readonly encryptTransmissionClientKeys?: EncryptedKeyFile;

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
   * Hours before expiry at which a deploy re-signs the root (same key). A re-signed root re-issues
   * every certificate below it, so it is off by default: rotate or renew the root on purpose.
   * @default 0 (never renewed automatically)
   */
  readonly rootEarlyRenewalHours?: number;

  /**
   * Hours before expiry at which a deploy re-signs the Server, Engine and Transmission CAs (same key);
   * the certificates they signed are re-issued with them.
   * @default 8760 (1 year)
   */
  readonly intermediateEarlyRenewalHours?: number;

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

  /**
   * The generation of each CA, to rotate a CA without an outage (docs/operate.md, "Rotating a CA").
   * @default - every CA at generation 1
   */
  readonly caGenerations?: CaGenerations;

  /**
   * Hang the hierarchy under an enterprise root: no Root CA of ours; the Server, Engine and Transmission CAs get
   * their certificates from the enterprise CA, through certificate signing requests (docs/operate.md, "Using an
   * enterprise root").
   * @default - a Root CA of ours signs the Server, Engine and Transmission CAs
   */
  readonly externalRoot?: ExternalRootOptions;
}

/**
 * An enterprise root above the hierarchy, and the certificates its CA returned for our CAs' requests.
 */
export interface ExternalRootOptions {
  /**
   * The enterprise root certificate, PEM. Written to `ca/ca.crt`: the trust anchor every bundle ends with.
   */
  readonly rootCertPem: string;

  /**
   * The enterprise intermediates between the root and our CAs, PEM, from the root down: the last one signs our
   * CAs. Written to `ca/enterprise/intermediate-N.crt` (N from 1, below the root).
   * @default [] - the root itself signs our CAs
   */
  readonly intermediateCertPems?: string[];

  /**
   * The certificates the enterprise CA returned, PEM, by the construct id of the CA they are for (`server-ca`,
   * `engine-ca`, `transmission-ca`, `server-ca-g2`, ...). A CA without one has its key and request
   * (`ca/server/server-ca.csr`) and signs nothing; while an issuing CA has none, nothing below the CAs is issued.
   * @default {} - none returned yet
   */
  readonly signedCertPems?: { [caId: string]: string };
}

/**
 * The whole Chariot / MQTT Engine / MQTT Transmission hierarchy of the Cirrus Link procedure:
 * a Root CA; a Server CA, an Engine CA and a Transmission CA under it; the Chariot server
 * certificate; one client certificate per Engine and per Transmission; and every trust bundle.
 */
export class ChariotPki extends Construct {
  /** The absolute directory the files are written under. */
  public readonly outputDirectory: string;
  /** The Root CA generation that signs the intermediates; `undefined` under an enterprise root (`externalRoot`). */
  public readonly rootCa?: RootCa;
  /** The trust anchor of every product: the Root CA generation that signs, or the enterprise root. */
  public readonly trustAnchor: ICertificateAuthority;
  /** The Server CA generation that signs the Chariot server certificate. */
  public readonly serverCa: ICertificateAuthority;
  /** The Engine CA generation that signs the MQTT Engine client certificates. */
  public readonly engineCa: ICertificateAuthority;
  /** The Transmission CA generation that signs the MQTT Transmission client certificates. */
  public readonly transmissionCa: ICertificateAuthority;
  /**
   * Every CA generation held here that has its certificate (signing or only trusted), roots first, oldest generation
   * first. The enterprise CAs are in `enterpriseCas`.
   */
  public readonly certificateAuthorities: ICertificateAuthority[];
  /** The enterprise root and intermediates, root first; empty without `externalRoot`. */
  public readonly enterpriseCas: ExternalCa[];
  /**
   * The CAs whose request waits for the enterprise CA's signature. While one of them is an issuing CA, no server or
   * client certificate is issued.
   */
  public readonly awaitingSignature: ExternallySignedCa[];
  /** The Chariot server certificate, if `server` was given. */
  public readonly server?: ServerCert;
  /** Every server certificate, in the order clients try them: `server` first, then `servers`. */
  public readonly servers: ServerCert[];
  /** The MQTT Engine client certificates, in the order given. */
  public readonly engineClients: ClientCert[];
  /** The MQTT Transmission client certificates of the flat `transmissionClients` list, in the order given. */
  public readonly transmissionClients: ClientCert[];
  /** The sites, by name in code-unit order. */
  public readonly sites: TransmissionSite[];
  /**
   * The CAs every MQTT Engine and Transmission client trusts to verify the servers (its `ca.pem`): each live Server
   * CA generation and root. Empty while an issuing CA waits for its signature.
   */
  public readonly clientTrustedCas: ICertificateAuthority[];

  /** The highest generation a CA may reach (`caGenerations`): 99 rotations outlast any PKI. */
  public static readonly MAX_CA_GENERATION = MAX_CA_GENERATION;

  /**
   * The longest organization: the longest CA name it starts, `<organization> Transmission CA G99`, must fit
   * X.509's 64 characters, so that no later rotation overflows.
   */
  public static readonly MAX_ORGANIZATION_LENGTH = maxOrganizationLength(MAX_NAME_LENGTH);

  constructor(scope: Construct, id: string, props: ChariotPkiProps = {}) {
    super(scope, id);
    const engineNames = props.engineClients ?? [];
    const transmissionNames = props.transmissionClients ?? [];
    const generations = props.caGenerations ?? {};
    const serverOptions = props.servers ?? [];
    const siteOptions = props.sites ?? {};
    checkHierarchy(this, props, engineNames, transmissionNames);
    const siteNames = Object.keys(siteOptions).sort();
    const siteCaPathLength = siteNames.some((s) => siteOptions[s].issuingCa) ? { maxPathLength: 1 } : {};

    this.outputDirectory = path.resolve(props.outputDirectory ?? 'pki');
    const organization = props.organization ?? DEFAULT_ORGANIZATION;
    const dn = (commonName: string, organizationalUnit?: string): DistinguishedName => ({
      commonName, organization, organizationalUnit, country: props.country,
    });
    const caFiles = (dir: string, base: string) => ({
      certFile: path.join(this.outputDirectory, dir, `${base}.crt`),
      privateKeyFile: props.writeCaPrivateKeys ? path.join(this.outputDirectory, dir, `${base}.key`) : undefined,
    });

    const external = props.externalRoot;
    this.enterpriseCas = external === undefined ? [] : enterpriseChain(this, external, path.join(this.outputDirectory, 'ca'));
    const roots: { issuing: ICertificateAuthority; live: ICertificateAuthority[] } = external === undefined
      ? liveGenerations(generations.rootCa, (n) =>
        new RootCa(this, generationId('root-ca', n), {
          subject: dn(caName(organization, 'Root', n), 'CA'),
          key: props.caKey,
          validityPeriodHours: props.rootValidityPeriodHours,
          earlyRenewalHours: props.rootEarlyRenewalHours,
          ...caFiles('ca', generationId('ca', n)),
          keyVariable: props.caKeyVariables?.[generationId('root-ca', n)],
        }))
      : { issuing: this.enterpriseCas[0], live: [this.enterpriseCas[0]] };
    this.rootCa = roots.issuing instanceof RootCa ? roots.issuing : undefined;
    this.trustAnchor = roots.issuing;
    // Under an enterprise root its last intermediate (or the root) signs our CAs, through their requests.
    const signer = external === undefined ? roots.issuing : this.enterpriseCas[this.enterpriseCas.length - 1];
    const caProps = {
      key: props.caKey,
      validityPeriodHours: props.intermediateValidityPeriodHours,
      earlyRenewalHours: props.intermediateEarlyRenewalHours,
    };
    const awaiting: ExternallySignedCa[] = [];
    // A generation whose request the enterprise CA has not signed yet is not trusted yet (it is left out of `live`).
    const intermediate = (caId: string, title: string, options?: CaGenerationOptions, pathLength = {}) => {
      const all = liveGenerations<ICertificateAuthority>(options, (n) => {
        const id = generationId(`${caId}-ca`, n);
        const common = {
          ...caProps,
          ...pathLength,
          issuer: signer,
          subject: dn(caName(organization, title, n), 'CA'),
          ...caFiles(`ca/${caId}`, id),
          keyVariable: props.caKeyVariables?.[id],
        };
        return external === undefined
          ? new IntermediateCa(this, id, common)
          : new ExternallySignedCa(this, id, { ...common, certPem: external.signedCertPems?.[id], csrFile: path.join(this.outputDirectory, 'ca', caId, `${id}.csr`) });
      });
      awaiting.push(...all.live.filter(isUnsigned));
      return { issuing: all.issuing, live: all.live.filter((ca) => !isUnsigned(ca)) };
    };
    const server = intermediate('server', 'Server', generations.serverCa);
    const engine = intermediate('engine', 'Engine', generations.engineCa);
    // A site CA stands below the Transmission CA: path length 1 from the first site that has one (docs/operate.md, "Sites").
    const transmission = intermediate('transmission', 'Transmission', generations.transmissionCa, siteCaPathLength);
    this.serverCa = server.issuing;
    this.engineCa = engine.issuing;
    this.transmissionCa = transmission.issuing;
    this.awaitingSignature = awaiting;
    // An issuing CA without its certificate stops the hierarchy at the CAs: nothing is issued below it.
    if ([this.serverCa, this.engineCa, this.transmissionCa].some(isUnsigned)) {
      this.certificateAuthorities = [...roots.live.filter((ca) => !(ca instanceof ExternalCa)), ...server.live, ...engine.live, ...transmission.live];
      [this.servers, this.engineClients, this.transmissionClients, this.sites, this.clientTrustedCas] = [[], [], [], [], []];
      return;
    }
    const sitesScope = siteNames.length > 0 ? new Construct(this, 'sites') : undefined;
    const siteScopes = new Map(siteNames.map((name) => [name, new Construct(sitesScope!, name)]));
    // A site CA rotates alone: its generations live under the site (`sites/SITE/ca`, `sites/SITE/ca-g2`).
    const siteCas = new Map(siteNames.filter((name) => siteOptions[name].issuingCa).map((name) => [name, liveGenerations(siteOptions[name].caGeneration, (n) =>
      new IntermediateCa(siteScopes.get(name)!, generationId('ca', n), {
        ...caProps,
        issuer: this.transmissionCa,
        subject: dn(caName(name, 'Transmission', n), 'CA'),
        ...caFiles(`ca/transmission/${name}`, generationId('site-ca', n)),
        keyVariable: props.caKeyVariables?.[`sites/${name}/${generationId('ca', n)}`],
      }))]));
    const liveSiteCas = [...siteCas.values()].flatMap((generations) => generations.live);
    this.certificateAuthorities = [...roots.live.filter((ca) => !(ca instanceof ExternalCa)), ...server.live, ...engine.live, ...transmission.live, ...liveSiteCas];

    const leaf = {
      key: props.leafKey,
      validityPeriodHours: props.leafValidityPeriodHours,
      earlyRenewalHours: props.leafEarlyRenewalHours,
    };
    const serverCert = (scope: Construct, id: string, options: ChariotServerOptions, folder: string, subject: DistinguishedName | undefined, product?: Product) => {
      const cert = new ServerCert(scope, id, {
        ...leaf,
        product,
        validityPeriodHours: options.validityPeriodHours ?? props.leafValidityPeriodHours,
        earlyRenewalHours: options.earlyRenewalHours ?? props.leafEarlyRenewalHours,
        issuer: this.serverCa,
        dnsNames: options.dnsNames,
        ipAddresses: options.ipAddresses,
        subject,
        // During a rotation every live generation is trusted, so peers on either side keep connecting.
        trustedCas: [...engine.live, ...transmission.live, ...liveSiteCas, ...roots.live],
        outputDirectory: path.join(this.outputDirectory, 'certs', folder),
      });
      new UploadReadme(cert, 'readme', { certificate: cert });
      return cert;
    };
    // The first server keeps the subject it was released with (a common name only, unless one is set): a new
    // subject would re-issue every deployed server certificate on upgrade.
    this.server = props.server && serverCert(this, 'server', props.server, 'server', props.server.commonName ? dn(props.server.commonName) : undefined);
    const group = serverOptions.length > 0 ? new Construct(this, 'servers') : undefined;
    const more = serverOptions.map((o) => serverCert(group!, o.name, o, `servers/${o.name}`, dn(o.commonName ?? o.dnsNames?.[0] ?? o.ipAddresses?.[0] ?? o.name), o.product));
    this.servers = [...(this.server ? [this.server] : []), ...more];
    this.clientTrustedCas = [...server.live, ...roots.live];
    const clients = (group: Construct, kind: string, product: Product, issuer: ICertificateAuthority, names: string[]) =>
      names.map((name) => new ClientCert(group, name, {
        ...leaf,
        product,
        issuer,
        encryptedKeyFile: kind === 'engine' ? props.encryptEngineClientKeys : props.encryptTransmissionClientKeys,
        subject: dn(name, kind),
        trustedCas: this.clientTrustedCas,
        outputDirectory: path.join(this.outputDirectory, 'certs', kind, name),
      }));
    this.engineClients = clients(new Construct(this, 'engine'), 'engine', MQTT_ENGINE, this.engineCa, engineNames);
    this.transmissionClients = clients(new Construct(this, 'transmission'), 'transmission', MQTT_TRANSMISSION, this.transmissionCa, transmissionNames);
    // Each certificate's folder is its upload folder; the README says what goes where.
    for (const cert of [...this.engineClients, ...this.transmissionClients]) {
      new UploadReadme(cert, 'readme', { certificate: cert, servers: this.servers });
    }
    // A site's clients are one construct, which a site's own stack builds the same way, at the same path.
    this.sites = siteNames.map((name) => ({
      name,
      issuingCa: siteCas.get(name)?.issuing,
      certificateAuthorities: siteCas.get(name)?.live ?? [],
      transmissionClients: new TransmissionSiteClients(siteScopes.get(name)!, 'clients', {
        ...leaf,
        site: name,
        transmissionClients: siteOptions[name].transmissionClients,
        issuer: siteCas.get(name)?.issuing ?? this.transmissionCa,
        trustedCas: this.clientTrustedCas,
        servers: this.servers,
        outputDirectory: this.outputDirectory,
        organization,
        country: props.country,
        encryptedKeyFile: props.encryptTransmissionClientKeys,
      }).transmissionClients,
    }));
  }
}


/**
 * A CA's id among the hierarchy's CAs, as `caKeyFiles` names it: its construct path under the `ChariotPki`
 * (`root-ca`, `transmission-ca-g2`, and a site's CA `sites/north-sea/ca`, `sites/north-sea/ca-g2`).
 */
export function caKeyId(ca: ICertificateAuthority): string {
  const pki = ca.node.scopes.find((scope) => scope instanceof ChariotPki);
  return pki === undefined ? ca.node.id : ca.node.path.slice(pki.node.path.length + 1);
}

/** Whether `ca` is an externally signed CA still waiting for its certificate. */
function isUnsigned(ca: ICertificateAuthority): ca is ExternallySignedCa {
  return ca instanceof ExternallySignedCa && !ca.signed;
}

/** The enterprise root (`enterprise/root`, written to `ca/ca.crt`) and its intermediates (`enterprise/intermediate-N`). */
function enterpriseChain(scope: Construct, external: ExternalRootOptions, caDir: string): ExternalCa[] {
  const group = new Construct(scope, 'enterprise');
  const root = new ExternalCa(group, 'root', { certPem: external.rootCertPem, certFile: path.join(caDir, 'ca.crt') });
  const chain = [root];
  (external.intermediateCertPems ?? []).forEach((certPem, i) => {
    chain.push(new ExternalCa(group, `intermediate-${i + 1}`, { certPem, issuer: chain[i], certFile: path.join(caDir, 'enterprise', `intermediate-${i + 1}.crt`) }));
  });
  return chain;
}
