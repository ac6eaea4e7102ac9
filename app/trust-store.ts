import { X509Certificate, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContentInfo, id_data } from '@peculiar/asn1-cms';
import { AuthenticatedSafe, CertBag, MacData, PFX, PKCS12Attribute, SafeBag, SafeContents, id_certBag, id_x509Certificate } from '@peculiar/asn1-pfx';
import { DigestInfo, id_sha256, sha256 } from '@peculiar/asn1-rsa';
import { AsnConvert, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import * as forge from 'node-forge';
import { CLIENT_TRUST_STORE_FILE, FileKind, InventoryRole, PkiInventory } from '../lib';
import { writeAtomically } from './atomic-file';
import { inventoryFile } from './inventory';
import { pemCertificates } from './pem';
import { PKCS12_ITERATIONS, Pkcs12Error, Pkcs12Outcome } from './pkcs12';

/*
 * A server's client CAs as a PKCS#12 trust store: one trusted certificate entry per CA of its client-ca.pem, no key.
 *
 * Written here on @peculiar/asn1-pfx's PKCS#12 structures (RFC 7292) because Java (KeyStore "PKCS12", keytool)
 * takes a certificate bag as a trusted certificate entry only when it carries Oracle's trusted key usage attribute,
 * and no library we pin writes it: node-forge's toPkcs12Asn1 has no way to add a bag attribute, and its MAC covers
 * the bags, so its output cannot be amended. Running keytool instead would need Java on every deploying machine.
 * What is ours is the assembly: the structures are asn1-pfx's, the MAC key derivation (RFC 7292 B.2) node-forge's,
 * the HMAC Node's.
 *
 * The bags are not encrypted: a trust store holds only certificates, which are public (the file is 0644, like
 * client-ca.pem). The MAC is keyed by the PKCS#12 password, so a store altered on its way to the broker (a CA added)
 * does not open: a fixed, published password would let anyone who alters it compute a new MAC.
 */

/** Oracle's trusted key usage bag attribute: Java makes a certificate bag that has it a trusted certificate entry. */
export const ORACLE_TRUSTED_KEY_USAGE = '2.16.840.1.113894.746875.1.1';
/** The usage the entries are trusted for, as keytool writes it: any (anyExtendedKeyUsage). */
export const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
/** The friendly name bag attribute (PKCS#9): the alias. */
const FRIENDLY_NAME = forge.pki.oids.friendlyName;
/** HMAC-SHA-256 with a 32-byte key and salt: what keytool (JDK 11.0.12 on, Chariot's own runtime) and OpenSSL 3 write. */
const MAC_KEY_BYTES = 32;
/** RFC 7292 B.3: the diversifier that derives a MAC key. */
const MAC_KEY_ID = 3;

/** One trusted certificate entry. */
export interface TrustedCertificate {
  /** The alias keytool shows (Java lower-cases it): the CA's common name, made unique in the store. */
  readonly alias: string;
  /** The certificate, DER. */
  readonly der: Buffer;
}

/** One entry read back from a store. */
export interface TrustStoreEntry extends TrustedCertificate {
  /** The usages of the trusted key usage attribute; empty when the bag has none (Java then skips the entry). */
  readonly trustedUsages: string[];
}

/** A trust store to write: `client-truststore.p12` beside a server's `client-ca.pem`, from it. */
export interface TrustStoreTarget {
  /** The `.p12` file, in the server's folder. */
  readonly file: string;
  /** The PEM bundle of the client CAs it holds. */
  readonly caFile: string;
}

/** A trust store target for each server certificate of the inventory that writes a `client-ca.pem`. */
export function trustStoreTargets(inventory: PkiInventory, outputDirectory: string): TrustStoreTarget[] {
  return inventory.certificates.filter((c) => c.role === InventoryRole.SERVER).flatMap((c) => {
    const caFile = inventoryFile(c, FileKind.CLIENT_CA, outputDirectory);
    return caFile === undefined ? [] : [{ file: path.join(path.dirname(caFile), CLIENT_TRUST_STORE_FILE), caFile }];
  });
}

/**
 * The entries for the certificates of a PEM bundle, in its order: each aliased by its common name (else `ca`),
 * with ` 2`, ` 3`, ... after a name already taken, ignoring case as Java does.
 */
export function trustedCertificates(pem: string): TrustedCertificate[] {
  const taken = new Set<string>();
  return pemCertificates(pem).map((block) => {
    const certificate = new X509Certificate(block);
    const name = /^CN=(.*)$/m.exec(certificate.subject)?.[1] ?? 'ca';
    let alias = name;
    for (let n = 2; taken.has(alias.toLowerCase()); n++) alias = `${name} ${n}`;
    taken.add(alias.toLowerCase());
    return { alias, der: certificate.raw };
  });
}

/** A PKCS#12 file (DER) of `certificates` as trusted certificate entries, MAC'ed with `password`. */
export function trustStoreDer(certificates: TrustedCertificate[], password: string): Buffer {
  const bags = new SafeContents(certificates.map((c) => new SafeBag({
    bagId: id_certBag,
    bagValue: AsnConvert.serialize(new CertBag({ certId: id_x509Certificate, certValue: AsnConvert.serialize(new OctetString(c.der)) })),
    bagAttributes: [
      attribute(FRIENDLY_NAME, AsnConvert.serialize(new BmpStringValue(c.alias))),
      attribute(ORACLE_TRUSTED_KEY_USAGE, AsnConvert.serialize(new ObjectIdentifierValue(ANY_EXTENDED_KEY_USAGE))),
    ],
  })));
  const authenticatedSafe = Buffer.from(AsnConvert.serialize(new AuthenticatedSafe([dataContent(AsnConvert.serialize(bags))])));
  const salt = randomBytes(MAC_KEY_BYTES);
  const pfx = new PFX({
    authSafe: dataContent(authenticatedSafe),
    macData: new MacData({
      mac: new DigestInfo({ digestAlgorithm: sha256, digest: new OctetString(mac(authenticatedSafe, password, salt, PKCS12_ITERATIONS)) }),
      macSalt: new OctetString(salt),
      iterations: PKCS12_ITERATIONS,
    }),
  });
  return Buffer.from(AsnConvert.serialize(pfx));
}

/** The certificate entries of a PKCS#12 file written by {@link trustStoreDer}; throws when the password's MAC does not match. */
export function readTrustStore(der: Buffer, password: string): TrustStoreEntry[] {
  const pfx = AsnConvert.parse(der, PFX);
  const authenticatedSafe = Buffer.from(AsnConvert.parse(pfx.authSafe.content, OctetString).buffer);
  const { mac: digest, macSalt, iterations } = pfx.macData;
  const expected = digest.digestAlgorithm.algorithm === id_sha256 ? mac(authenticatedSafe, password, Buffer.from(macSalt.buffer), iterations) : undefined;
  const actual = Buffer.from(digest.digest.buffer);
  if (expected === undefined || expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new Pkcs12Error('the trust store does not open with this password (or it was altered)');
  }
  return AsnConvert.parse(authenticatedSafe, AuthenticatedSafe)
    .filter((content) => content.contentType === id_data)
    .flatMap((content) => [...AsnConvert.parse(AsnConvert.parse(content.content, OctetString).buffer, SafeContents)])
    .filter((bag) => bag.bagId === id_certBag)
    .map((bag) => {
      const attribute = (id: string) => bag.bagAttributes?.find((a) => a.attrId === id)?.attrValues ?? [];
      const [alias] = attribute(FRIENDLY_NAME).map((v) => AsnConvert.parse(v, BmpStringValue).value);
      const certBag = AsnConvert.parse(bag.bagValue, CertBag);
      return {
        alias: alias ?? '',
        der: Buffer.from(AsnConvert.parse(certBag.certValue, OctetString).buffer),
        trustedUsages: attribute(ORACLE_TRUSTED_KEY_USAGE).map((v) => AsnConvert.parse(v, ObjectIdentifierValue).value),
      };
    });
}

/**
 * Writes `target.file` (mode 0644: certificates only) from its `client-ca.pem`, unless it already opens with
 * `password` and holds the same certificates under the same aliases, all trusted: a deploy that changes no client
 * CA rewrites nothing. A new password, or a CA added or gone (a rotation step), rewrites it.
 */
export function writeTrustStore(target: TrustStoreTarget, password: string): Pkcs12Outcome {
  const wanted = trustedCertificates(fs.readFileSync(target.caFile, 'utf8'));
  const existed = fs.existsSync(target.file);
  if (existed && holds(target.file, password, wanted)) {
    fs.chmodSync(target.file, 0o644);
    return Pkcs12Outcome.UNCHANGED;
  }
  writeAtomically(target.file, trustStoreDer(wanted, password), 0o644);
  return existed ? Pkcs12Outcome.UPDATED : Pkcs12Outcome.CREATED;
}

function holds(file: string, password: string, wanted: TrustedCertificate[]): boolean {
  let entries: TrustStoreEntry[];
  try {
    entries = readTrustStore(fs.readFileSync(file), password);
  } catch {
    return false;
  }
  return entries.length === wanted.length && entries.every((e, i) =>
    e.alias === wanted[i].alias && e.der.equals(wanted[i].der) && e.trustedUsages.includes(ANY_EXTENDED_KEY_USAGE));
}

/** The PKCS#12 MAC (RFC 7292 B): HMAC-SHA-256 of the authenticated safe, keyed by the password through B.2's derivation. */
function mac(authenticatedSafe: Buffer, password: string, salt: Buffer, iterations: number): Buffer {
  const key = forge.pkcs12.generateKey(password, forge.util.createBuffer(salt.toString('binary')), MAC_KEY_ID, iterations, MAC_KEY_BYTES, forge.md.sha256.create());
  return createHmac('sha256', Buffer.from(key.getBytes(), 'binary')).update(authenticatedSafe).digest();
}

/** A bag attribute with one value. Set after construction: asn1-pfx 2.11.1's PKCS12Attribute constructor drops its arguments. */
function attribute(attrId: string, value: ArrayBuffer): PKCS12Attribute {
  return Object.assign(new PKCS12Attribute(), { attrId, attrValues: [value] });
}

/** A ContentInfo of type data around `content` (an OCTET STRING of it), as PKCS#12 nests its parts. */
function dataContent(content: ArrayBuffer | Buffer): ContentInfo {
  return new ContentInfo({ contentType: id_data, content: AsnConvert.serialize(new OctetString(content)) });
}

/** A bare BMPString (the friendly name's value); declared without decorator syntax, which this project does not compile. */
class BmpStringValue {
  constructor(public value = '') {}
}
AsnType({ type: AsnTypeTypes.Choice })(BmpStringValue);
AsnProp({ type: AsnPropTypes.BmpString })(BmpStringValue.prototype, 'value');

/** A bare OBJECT IDENTIFIER (the trusted key usage's value). */
class ObjectIdentifierValue {
  constructor(public value = '') {}
}
AsnType({ type: AsnTypeTypes.Choice })(ObjectIdentifierValue);
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(ObjectIdentifierValue.prototype, 'value');
