import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileKind } from '../certificate-file';
import { CertificateRole } from '../certificate-role';
import { KeyAlgorithm } from '../key';

/**
 * One file a product takes, as written beside its certificate.
 */
export interface ProductFile {
  /** What the file holds. */
  readonly kind: FileKind;
  /** The file's name in the certificate's folder, as the product's upload screen expects it (`server.key`, `ca.pem`). */
  readonly name: string;
  /** The construct id of the file resource: a Terraform address, never to be renamed once released. */
  readonly id: string;
}

/**
 * The PEM files every server product writes beside its certificate: key, certificate, chain, full chain and the
 * client CAs. One list for all of them, because the ids are Terraform addresses (`servers/NAME/cert-file`): a
 * product that spelled one differently would replace that file's resource on its next deploy.
 */
export const SERVER_PEM_FILES: readonly ProductFile[] = [
  { kind: FileKind.PRIVATE_KEY, name: 'server.key', id: 'key-file' },
  { kind: FileKind.CERT, name: 'server.crt', id: 'cert-file' },
  { kind: FileKind.CA_CHAIN, name: 'ca-chain.pem', id: 'ca-chain-file' },
  { kind: FileKind.FULL_CHAIN, name: 'fullchain.pem', id: 'fullchain-file' },
  { kind: FileKind.CLIENT_CA, name: 'client-ca.pem', id: 'client-ca-file' },
];

/**
 * The PKCS#12 trust store the ready app writes beside each server's `client-ca.pem` when PKCS#12 output is on: the
 * same CAs as trusted certificate entries, for a server whose client trust store is a Java key store.
 */
export const CLIENT_TRUST_STORE_FILE = 'client-truststore.p12';

/**
 * One field of the product's upload screen, as the README's table shows it.
 */
export interface UploadField {
  /** The field's label in the product's UI (`Private Key`, `CA Certificate File`). */
  readonly field: string;
  /**
   * The file that goes into the field; its name comes from the product's `files`.
   * @default - none: the field takes `value`
   */
  readonly file?: FileKind;
  /**
   * What to type into the field instead of a file (`(leave empty)`); `{port}` is the server port.
   * @default - none: the field takes `file`
   */
  readonly value?: string;
  /** What it is; `{cn}` is the certificate's common name, `{key}` its key (`RSA 2048 key, PKCS#1 PEM`). */
  readonly about: string;
  /**
   * The field's value and text instead, when the key file is encrypted (`LeafCertificateProps.encryptedKeyFile`);
   * `{password}` is where the password comes from. A product with such a field takes an encrypted key.
   * @default - the product takes no encrypted key
   */
  readonly whenKeyEncrypted?: UploadFieldText;
}

/**
 * What an upload field says in one case.
 */
export interface UploadFieldText {
  /** What to type into the field. */
  readonly value: string;
  /** What it is. */
  readonly about: string;
}

/**
 * What the `README.txt` in a certificate's folder tells whoever uploads the files. In every text,
 * `{cn}` is the certificate's common name, `{key}` its key, `{port}` the server port.
 */
export interface UploadInstructions {
  /** The README's title. */
  readonly title: string;
  /** Where in the product's UI the files go, one line each. */
  readonly steps: string[];
  /** The upload screen's fields, in the screen's order. */
  readonly fields: UploadField[];
  /** Lines after the table: passwords, trust stores, the other files in the folder. */
  readonly notes: string[];
  /** What the list of server URLs is, e.g. `Server URL, one of`. */
  readonly serverUrlsTitle: string;
}

/**
 * Which keys the product accepts for its certificate.
 */
export interface KeyPolicy {
  /** The key algorithms the product accepts. */
  readonly algorithms: KeyAlgorithm[];
  /** What to do when another algorithm is configured, e.g. `use KeyAlgorithm.RSA (PKCS#1 or PKCS#8)`. */
  readonly fix: string;
}

/**
 * Properties of a `Product`.
 */
export interface ProductProps {
  /** The product's id in the configuration (`"product": "chariot"`): lower-case letters, digits and `-`. */
  readonly id: string;
  /** Its full name, the label in the inventory, the plan summary and the README (`Chariot MQTT Server`). */
  readonly name: string;
  /** Its short name, in messages (`Chariot`). */
  readonly shortName: string;
  /** Whether its certificate is a TLS server's or a TLS client's. */
  readonly role: CertificateRole;
  /**
   * The keys it accepts.
   * @default - any key the library issues (RSA or ECDSA)
   */
  readonly keyPolicy?: KeyPolicy;
  /** The files it takes, in the order they are written. */
  readonly files: ProductFile[];
  /** What its README says. */
  readonly upload: UploadInstructions;
  /**
   * Whether its client trust store is a Java key store: the hand-outs after a deploy that changed the client CAs
   * name `client-truststore.p12` (CLIENT_TRUST_STORE_FILE, written when PKCS#12 output is on) rather than `client-ca.pem`.
   * @default false
   */
  readonly javaTrustStore?: boolean;
}

