import * as path from 'node:path';
import { Construct } from 'constructs';
import { ICertificateAuthority } from './certificate-authority';
import { ClientCert } from './client-cert';
import { DistinguishedName } from './distinguished-name';
import { IntermediateCa } from './intermediate-ca';
import { KeyOptions } from './key';
import { RootCa } from './root-ca';
import { Product } from './products/product';
import { ServerCert } from './server-cert';
import { UploadReadme } from './upload-readme';
import { MQTT_ENGINE } from './products/mqtt-engine';
import { MQTT_TRANSMISSION } from './products/mqtt-transmission';
import { MAX_NAME_LENGTH } from './private/subject';
import { Problems, checkText, checkUnique, isKnown } from './private/validation';

/** The organization when none is given. */
const DEFAULT_ORGANIZATION = 'Chariot TLS';
/** A client name becomes a directory and a construct id: keep it to one safe path segment. */
const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** A site name becomes a directory, a construct id and part of its CA's common name: one short safe segment. */
const SITE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

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
 * What the previous generation of a CA still does while a new generation takes over: the three
 * steps of a rotation without an outage (docs/operate.md, "Rotating a CA").
 */
export enum PreviousGeneration {
  /** Step 1: the new generation is created and trusted by every bundle; the previous one still signs. */
  ISSUING = 'issuing',
  /** Step 2: the new generation signs; the previous one is still trusted by every bundle. */
  TRUSTED = 'trusted',
  /** Step 3: the previous generation is gone: its key, certificate and file are destroyed. */
  RETIRED = 'retired',
}

/**
 * Which generation of a CA is current, and what the one before it still does.
 */
export interface CaGenerationOptions {
  /**
   * The CA's generation: 1 is the CA as first deployed, each rotation adds one. From generation 2
   * on, the CA's construct id, common name and file carry `-gN` / ` GN` (`server-ca-g2`, "... Server CA G2").
   * @default 1
   */
  readonly generation?: number;

  /**
   * What generation `generation - 1` still does. Required from generation 2 on.
   * @default - none: generation 1 has no predecessor
   */
  readonly previous?: PreviousGeneration;
}

/**
 * The generations of the four CAs of a `ChariotPki`.
 */
export interface CaGenerations {
  /**
   * The Root CA. A new root generation signs the intermediates (their keys stay); both roots are trusted during the overlap.
   * @default - generation 1
   */
  readonly rootCa?: CaGenerationOptions;

  /**
   * The Server CA, which signs the Chariot server certificate.
   * @default - generation 1
   */
  readonly serverCa?: CaGenerationOptions;

  /**
   * The Engine CA, which signs the MQTT Engine client certificates.
   * @default - generation 1
   */
  readonly engineCa?: CaGenerationOptions;

  /**
   * The Transmission CA, which signs the MQTT Transmission client certificates.
   * @default - generation 1
   */
  readonly transmissionCa?: CaGenerationOptions;
}

/**
 * One site of MQTT Transmission clients (a plant, a field, a platform): its clients, and whether it has its own
 * issuing CA, so that a compromise or a rotation touches one site, not the fleet.
 */
export interface TransmissionSiteOptions {
  /**
   * Names of the site's MQTT Transmission clients; each gets `certs/transmission/SITE/NAME/`. A name may appear in
   * one site (or the flat `transmissionClients` list) only.
   * @default []
   */
  readonly transmissionClients?: string[];

  /**
   * Give the site its own issuing CA ("SITE Transmission CA", path length 0), signed by the Transmission CA, which
   * then gets path length 1. Its certificate is written to `ca/transmission/SITE/site-ca.crt`.
   * @default false - the Transmission CA signs the site's clients
   */
  readonly issuingCa?: boolean;
}

/**
 * A site as built: its issuing CA, if it has one, and its client certificates.
 */
export interface TransmissionSite {
  /** The site's name, as configured. */
  readonly name: string;
  /**
   * The site's own issuing CA.
   * @default - none: the Transmission CA signs the site's clients
   */
  readonly issuingCa?: IntermediateCa;
  /** The site's MQTT Transmission client certificates, in the order given. */
  readonly transmissionClients: ClientCert[];
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
}

