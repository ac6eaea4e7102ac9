import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLIENT_TRUST_STORE_FILE, FileKind, InventoryCertificate, InventoryRole, PkiInventory, Product } from '../lib';

/** The content of every file the inventory names, by path relative to the output directory: SHA-256, never the content. */
export type FileDigests = Map<string, string>;

/** The SHA-256 of each file the inventory names that is on disk (keys included: only their digest is kept, in memory). */
export function fileDigests(inventory: PkiInventory, outputDirectory: string): FileDigests {
  const digests: FileDigests = new Map();
  for (const file of inventory.certificates.flatMap((c) => c.files)) {
    try {
      digests.set(file.path, createHash('sha256').update(fs.readFileSync(path.resolve(outputDirectory, file.path))).digest('hex'));
    } catch {
      // Not there: a missing file is not handed out.
    }
  }
  return digests;
}

/** The files whose content the deploy changed or wrote first, relative to the output directory. */
export function changedFiles(before: FileDigests, after: FileDigests): Set<string> {
  return new Set([...after.entries()].filter(([file, digest]) => before.get(file) !== digest).map(([file]) => file));
}

/**
 * The files among `changed` that were not there before the deploy: written for the first time (a first deploy, a
 * new client), so there is no earlier copy in use to replace.
 */
export function firstWrittenFiles(before: FileDigests, changed: ReadonlySet<string>): Set<string> {
  return new Set([...changed].filter((file) => !before.has(file)));
}

/** How {@link handOuts} words its list. */
export interface HandOutOptions {
  /**
   * Clients named on one line, the rest counted.
   * @default - all
   */
  readonly listLimit?: number;
  /**
   * The changed files written for the first time ({@link firstWrittenFiles}). A trust store that replaces one in use
   * (a rotation step) must be handed out before the next step; one given for the first time has no next step.
   * @default - none: every changed file replaces one in use
   */
  readonly firstWritten?: ReadonlySet<string>;
}

/** What a trust store line says when it replaces one in use (a rotation step): the clients of a new CA wait for it. */
const BEFORE_NEXT_STEP = ' before the next step';
/** Mosquitto reads its CA file at start only (docs/operate.md, "Mosquitto"). */
const RESTART_MOSQUITTO = '; a Mosquitto server: restart it';

/** A trust store comes first: what is signed by a new CA is accepted only where that CA is trusted. */
const TRUST_STORES: ReadonlySet<FileKind> = new Set([FileKind.CLIENT_CA, FileKind.SERVER_CA]);
/** How a trust store without a field of its own is named: Chariot's client trust store is set apart from its upload screen. */
const TRUST_STORE_NAMES: Partial<Record<FileKind, string>> = { [FileKind.CLIENT_CA]: 'client trust store' };

/** One file to hand out: its name in the certificate's folder and the field (or trust store) that takes it. */
interface HandedFile {
  readonly name: string;
  readonly field: string;
}

/** The changed files one certificate's product takes, split into its trust store and the rest. */
interface Delivery {
  /** Its trust store replaces one in use, rather than being given for the first time. */
  readonly trustUpdate: boolean;
  readonly certificate: InventoryCertificate;
  readonly product: Product;
  /** The certificate's folder, relative to the output directory. */
  readonly folder: string;
  readonly trust: HandedFile[];
  readonly own: HandedFile[];
}

/**
 * What to give which product after a deploy, in the order to do it: the servers' trust stores (a client with a
 * certificate of a new CA is refused until its server trusts that CA), then the clients' trust stores, then the
 * servers' own files, then the clients'. Only the files a product takes (its upload fields, and its trust store)
 * that the deploy changed are named; clients that get the same files are named together, up to `listLimit` each.
 * A trust store that replaces one in use is due "before the next step" (of a rotation); one written for the first
 * time (a first deploy, a new client) is simply handed out.
 * A product whose client trust store is a Java key store gets `client-truststore.p12` instead of `client-ca.pem`
 * when the deploy wrote it (app/trust-store.ts: `changed` then names it).
 */
