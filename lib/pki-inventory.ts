import * as path from 'node:path';
import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { ICertificateAuthority } from './certificate-authority';
import { ChariotPki } from './chariot-pki';
import { CertificateFile, FileKind } from './certificate-file';
import { CertificateRole } from './certificate-role';
import { DistinguishedName } from './distinguished-name';
import { IntermediateCa } from './intermediate-ca';
import { EcdsaCurve, KeyAlgorithm } from './key';
import { LeafCertificate } from './leaf-certificate';
import { RootCa } from './root-ca';
import { UploadReadme } from './upload-readme';

/** Bumped when a field of `PkiInventory.toJson()` changes meaning or is removed. */
const INVENTORY_FORMAT_VERSION = 1;
/** What an inventory shows for a value that is only known at deploy time. */
const UNRESOLVED = '(known at deploy time)';

/**
 * What a certificate is in the hierarchy.
 */
export enum InventoryRole {
  /** A self-signed root CA: the trust anchor. */
  ROOT_CA = 'root-ca',
  /** A CA signed by another CA. */
  INTERMEDIATE_CA = 'intermediate-ca',
  /** A TLS server certificate (serverAuth). */
  SERVER = 'server',
  /** A TLS client certificate (clientAuth). */
  CLIENT = 'client',
}

/**
 * One file a certificate's construct writes.
 */
export interface InventoryFile {
  /** The path, relative to the inventory's output directory, with `/` separators. */
  readonly path: string;
  /** What the file holds (`cert`, `caChain`, `privateKey`, ...). */
  readonly kind: FileKind;
  /** True for a private key (written mode 0600). The inventory never holds its content. */
  readonly secret: boolean;
}

/**
 * What the hierarchy intends for one certificate, as known at synth time. No key or certificate material.
 */
export interface InventoryCertificate {
  /** What the certificate is in the hierarchy. */
  readonly role: InventoryRole;
  /** The construct path, which is also the prefix of its Terraform addresses. */
  readonly constructPath: string;
  /** The subject. */
  readonly subject: DistinguishedName;
  /**
   * The construct path of the issuing CA.
   * @default - none: the certificate is self-signed
   */
  readonly issuerPath?: string;
  /**
   * The common name of the issuing CA.
   * @default - none: the certificate is self-signed
   */
  readonly issuerCommonName?: string;
  /** DNS names in the subjectAltName. */
  readonly dnsNames: string[];
  /** IP addresses in the subjectAltName. */
  readonly ipAddresses: string[];
  /** The key algorithm. */
  readonly keyAlgorithm: KeyAlgorithm;
  /**
   * The RSA key size in bits.
   * @default - none: not an RSA key
   */
  readonly rsaBits?: number;
  /**
   * The ECDSA curve.
   * @default - none: not an ECDSA key
   */
  readonly ecdsaCurve?: EcdsaCurve;
  /** The key usages, by their RFC 5280 names (`digitalSignature`, `keyCertSign`, ...), in RFC 5280 bit order as certificates list them. */
  readonly keyUsages: string[];
  /** The extended key usages, by their RFC 5280 names (`serverAuth`, `clientAuth`). */
  readonly extendedKeyUsages: string[];
  /** Whether the certificate is a CA (basicConstraints CA:TRUE). */
  readonly isCa: boolean;
  /**
   * How many CAs may stand below this CA.
   * @default - no limit (or not a CA)
   */
  readonly maxPathLength?: number;
  /** How long the certificate is valid, in hours. */
  readonly validityPeriodHours: number;
  /** How many hours before expiry a deploy re-issues (or re-signs) it; 0 for never before expiry. */
  readonly earlyRenewalHours: number;
  /**
   * The product the certificate's files are for, by its label (`Chariot MQTT Server`).
   * @default - none: a CA
   */
  readonly product?: string;
  /** The files written, sorted by path. */
  readonly files: InventoryFile[];
  /**
   * The site the certificate belongs to: a site's issuing CA or one of its clients.
   * @default - none: not part of a site
   */
  readonly site?: string;
}