/**
 * The whole Chariot / MQTT Engine / MQTT Transmission hierarchy of the Cirrus Link procedure:
 * a Root CA; a Server CA, an Engine CA and a Transmission CA under it; the Chariot server
 * certificate; one client certificate per Engine and per Transmission; and every trust bundle.
 */
export class ChariotPki extends Construct {
  /** The absolute directory the files are written under. */
  public readonly outputDirectory: string;
  /** The Root CA generation that signs the intermediates: the trust anchor of every product. */
  public readonly rootCa: RootCa;
  /** The Server CA generation that signs the Chariot server certificate. */
  public readonly serverCa: IntermediateCa;
  /** The Engine CA generation that signs the MQTT Engine client certificates. */
  public readonly engineCa: IntermediateCa;
  /** The Transmission CA generation that signs the MQTT Transmission client certificates. */
  public readonly transmissionCa: IntermediateCa;
  /** Every CA generation that exists (signing or only trusted), roots first, oldest generation first. */
  public readonly certificateAuthorities: ICertificateAuthority[];
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

    const roots = liveGenerations(generations.rootCa, (n) =>
      new RootCa(this, generationId('root-ca', n), {
        subject: dn(`${organization} Root CA${generationSuffix(n)}`, 'CA'),
        key: props.caKey,
        validityPeriodHours: props.rootValidityPeriodHours,
        earlyRenewalHours: props.rootEarlyRenewalHours,
        ...caFiles('ca', generationId('ca', n)),
      }));
    this.rootCa = roots.issuing;
    const caProps = {
      key: props.caKey,
      validityPeriodHours: props.intermediateValidityPeriodHours,
      earlyRenewalHours: props.intermediateEarlyRenewalHours,
    };
    const intermediate = (caId: string, title: string, options?: CaGenerationOptions, pathLength = {}) =>
      liveGenerations(options, (n) =>
        new IntermediateCa(this, generationId(`${caId}-ca`, n), {
          ...caProps,
          ...pathLength,
          issuer: this.rootCa,
          subject: dn(`${organization} ${title} CA${generationSuffix(n)}`, 'CA'),
          ...caFiles(`ca/${caId}`, generationId(`${caId}-ca`, n)),
        }));
    const server = intermediate('server', 'Server', generations.serverCa);
    const engine = intermediate('engine', 'Engine', generations.engineCa);
    // A site CA stands below the Transmission CA: path length 1 from the first site that has one (docs/operate.md, "Sites").
    const transmission = intermediate('transmission', 'Transmission', generations.transmissionCa, siteCaPathLength);
    this.serverCa = server.issuing;
    this.engineCa = engine.issuing;
    this.transmissionCa = transmission.issuing;
    const sitesScope = siteNames.length > 0 ? new Construct(this, 'sites') : undefined;
    const siteScopes = new Map(siteNames.map((name) => [name, new Construct(sitesScope!, name)]));
    const siteCas = new Map(siteNames.filter((name) => siteOptions[name].issuingCa).map((name) => [name, new IntermediateCa(siteScopes.get(name)!, 'ca', {
      ...caProps,
      issuer: this.transmissionCa,
      subject: dn(`${name} Transmission CA`, 'CA'),
      ...caFiles(`ca/transmission/${name}`, 'site-ca'),
    })]));
    this.certificateAuthorities = [...roots.live, ...server.live, ...engine.live, ...transmission.live, ...siteCas.values()];

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
        trustedCas: [...engine.live, ...transmission.live, ...siteCas.values(), ...roots.live],
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
    const clients = (group: Construct, kind: string, product: Product, issuer: ICertificateAuthority, names: string[], site?: string) =>
      names.map((name) => new ClientCert(group, name, {
        ...leaf,
        product,
        issuer,
        site,
        subject: dn(name, kind),
        trustedCas: [...server.live, ...roots.live],
        outputDirectory: path.join(this.outputDirectory, 'certs', kind, ...(site === undefined ? [] : [site]), name),
      }));
    this.engineClients = clients(new Construct(this, 'engine'), 'engine', MQTT_ENGINE, this.engineCa, engineNames);
    this.transmissionClients = clients(new Construct(this, 'transmission'), 'transmission', MQTT_TRANSMISSION, this.transmissionCa, transmissionNames);
    this.sites = siteNames.map((name) => ({
      name,
      issuingCa: siteCas.get(name),
      transmissionClients: clients(new Construct(siteScopes.get(name)!, 'clients'), 'transmission', MQTT_TRANSMISSION,
        siteCas.get(name) ?? this.transmissionCa, siteOptions[name].transmissionClients ?? [], name),
    }));
    // Each certificate's folder is its upload folder; the README says what goes where.
    for (const cert of [...this.engineClients, ...this.transmissionClients, ...this.sites.flatMap((s) => s.transmissionClients)]) {
      new UploadReadme(cert, 'readme', { certificate: cert, servers: this.servers });
    }
  }
}

