import * as path from 'node:path';
import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
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
import { groupBy } from './group-by';

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

/**
 * Depth first from each root; siblings by construct path (code-unit order, not locale order). Each certificate's
 * path is read once and its children found by issuer path in a map: a construct's path walks up the tree on every
 * read, and scanning every certificate for every issuer was quadratic (seconds of the synth at 2,000 clients).
 */
export function hierarchyOrder(certs: Inventoried[]): Inventoried[] {
  const pathOf = new Map(certs.map((c) => [c, c.node.path]));
  const issuerPathOf = new Map(certs.map((c) => [c, c instanceof RootCa || c.issuer === undefined ? undefined : c.issuer.node.path]));
  const present = new Set(pathOf.values());
  /** The path of the certificate's issuer when that is listed too; a root otherwise. */
  const parentOf = (c: Inventoried) => {
    const issuer = issuerPathOf.get(c);
    return issuer !== undefined && present.has(issuer) ? issuer : undefined;
  };
  const byPath = (a: Inventoried, b: Inventoried) => (pathOf.get(a)! < pathOf.get(b)! ? -1 : pathOf.get(a)! > pathOf.get(b)! ? 1 : 0);
  const childrenOf = groupBy(certs, parentOf);
  const visit = (c: Inventoried): Inventoried[] => [c, ...(childrenOf.get(pathOf.get(c)!) ?? []).sort(byPath).flatMap(visit)];
  return certs.filter((c) => parentOf(c) === undefined).sort(byPath).flatMap(visit);
}

/** The README files of each certificate, in the order found. */
export function readmesByCertificate(readmes: UploadReadme[]): Map<Inventoried, UploadReadme[]> {
  return groupBy<UploadReadme, Inventoried>(readmes, (r) => r.certificate);
}

/** A certificate as the inventory lists it; `readmes` from `readmesByCertificate`. */
export function describe(c: Inventoried, outputDirectory: string, readmes: ReadonlyMap<Inventoried, UploadReadme[]>): InventoryCertificate {
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

function filesOf(c: Inventoried, outputDirectory: string, readmes: ReadonlyMap<Inventoried, UploadReadme[]>): InventoryFile[] {
  const files: CertificateFile[] =
    c instanceof LeafCertificate
      ? [...c.files, ...(readmes.get(c) ?? []).map((r) => ({ kind: FileKind.README, path: r.file, secret: false }))]
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