/**
 * Options of `PkiInventory.of`.
 */
export interface PkiInventoryOptions {
  /**
   * File paths are shown relative to this directory.
   * @default - the `outputDirectory` of the `ChariotPki` in the scope when there is exactly one, else the working directory
   */
  readonly outputDirectory?: string;

  /**
   * The directory the inventory is written to. When set, the output directory is shown relative to it
   * (or absolute when it lies outside), so readers know where the files are.
   * @default - the output directory is not shown
   */
  readonly inventoryDirectory?: string;
}

/**
 * A deterministic, secret-free description of the certificates a construct tree intends to issue:
 * roles, subjects, names, keys, usages, validity and files. Written next to the configuration and
 * committed, it lets a pull request show what a change does to the PKI, one line per changed fact.
 *
 * Certificates are listed depth first from each root, siblings in construct path order, so reordering
 * a list in the configuration changes nothing.
 */
export class PkiInventory {
  /**
   * The inventory of every `RootCa`, `IntermediateCa`, `ServerCert` and `ClientCert` under `scope` (included).
   */
  public static of(scope: IConstruct, options: PkiInventoryOptions = {}): PkiInventory {
    const found = scope.node.findAll();
    const composites = found.filter((c): c is ChariotPki => c instanceof ChariotPki);
    const outputDirectory = path.resolve(options.outputDirectory ?? (composites.length === 1 ? composites[0].outputDirectory : process.cwd()));
    const readmes = found.filter((c): c is UploadReadme => c instanceof UploadReadme);
    const sites = siteOfPath(composites);
    const certificates = hierarchyOrder(found.filter(isInventoried)).map((c) => ({ ...describe(c, outputDirectory, readmes), ...sites.get(c.node.path) }));
    const shown = options.inventoryDirectory === undefined ? undefined : showDirectory(outputDirectory, options.inventoryDirectory);
    return new PkiInventory(certificates, shown);
  }

  private constructor(
    /** The certificates, depth first from each root CA. */
    public readonly certificates: InventoryCertificate[],
    /** The output directory as shown: relative to the inventory directory when inside it, else absolute. */
    public readonly outputDirectory?: string,
  ) {}

  /** The inventory for machines: plain JSON data with every key present (`null` where a value does not apply). */
  public toJson(): any {
    return {
      formatVersion: INVENTORY_FORMAT_VERSION,
      outputDirectory: this.outputDirectory ?? null,
      certificates: this.certificates.map((c) => ({
        role: c.role,
        product: c.product ?? null,
        constructPath: c.constructPath,
        subject: subjectJson(c.subject),
        subjectText: subjectText(c.subject),
        issuer: c.issuerPath === undefined ? null : { constructPath: c.issuerPath, commonName: c.issuerCommonName ?? null },
        dnsNames: c.dnsNames,
        ipAddresses: c.ipAddresses,
        key: { algorithm: c.keyAlgorithm, rsaBits: c.rsaBits ?? null, ecdsaCurve: c.ecdsaCurve ?? null, text: keyText(c) },
        keyUsages: c.keyUsages,
        extendedKeyUsages: c.extendedKeyUsages,
        isCa: c.isCa,
        maxPathLength: c.maxPathLength ?? null,
        validityPeriodHours: c.validityPeriodHours,
        validityPeriodDays: days(c.validityPeriodHours),
        earlyRenewalHours: c.earlyRenewalHours,
        earlyRenewalDays: days(c.earlyRenewalHours),
        renewableAfterHours: renewableAfterHours(c),
        renewableAfterDays: days(renewableAfterHours(c)),
        files: c.files,
        site: c.site ?? null,
      })),
    };
  }