/** A product id: one word of lower-case letters, digits and `-`. */
const PRODUCT_ID = /^[a-z][a-z0-9-]*$/;
/** A file of lib/products/ that may declare products (not this file, not declarations). */
const PRODUCT_MODULE = /^([a-z0-9-]+)\.(ts|js)$/;

/**
 * Something a certificate's files are uploaded to: an MQTT broker (Chariot, MQTT Distributor, a third-party
 * broker) or an MQTT client module (MQTT Engine, MQTT Transmission). A product is one file in `lib/products/`:
 * it declares its role, its key policy, its files, its upload instructions and its label, and every part of the
 * library and the app takes them from it. `Product.all()` finds every product in that folder.
 */
export class Product {
  /** Every product in `lib/products/`, by id. */
  public static all(): Product[] {
    known ??= discover();
    return [...known.values()];
  }

  /** The products of one role, by id. */
  public static withRole(role: CertificateRole): Product[] {
    return Product.all().filter((p) => p.role === role);
  }

  /**
   * The product with this id.
   * @returns undefined when no product has it
   */
  public static find(id: string): Product | undefined {
    return Product.all().find((p) => p.id === id);
  }

  /** The configuration's id. */
  public readonly id: string;
  /** The full name: the label in the inventory, the plan summary and the README. */
  public readonly name: string;
  /** The short name, in messages. */
  public readonly shortName: string;
  /** Server or client. */
  public readonly role: CertificateRole;
  /** The key algorithms it accepts. */
  public readonly keyAlgorithms: KeyAlgorithm[];
  /** What to do when its key is of another algorithm. */
  public readonly keyFix: string;
  /** The files it takes. */
  public readonly files: ProductFile[];
  /** What its README says. */
  public readonly upload: UploadInstructions;
  /** Whether it takes an encrypted key file, with its password in a field of its upload screen. */
  public readonly takesEncryptedKey: boolean;
  /** Whether its client trust store is a Java key store (`client-truststore.p12`). */
  public readonly javaTrustStore: boolean;

  constructor(props: ProductProps) {
    if (!PRODUCT_ID.test(props.id)) throw new Error(`product id ${JSON.stringify(props.id)} is not lower-case letters, digits and -`);
    const kinds = props.files.map((f) => f.kind);
    const missing = props.upload.fields.filter((f) => f.file !== undefined && !kinds.includes(f.file));
    if (missing.length > 0) throw new Error(`product ${props.id}: upload fields name files it does not take: ${missing.map((f) => f.field).join(', ')}`);
    this.id = props.id;
    this.name = props.name;
    this.shortName = props.shortName;
    this.role = props.role;
    this.keyAlgorithms = props.keyPolicy?.algorithms ?? Object.values(KeyAlgorithm);
    this.keyFix = props.keyPolicy?.fix ?? 'use RSA or ECDSA';
    this.files = props.files;
    this.upload = props.upload;
    this.takesEncryptedKey = props.upload.fields.some((f) => f.whenKeyEncrypted !== undefined);
    this.javaTrustStore = props.javaTrustStore ?? false;
  }

  /**
   * The name of the file of this kind.
   * @returns undefined when the product takes no such file
   */
  public fileName(kind: FileKind): string | undefined {
    return this.files.find((f) => f.kind === kind)?.name;
  }
}

let known: Map<string, Product> | undefined;

/** Loads every module beside this one and keeps the products they export, in file name order. */
function discover(): Map<string, Product> {
  const found = new Map<string, Product>();
  const modules = fs.readdirSync(__dirname).map((f) => PRODUCT_MODULE.exec(f)?.[1]).filter((m): m is string => m !== undefined && m !== 'product');
  for (const module of [...new Set(modules)].sort()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported: Record<string, unknown> = require(path.join(__dirname, module));
    for (const product of Object.values(exported).filter((v): v is Product => v instanceof Product)) {
      const other = found.get(product.id);
      if (other !== undefined && other !== product) throw new Error(`two products have the id ${JSON.stringify(product.id)} (lib/products/${module})`);
      found.set(product.id, product);
    }
  }
  return found;
}