/** The generations of one CA that exist: the one that signs, and all that bundles trust (oldest first). */
interface LiveGenerations<T> {
  readonly issuing: T;
  readonly live: T[];
}

/** Creates the live generations of a CA (validated by `checkGenerations`) with `create(n)`. */
function liveGenerations<T>(options: CaGenerationOptions | undefined, create: (generation: number) => T): LiveGenerations<T> {
  const current = options?.generation ?? 1;
  const previous = options?.previous;
  if (current === 1 || previous === undefined || previous === PreviousGeneration.RETIRED) {
    const only = create(current);
    return { issuing: only, live: [only] };
  }
  const [older, newer] = [create(current - 1), create(current)];
  return { issuing: previous === PreviousGeneration.ISSUING ? older : newer, live: [older, newer] };
}

/** Generation 1 keeps the id of the CA as first released (ids are Terraform addresses); later ones add `-gN`. */
function generationId(base: string, generation: number): string {
  return generation === 1 ? base : `${base}-g${generation}`;
}

/** A new generation gets a new name: two CAs with one name and different keys confuse chain building. */
function generationSuffix(generation: number): string {
  return generation === 1 ? '' : ` G${generation}`;
}

/** Checks what the composite itself decides, before any key or certificate is declared. */
function checkHierarchy(scope: Construct, props: ChariotPkiProps, engineNames: string[], transmissionNames: string[]): void {
  const problems = new Problems(scope);
  const servers = props.servers ?? [];
  const sites = Object.entries(props.sites ?? {});
  const siteClientNames = sites.flatMap(([, site]) => site.transmissionClients ?? []);
  if (!props.server && servers.length === 0 && engineNames.length === 0 && transmissionNames.length === 0 && siteClientNames.length === 0) {
    problems.add('server', props.server, 'is missing and there are no clients: the hierarchy is empty', 'set server, servers, engineClients, transmissionClients or sites');
  }
  checkServerNames(problems, props, engineNames, [...transmissionNames, ...siteClientNames]);
  checkText(problems, 'organization', props.organization ?? DEFAULT_ORGANIZATION, MAX_NAME_LENGTH, 'shorten it');
  if (props.server?.commonName) checkText(problems, 'server.commonName', props.server.commonName, MAX_NAME_LENGTH, 'shorten it or put long names in dnsNames');
  const lists: [string, string[]][] = [
    ['engineClients', engineNames],
    ['transmissionClients', transmissionNames],
    ...sites.map(([site, options]): [string, string[]] => [`sites.${site}.transmissionClients`, options.transmissionClients ?? []]),
  ];
  for (const [field, names] of lists) {
    names.forEach((name, i) => {
      if (isKnown(name) && !CLIENT_NAME.test(name)) {
        problems.add(`${field}[${i}]`, name, 'is not a safe directory name (it would be written outside its folder or is empty)', 'use 1 to 64 letters, digits, - and _, starting with a letter or digit');
      }
    });
    checkUnique(problems, field, names);
  }
  checkSites(problems, transmissionNames, sites);
  for (const [ca, options] of Object.entries(props.caGenerations ?? {})) {
    checkGeneration(problems, `caGenerations.${ca}`, options as CaGenerationOptions);
  }
  problems.throwIfAny();
}

/**
 * Server names are folders and construct ids: safe path segments, unique ignoring case (two names that differ only
 * in case share a folder on macOS and Windows), and never a client's name (summaries and READMEs name both).
 */