  /** The inventory for people: a hierarchy outline, then one table per certificate, one fact per line. */
  public toMarkdown(): string {
    const lines = [
      '# PKI inventory',
      '',
      '<!-- Generated at synth time from the configuration: do not edit. It holds no keys or certificates. -->',
      '',
      'The certificates this configuration issues, as intended at synth time. Review changes to this file in pull requests:',
      'each changed name, key, usage, validity or file is one changed line.',
      '',
      this.outputDirectory === undefined
        ? 'File paths are relative to the output directory.'
        : `File paths are relative to the output directory, \`${cell(this.outputDirectory)}\`.`,
      '',
      '## Hierarchy',
      '',
      ...this.certificates.map((c) => `${'  '.repeat(depthOf(c, this.certificates))}- **${cell(c.subject.commonName)}**: ${ROLE_TEXT[c.role]}${c.product === undefined ? '' : `, ${cell(c.product)}`} (\`${c.constructPath}\`)`),
      '',
      ...siteSection(this.certificates),
      '## Certificates',
    ];
    for (const c of this.certificates) {
      const rows: [string, string][] = [
        ['Role', ROLE_TEXT[c.role]],
        ...(c.product === undefined ? [] : [['Product', c.product] as [string, string]]),
        ...(c.site === undefined ? [] : [['Site', c.site] as [string, string]]),
        ['Subject', subjectText(c.subject)],
        ['Issuer', c.issuerPath === undefined ? 'self-signed' : `${c.issuerCommonName ?? ''} (\`${c.issuerPath}\`)`],
        ['Subject alternative names', sanText(c)],
        ['Key', keyText(c)],
        ['Key usage', listText(c.keyUsages)],
        ['Extended key usage', listText(c.extendedKeyUsages)],
        ['Basic constraints', constraintsText(c)],
        ['Validity', `${hoursText(c.validityPeriodHours)}`],
        ['Renewal', renewalText(c)],
        ['Files', c.files.length === 0 ? 'none' : c.files.map((f) => `\`${f.path}\`${f.secret ? ' (private key, 0600)' : ''}`).join(', ')],
      ];
      lines.push('', `### ${cell(c.subject.commonName)} (\`${c.constructPath}\`)`, '', '| Field | Value |', '| --- | --- |');
      lines.push(...rows.map(([field, value]) => `| ${field} | ${cell(value)} |`));
    }
    return `${lines.join('\n')}\n`;
  }
}

type Inventoried = RootCa | IntermediateCa | LeafCertificate;

const ROLE_TEXT: Record<InventoryRole, string> = {
  [InventoryRole.ROOT_CA]: 'root CA',
  [InventoryRole.INTERMEDIATE_CA]: 'intermediate CA',
  [InventoryRole.SERVER]: 'server',
  [InventoryRole.CLIENT]: 'client',
};

/** The tls provider's `allowed_uses` names: key usages (in RFC 5280 bit order), then extended key usages, by RFC 5280 name. */
const KEY_USAGES: Record<string, string> = {
  digital_signature: 'digitalSignature',
  content_commitment: 'contentCommitment',
  key_encipherment: 'keyEncipherment',
  data_encipherment: 'dataEncipherment',
  key_agreement: 'keyAgreement',
  cert_signing: 'keyCertSign',
  crl_signing: 'cRLSign',
  encipher_only: 'encipherOnly',
  decipher_only: 'decipherOnly',
};
const EXTENDED_KEY_USAGES: Record<string, string> = {
  any_extended: 'anyExtendedKeyUsage',
  server_auth: 'serverAuth',
  client_auth: 'clientAuth',
  code_signing: 'codeSigning',
  email_protection: 'emailProtection',
  timestamping: 'timeStamping',
  ocsp_signing: 'OCSPSigning',
};

/** Subject fields in the order RFC 4514 writes them (most specific first). */
const SUBJECT_FIELDS: [keyof DistinguishedName, string][] = [
  ['commonName', 'CN'],
  ['organizationalUnit', 'OU'],
  ['organization', 'O'],
  ['locality', 'L'],
  ['province', 'ST'],
  ['country', 'C'],
];

/** A key usage's bit in the keyUsage extension; unknown names last. */
function bitOf(use: string): number {
  const bit = Object.keys(KEY_USAGES).indexOf(use);
  return bit === -1 ? Number.MAX_SAFE_INTEGER : bit;
}