export function handOuts(inventory: PkiInventory, changed: ReadonlySet<string>, options: HandOutOptions = {}): string[] {
  const listLimit = options.listLimit ?? Infinity;
  const firstWritten = options.firstWritten ?? new Set<string>();
  const deliveries = inventory.certificates.flatMap((c) => delivery(c, changed, firstWritten));
  const servers = deliveries.filter((d) => d.certificate.role === InventoryRole.SERVER);
  const clients = deliveries.filter((d) => d.certificate.role === InventoryRole.CLIENT);
  const lines = [
    ...servers.filter((d) => d.trust.length > 0).map((d) => serverLine(d, d.trust, d.trustUpdate ? `${BEFORE_NEXT_STEP}${RESTART_MOSQUITTO}` : '')),
    ...clientLines(clients.filter((d) => d.trustUpdate), 'trust', listLimit, BEFORE_NEXT_STEP),
    ...clientLines(clients.filter((d) => !d.trustUpdate), 'trust', listLimit, ''),
    ...servers.filter((d) => d.own.length > 0).map((d) => serverLine(d, d.own, '')),
    ...clientLines(clients, 'own', listLimit, ''),
  ];
  return lines.map((line, i) => `${i + 1}. ${line}`);
}

function delivery(c: InventoryCertificate, changed: ReadonlySet<string>, firstWritten: ReadonlySet<string>): Delivery[] {
  const product = c.product === undefined ? undefined : Product.all().find((p) => p.name === c.product);
  const cert = c.files.find((f) => f.kind === FileKind.CERT);
  if (product === undefined || cert === undefined) return [];
  const folder = path.posix.dirname(cert.path);
  const takes = new Set([...product.upload.fields.flatMap((f) => (f.file === undefined ? [] : [f.file])), ...product.files.map((f) => f.kind).filter((k) => TRUST_STORES.has(k))]);
  // A new trust store file is handed out even when client-ca.pem is as it was (PKCS#12 output just turned on, a new password).
  const javaTrustStore = product.javaTrustStore && changed.has(`${folder}/${CLIENT_TRUST_STORE_FILE}`);
  const kinds = product.files.map((f) => f.kind).filter((k) => takes.has(k)
    && ((k === FileKind.CLIENT_CA && javaTrustStore) || c.files.some((f) => f.kind === k && changed.has(f.path))));
  if (kinds.length === 0) return [];
  const handed = (k: FileKind): HandedFile => (k === FileKind.CLIENT_CA && javaTrustStore
    ? { name: CLIENT_TRUST_STORE_FILE, field: fieldName(product, k) }
    : { name: product.fileName(k)!, field: fieldName(product, k) });
  const trust = kinds.filter((k) => TRUST_STORES.has(k)).map(handed);
  const trustUpdate = trust.some((f) => changed.has(`${folder}/${f.name}`) && !firstWritten.has(`${folder}/${f.name}`));
  return [{ certificate: c, product, folder, trust, own: kinds.filter((k) => !TRUST_STORES.has(k)).map(handed), trustUpdate }];
}

/** `upload certs/server/client-ca.pem to Chariot (client trust store)`; the own files by name, in the field order of its screen. */
function serverLine(d: Delivery, files: HandedFile[], after: string): string {
  return `upload ${files.map((f) => `${d.folder}/${f.name}`).join(', ')} to ${d.product.shortName} (${files.map((f) => f.field).join(', ')})${after}`;
}

/** One line per product and set of files: `give cert.pem (Client Certificate File) to 13 MQTT Transmission clients in certs/transmission/: a, b, ...`. */
function clientLines(clients: Delivery[], part: 'trust' | 'own', listLimit: number, after: string): string[] {
  const groups = new Map<string, Delivery[]>();
  for (const d of clients.filter((x) => x[part].length > 0)) {
    const key = `${d.product.id}:${d[part].map((f) => f.name).join(',')}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return [...groups.values()].map((group) => {
    const { product } = group[0];
    const files = group[0][part].map((f) => `${f.name} (${f.field})`).join(', ');
    const parent = commonFolder(group.map((d) => d.folder));
    const names = group.map((d) => path.posix.relative(parent, d.folder));
    const shown = names.length > listLimit ? [...names.slice(0, listLimit), `... and ${names.length - listLimit} more`] : names;
    const whom = group.length === 1 ? `the ${product.shortName} client` : `these ${group.length} ${product.shortName} clients`;
    return `give ${files} to ${whom} in ${parent}/: ${shown.join(', ')}${after}`;
  });
}

function fieldName(product: Product, kind: FileKind): string {
  return product.upload.fields.find((f) => f.file === kind)?.field ?? TRUST_STORE_NAMES[kind] ?? kind;
}

/** The deepest folder holding every folder of `folders`, each holding a certificate (so never the output directory itself). */
function commonFolder(folders: string[]): string {
  const parts = folders.map((f) => path.posix.dirname(f).split('/'));
  const common: string[] = [];
  for (let i = 0; parts.every((p) => i < p.length && p[i] === parts[0][i]); i++) common.push(parts[0][i]);
  return common.join('/') || '.';
}
