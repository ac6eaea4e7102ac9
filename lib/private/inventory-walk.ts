import * as path from 'node:path';
import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { ICertificateAuthority } from '../certificate-authority';
import { CertificateFile, FileKind } from '../certificate-file';
import { CertificateRole } from '../certificate-role';
import { ChariotPki } from '../chariot-pki';
import { ExternalCa } from '../external-ca';
import { ExternallySignedCa } from '../externally-signed-ca';
import { IntermediateCa } from '../intermediate-ca';
import { InventoryCertificate, InventoryFile, InventoryRole } from '../inventory-model';
import { LeafCertificate } from '../leaf-certificate';
import { RootCa } from '../root-ca';
import { UploadReadme } from '../upload-readme';
import { UNRESOLVED } from './inventory-text';

/** What the walk over a construct tree finds: every certificate it intends, depth first from each root. */
export type Inventoried = RootCa | IntermediateCa | ExternalCa | ExternallySignedCa | LeafCertificate;

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

/** A key usage's bit in the keyUsage extension; unknown names last. */
function bitOf(use: string): number {
  const bit = Object.keys(KEY_USAGES).indexOf(use);
  return bit === -1 ? Number.MAX_SAFE_INTEGER : bit;
}

/** The site of each site CA and site client, by construct path. */
export function siteOfPath(composites: ChariotPki[]): Map<string, { site: string }> {
  const entries = composites.flatMap((pki) => pki.sites).flatMap((site) =>
    [...site.certificateAuthorities, ...site.transmissionClients].map((c): [string, { site: string }] => [c.node.path, { site: site.name }]));
  return new Map(entries);
}

export function isInventoried(c: IConstruct): c is Inventoried {
  return c instanceof RootCa || c instanceof IntermediateCa || c instanceof ExternalCa || c instanceof ExternallySignedCa || c instanceof LeafCertificate;
}

/** Depth first from each root; siblings by construct path (code-unit order, not locale order). */
export function hierarchyOrder(certs: Inventoried[]): Inventoried[] {
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

export function describe(c: Inventoried, outputDirectory: string, readmes: UploadReadme[]): InventoryCertificate {
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
  if (c instanceof RootCa || (c instanceof ExternalCa && c.issuer === undefined)) {
    return { ...common, role: InventoryRole.ROOT_CA, dnsNames: [], ipAddresses: [], isCa: true, maxPathLength: c.maxPathLength };
  }
  const issuer = { issuerPath: c.issuer!.node.path, issuerCommonName: c.issuer!.commonName };
  if (!(c instanceof LeafCertificate)) {
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
        ...(c instanceof ExternallySignedCa && c.csrFile !== undefined ? [{ kind: FileKind.CERT_REQUEST, path: c.csrFile, secret: false }] : []),
        ...(c.privateKeyFile === undefined ? [] : [{ kind: FileKind.PRIVATE_KEY, path: c.privateKeyFile, secret: true }]),
      ];
  return files
    .map((f) => ({ path: relativeFile(outputDirectory, f.path), kind: f.kind, secret: f.secret, ...(f.encrypted ? { encrypted: true } : {}) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function relativeFile(outputDirectory: string, file: string): string {
  if (Token.isUnresolved(file)) return UNRESOLVED;
  return path.relative(outputDirectory, path.resolve(outputDirectory, file)).split(path.sep).join('/');
}

export function showDirectory(outputDirectory: string, inventoryDirectory: string): string {
  const relative = path.relative(path.resolve(inventoryDirectory), outputDirectory);
  if (relative === '') return '.';
  if (relative.startsWith('..') || path.isAbsolute(relative)) return outputDirectory;
  return relative.split(path.sep).join('/');
}