/** The site of each site CA and site client, by construct path. */
function siteOfPath(composites: ChariotPki[]): Map<string, { site: string }> {
  const entries = composites.flatMap((pki) => pki.sites).flatMap((site) =>
    [...(site.issuingCa ? [site.issuingCa] : []), ...site.transmissionClients].map((c): [string, { site: string }] => [c.node.path, { site: site.name }]));
  return new Map(entries);
}

/** One line per site: how many clients, and which CA signs them. Nothing when there are no sites. */
function siteSection(certificates: InventoryCertificate[]): string[] {
  const names = [...new Set(certificates.flatMap((c) => (c.site === undefined ? [] : [c.site])))].sort();
  if (names.length === 0) return [];
  const lines = names.map((name) => {
    const clients = certificates.filter((c) => c.site === name && c.role === InventoryRole.CLIENT);
    const ca = certificates.find((c) => c.site === name && c.isCa);
    const signer = ca === undefined ? `signed by ${clients[0]?.issuerCommonName ?? 'the Transmission CA'}` : `its own issuing CA, ${ca.subject.commonName}`;
    return `- **${cell(name)}**: ${clients.length} client${clients.length === 1 ? '' : 's'}, ${cell(signer)}`;
  });
  return ['## Sites', '', ...lines, ''];
}

function isInventoried(c: IConstruct): c is Inventoried {
  return c instanceof RootCa || c instanceof IntermediateCa || c instanceof LeafCertificate;
}

/** Depth first from each root; siblings by construct path (code-unit order, not locale order). */
function hierarchyOrder(certs: Inventoried[]): Inventoried[] {
  const byPath = (a: IConstruct, b: IConstruct) => (a.node.path < b.node.path ? -1 : a.node.path > b.node.path ? 1 : 0);
  const present = new Set(certs.map((c) => c.node.path));
  const issuerOf = (c: Inventoried): ICertificateAuthority | undefined => (c instanceof RootCa ? undefined : c.issuer);
  const children = (ca: IConstruct | undefined) =>
    certs.filter((c) => {
      const issuer = issuerOf(c);
      return ca === undefined ? issuer === undefined || !present.has(issuer.node.path) : issuer?.node.path === ca.node.path;
    }).sort(byPath);
  const visit = (c: Inventoried): Inventoried[] => [c, ...children(c).flatMap(visit)];
  return children(undefined).flatMap(visit);
}

function describe(c: Inventoried, outputDirectory: string, readmes: UploadReadme[]): InventoryCertificate {
  const uses = c.allowedUses;
  const common = {
    constructPath: c.node.path,
    subject: c.subject,
    keyAlgorithm: c.keyAlgorithm,
    rsaBits: c.rsaBits,
    ecdsaCurve: c.ecdsaCurve,
    keyUsages: uses.filter((u) => !(u in EXTENDED_KEY_USAGES)).sort((a, b) => bitOf(a) - bitOf(b)).map((u) => KEY_USAGES[u] ?? u),
    extendedKeyUsages: uses.filter((u) => u in EXTENDED_KEY_USAGES).map((u) => EXTENDED_KEY_USAGES[u]),
    validityPeriodHours: c.validityPeriodHours,
    earlyRenewalHours: c.earlyRenewalHours,
    files: filesOf(c, outputDirectory, readmes),
  };
  if (c instanceof RootCa) {
    return { ...common, role: InventoryRole.ROOT_CA, dnsNames: [], ipAddresses: [], isCa: true, maxPathLength: c.maxPathLength };
  }
  const issuer = { issuerPath: c.issuer.node.path, issuerCommonName: c.issuer.commonName };
  if (c instanceof IntermediateCa) {
    return { ...common, ...issuer, role: InventoryRole.INTERMEDIATE_CA, dnsNames: [], ipAddresses: [], isCa: true, maxPathLength: c.maxPathLength };
  }
  return {
    ...common,
    ...issuer,
    role: c.role === CertificateRole.SERVER ? InventoryRole.SERVER : InventoryRole.CLIENT,
    product: c.product.name,
    dnsNames: c.dnsNames,
    ipAddresses: c.ipAddresses,
    isCa: false,
  };
}