function checkServerNames(problems: Problems, props: ChariotPkiProps, engineNames: string[], transmissionNames: string[]): void {
  const clients = new Set([...engineNames, ...transmissionNames].map((n) => n.toLowerCase()));
  const seen = new Map<string, string>(props.server ? [['server', 'server']] : []);
  (props.servers ?? []).forEach(({ name }, i) => {
    const field = `servers[${i}].name`;
    if (!isKnown(name)) return;
    if (!CLIENT_NAME.test(name)) {
      problems.add(field, name, 'is not a safe directory name (it would be written outside its folder or is empty)', 'use 1 to 64 letters, digits, - and _, starting with a letter or digit');
      return;
    }
    const key = name.toLowerCase();
    if (seen.has(key)) {
      problems.add(field, name, `is already the name of a server ("${seen.get(key)}"; names are compared ignoring case, as folders are on macOS and Windows)`, 'give each server a name, and so a folder, of its own');
    } else if (clients.has(key)) {
      problems.add(field, name, 'is also the name of a client', 'give servers and clients different names, e.g. "chariot-1" and "edge-1"');
    }
    seen.set(key, name);
  });
}

/**
 * Site names are folders beside the flat list's client folders (`certs/transmission/SITE/`) and each client is in
 * one place: no site may clash with another site or a flat client, no client may be in two, not even by case alone
 * (the folders would clash on a case-insensitive file system). The flat list itself keeps its old rules.
 */
function checkSites(problems: Problems, transmissionNames: string[], sites: [string, TransmissionSiteOptions][]): void {
  const folders = new Map(transmissionNames.map((name) => [name.toLowerCase(), `transmissionClients (client "${name}")`]));
  const clients = new Map(transmissionNames.map((name) => [name.toLowerCase(), { name, where: 'transmissionClients' }]));
  for (const [site, options] of sites) {
    if (!SITE_NAME.test(site)) {
      problems.add('sites', site, 'is not a safe site name (it becomes a folder, a Terraform address and part of a CA name)', 'use 1 to 32 letters, digits, - and _, starting with a letter or digit');
    }
    const folder = folders.get(site.toLowerCase());
    if (folder !== undefined) {
      problems.add('sites', site, `would share its folder certs/transmission/${site}/ with ${folder} (names are compared without letter case)`, 'rename the site');
    }
    folders.set(site.toLowerCase(), `site "${site}"`);
    (options.transmissionClients ?? []).forEach((name, i) => {
      const other = clients.get(name.toLowerCase());
      const field = `sites.${site}.transmissionClients[${i}]`;
      if (other !== undefined && other.where !== `sites.${site}`) {
        const how = other.name === name ? 'is also in' : `differs only in letter case from "${other.name}" in`;
        problems.add(field, name, `${how} ${other.where}: a client belongs to one site`, 'keep it in one place, under one spelling');
      } else if (other !== undefined && other.name !== name) {
        problems.add(field, name, `differs only in letter case from "${other.name}" in the same site: their folders would clash`, 'give each client a unique name');
      }
      if (other === undefined) clients.set(name.toLowerCase(), { name, where: `sites.${site}` });
    });
  }
}

const PREVIOUS_VALUES = Object.values(PreviousGeneration);

function checkGeneration(problems: Problems, field: string, options: CaGenerationOptions): void {
  const { generation = 1, previous } = options;
  if (!isKnown(generation) || !isKnown(previous)) return;
  if (!Number.isInteger(generation) || generation < 1) {
    problems.add(`${field}.generation`, generation, 'is not a whole number, 1 or more', 'use 1 for the CA as first deployed, 2 for its first rotation');
    return;
  }
  if (previous !== undefined && !PREVIOUS_VALUES.includes(previous)) {
    problems.add(`${field}.previous`, previous, `is not one of ${PREVIOUS_VALUES.join(', ')}`, 'use "issuing", then "trusted", then "retired" (docs/operate.md, "Rotating a CA")');
  } else if (generation === 1 && previous !== undefined) {
    problems.add(`${field}.previous`, previous, 'has no generation to refer to at generation 1', 'remove it, or set generation to 2 to start a rotation');
  } else if (generation > 1 && previous === undefined) {
    problems.add(
      `${field}.previous`,
      undefined,
      `is missing at generation ${generation}: say what generation ${generation - 1} still does`,
      'set "issuing" (step 1: the new CA is trusted, the old one still signs), then "trusted" (step 2), then "retired" (step 3); see docs/operate.md, "Rotating a CA"',
    );
  }
}