function filesOf(c: Inventoried, outputDirectory: string, readmes: UploadReadme[]): InventoryFile[] {
  const files: CertificateFile[] =
    c instanceof LeafCertificate
      ? [...c.files, ...readmes.filter((r) => r.certificate === c).map((r) => ({ kind: FileKind.README, path: r.file, secret: false }))]
      : [
        ...(c.certFile === undefined ? [] : [{ kind: FileKind.CERT, path: c.certFile, secret: false }]),
        ...(c.privateKeyFile === undefined ? [] : [{ kind: FileKind.PRIVATE_KEY, path: c.privateKeyFile, secret: true }]),
      ];
  return files
    .map((f) => ({ path: relativeFile(outputDirectory, f.path), kind: f.kind, secret: f.secret }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function relativeFile(outputDirectory: string, file: string): string {
  if (Token.isUnresolved(file)) return UNRESOLVED;
  return path.relative(outputDirectory, path.resolve(outputDirectory, file)).split(path.sep).join('/');
}

function showDirectory(outputDirectory: string, inventoryDirectory: string): string {
  const relative = path.relative(path.resolve(inventoryDirectory), outputDirectory);
  if (relative === '') return '.';
  if (relative.startsWith('..') || path.isAbsolute(relative)) return outputDirectory;
  return relative.split(path.sep).join('/');
}

function depthOf(c: InventoryCertificate, all: InventoryCertificate[]): number {
  const issuer = all.find((other) => other.constructPath === c.issuerPath);
  return issuer === undefined ? 0 : 1 + depthOf(issuer, all);
}

function known(value: string): string {
  return Token.isUnresolved(value) ? UNRESOLVED : value;
}

function subjectJson(subject: DistinguishedName): Record<string, string | null> {
  return Object.fromEntries(SUBJECT_FIELDS.map(([field]) => [field, subject[field] === undefined ? null : known(subject[field]!)]));
}

/** The subject in RFC 4514 form, most specific first: `CN=localhost, O=Acme, C=US`. */
function subjectText(subject: DistinguishedName): string {
  return SUBJECT_FIELDS.filter(([field]) => subject[field] !== undefined)
    .map(([field, label]) => `${label}=${known(subject[field]!).replace(/([,+"\\<>;=])/g, '\\$1')}`)
    .join(', ');
}

function sanText(c: InventoryCertificate): string {
  const names = [...c.dnsNames.map((n) => `DNS:${known(n)}`), ...c.ipAddresses.map((a) => `IP:${known(a)}`)];
  return names.length === 0 ? 'none' : names.join(', ');
}

function keyText(c: InventoryCertificate): string {
  if (c.keyAlgorithm === KeyAlgorithm.RSA) return `RSA ${c.rsaBits}`;
  return `${c.keyAlgorithm} ${c.ecdsaCurve ?? ''}`.trim();
}

function listText(values: string[]): string {
  return values.length === 0 ? 'none' : values.join(', ');
}

function constraintsText(c: InventoryCertificate): string {
  if (!c.isCa) return 'not a CA';
  return c.maxPathLength === undefined ? 'CA, no path length limit' : `CA, path length ${c.maxPathLength}`;
}

function renewableAfterHours(c: InventoryCertificate): number {
  return Math.max(0, c.validityPeriodHours - c.earlyRenewalHours);
}

function renewalText(c: InventoryCertificate): string {
  if (c.earlyRenewalHours === 0) return 'not before expiry (earlyRenewalHours 0): renew on purpose';
  const action = c.isCa ? 're-signed (same key)' : 're-issued';
  return `${action} by a deploy in its last ${hoursText(c.earlyRenewalHours)}, i.e. from ${hoursText(renewableAfterHours(c))} after issue`;
}

function hoursText(hours: number): string {
  return `${hours} hours (${days(hours)} days)`;
}

/** Hours as days, to two decimals at most. */
function days(hours: number): number {
  return Math.round((hours / 24) * 100) / 100;
}

/** A table cell: no line breaks, and `|` escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}
