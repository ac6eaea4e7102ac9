import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TerraformStack } from 'cdktf';
import { ChariotPki, ExternallySignedCa, ICertificateAuthority, IntermediateCa, KeyAlgorithm, RootCa, caKeyId } from '../lib';
import { CaKeySource } from './ca-keys';
import { UserError } from './user-error';

/** The CAs that may keep their key in a file: ours, signed here or by an enterprise CA. */
type KeyFileCa = IntermediateCa | RootCa | ExternallySignedCa;

/**
 * The app's half of CA keys outside the state (the design: lib/private/external-key.ts). A CA named in
 * `caKeyFiles.cas` keeps its key in `<directory>/<ca-id>.key`: PKCS#8, encrypted with AES-256-CBC, its key
 * derived with PBKDF2-HMAC-SHA256 (OpenSSL's PBES2 as Node writes it) from the passphrase in
 * {@link CA_KEY_PASSPHRASE_ENV}, mode 0600 from its first byte. Before the engine plans, each such CA's file is:
 * - there: decrypted in memory and checked against the CA certificate under `pki/` (same public key);
 * - absent, the key still in the state: the deploy writes the file from it (the move out of the state); the
 *   stack forgets the key resource;
 * - absent, the CA in the state without its key: the root is offline (a placeholder goes to the engine, and a
 *   plan that must sign with it is refused); any other CA stops the deploy: its key is lost, never replaced;
 * - absent, the CA not in the state at all: a new key is generated into the file.
 * The key reaches the engine as `TF_VAR_<variable>` in the engine's environment only.
 */

/** The environment variable that holds the passphrase of the CA key files. */
export const CA_KEY_PASSPHRASE_ENV = 'CHARIOT_TLS_CA_KEY_PASSPHRASE';
/** What the engine gets for an offline key: no key, so a provider that were handed it would fail, not sign. */
const OFFLINE = 'chariot-tls: this CA key is offline';
const MIN_PASSPHRASE_LENGTH = 16;

/** Where the opted-in CA keys live. */
export interface CaKeyFilesConfig {
  /** The directory of the key files (absolute); may be a removable medium. */
  readonly directory: string;
  /** The CAs, by id (`root-ca`, `transmission-ca-g2`, `sites/north-sea/ca`: lib `caKeyId`). */
  readonly cas: string[];
}

/** The Terraform variable that holds a CA's key: `chariot_tls_ca_key_root_ca`, `chariot_tls_ca_key_sites_north_sea_ca`. */
export function caKeyVariable(caId: string): string {
  return `chariot_tls_ca_key_${caId.replace(/[-/]/g, '_')}`;
}

/** A CA's key file: `<directory>/<ca-id>.key` (`root-ca.key`, a site's CA `sites/north-sea/ca.key`). */
function keyFileOf(config: CaKeyFilesConfig, caId: string): string {
  return path.join(config.directory, `${caId}.key`);
}

/** What the state says of a CA: its key resource's PEM (while still in the state), and whether its certificate is there. */
interface CaInState {
  readonly keyPem?: string;
  readonly hasCertificate: boolean;
}

/** Finds a CA's key and certificate resources in `state` (as `tofu state pull` prints it) by their names. */
function caInState(ca: KeyFileCa, state: any): CaInState {
  const stack = TerraformStack.of(ca);
  const instance = (type: string, name: string) =>
    (state?.resources ?? []).find((r: any) => r.mode === 'managed' && r.type === type && r.name === name)?.instances?.[0]?.attributes;
  const key = instance('tls_private_key', stack.getLogicalId(ca.node.findChild('key').node));
  // An externally signed CA exists once its request does: a new key would leave the request the enterprise signed.
  const made = ca instanceof ExternallySignedCa ? ca.request : ca.certificate;
  return { keyPem: key?.private_key_pem, hasCertificate: instance(made.terraformResourceType, stack.getLogicalId(made)) !== undefined };
}

/** The keys handed to the engine, and the CAs whose key is offline. */
export interface CaKeyHandover {
  /** `TF_VAR_...` for the engine's environment. */
  readonly env: Record<string, string>;
  /** The variables that hold a placeholder, by CA id. */
  readonly offline: Map<string, string>;
  /** One line each: what was done with a key file. */
  readonly notes: string[];
}

/** A CA's key file that cannot be used; nothing was changed. */
export class CaKeyFileError extends UserError {}

/**
 * Reads, checks, moves or creates the key file of every CA in `config` (see above). `readState` pulls the state;
 * it is called once at most, and only when a CA's file is absent. With `apply` false (a plan), no file is written.
 */
export async function handOverCaKeys(
  config: CaKeyFilesConfig,
  pki: ChariotPki,
  env: NodeJS.ProcessEnv,
  readState: () => Promise<any>,
  apply: boolean,
): Promise<CaKeyHandover> {
  const handover: CaKeyHandover = { env: {}, offline: new Map(), notes: [] };
  let state: any;
  const inState = async (ca: KeyFileCa) => caInState(ca, (state ??= await readState()));
  // Under an enterprise root a CA waiting for its certificate has its key already: it made the request.
  const cas = [...pki.certificateAuthorities, ...pki.awaitingSignature].filter((c) => config.cas.includes(caKeyId(c))) as KeyFileCa[];
  for (const ca of cas) {
    const id = caKeyId(ca);
    const file = keyFileOf(config, id);
    const variable = caKeyVariable(id);
    const give = (pem: string) => { handover.env[`TF_VAR_${variable}`] = pem; };
    if (fs.existsSync(file)) {
      give(checkedKey(ca, file, passphrase(env)).export({ type: 'pkcs8', format: 'pem' }).toString());
      continue;
    }
    const state = await inState(ca);
    if (state.keyPem !== undefined) {
      if (apply) writeKeyFile(file, createPrivateKey(state.keyPem), passphrase(env));
      give(createPrivateKey(state.keyPem).export({ type: 'pkcs8', format: 'pem' }).toString());
      handover.notes.push(apply
        ? `chariot-tls: moved the key of ${id} out of the state into ${file} (encrypted); a local state's .backup file still holds it: delete that once this deploy has succeeded.`
        : `chariot-tls: note: the deploy will move the key of ${id} out of the state into ${file}.`);
    } else if (state.hasCertificate && ca.chain.length === 1) {
      give(OFFLINE);
      handover.offline.set(id, variable);
      handover.notes.push(`chariot-tls: the key of ${id} is offline (${file} is absent); this deploy signs nothing with it.`);
    } else if (state.hasCertificate) {
      throw new CaKeyFileError(
        `chariot-tls: the key file of ${id}, ${file}, is missing, and the CA exists (its certificate is in the state). ` +
        'A deploy never makes a new key for an existing CA: restore the file from your backup and deploy again. Nothing was changed.',
      );
    } else {
      const key = generateKey(ca);
      if (apply) writeKeyFile(file, key, passphrase(env));
      give(key.export({ type: 'pkcs8', format: 'pem' }).toString());
      handover.notes.push(apply ? `chariot-tls: created the key of ${id} in ${file} (encrypted); back it up.` : `chariot-tls: note: the deploy will create the key of ${id} in ${file}.`);
    }
  }
  return handover;
}

/**
 * The key of a CA in `config.cas` from its file, decrypted (in memory) and checked against its certificate, PKCS#8
 * PEM; `undefined` when the CA keeps its key in the state, or when its file is not written yet (its key is still in
 * the state: the CAs' deploy moves it out first).
 */
export function keyInFile(config: CaKeyFilesConfig | undefined, ca: ICertificateAuthority, env: NodeJS.ProcessEnv): string | undefined {
  if (config === undefined || !config.cas.includes(caKeyId(ca))) return undefined;
  const file = keyFileOf(config, caKeyId(ca));
  if (!fs.existsSync(file)) return undefined;
  return checkedKey(ca, file, passphrase(env)).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The engine's `caKeys` option (app/engine.ts), and the CRL signing keys of the same deploy. */
export interface CaKeysOption {
  /** Where the key files are. */
  readonly directory: string;
  /** Checks, moves or creates the key files and hands the keys over ({@link handOverCaKeys}); once per deploy. */
  handOver(readState: () => Promise<any>): Promise<CaKeyHandover>;
  /**
   * The keys that sign the CRLs after the engine has applied: a CA with a key file gets the key handed over to the
   * engine (decrypted once, in memory), nothing for an offline root; every other CA's key comes from `others`.
   */
  crlKeys(others: CaKeySource): CaKeySource;
}

/** The engine's `caKeys` option for a command, when the configuration has `caKeyFiles`. */
export function caKeysOption(config: CaKeyFilesConfig | undefined, pki: ChariotPki, apply: boolean): CaKeysOption | undefined {
  if (config === undefined) return undefined;
  let handover: CaKeyHandover | undefined;
  return {
    directory: config.directory,
    handOver: async (readState) => (handover = await handOverCaKeys(config, pki, process.env, readState, apply)),
    crlKeys: (others) => caKeysFromHandover(config, () => handover, others),
  };
}

/** {@link CaKeysOption.crlKeys}; `handover` is undefined until the keys were handed over. */
export function caKeysFromHandover(config: CaKeyFilesConfig, handover: () => CaKeyHandover | undefined, others: CaKeySource): CaKeySource {
  return {
    async privateKeyPem(ca) {
      const id = caKeyId(ca);
      if (!config.cas.includes(id)) return others.privateKeyPem(ca);
      const given = handover();
      if (given?.offline.has(id)) return undefined;
      const pem = given?.env[`TF_VAR_${caKeyVariable(id)}`];
      if (pem === undefined) throw new Error(`the key of ${ca.node.path} was not read from its key file, so its CRL cannot be signed`);
      return pem;
    },
  };
}

/**
 * The CAs whose key is offline and that `changes` (address → actions) would sign with: each resource whose
 * block in `synthesized` takes an offline variable and that would be created or replaced, as "path (why)".
 */
export function signingWithOfflineKey(
  handover: CaKeyHandover,
  synthesized: any,
  changes: { address: string; path: string; actions: string[]; replacePaths: string[] }[],
): string[] {
  const offline = new Set([...handover.offline.values()].map((v) => `\${var.${v}}`));
  const takesOffline = (address: string) => {
    const [type, name] = address.split('.');
    const block = synthesized.resource?.[type]?.[name] ?? {};
    return offline.has(block.private_key_pem_wo) || offline.has(block.ca_private_key_pem_wo);
  };
  return changes
    .filter((c) => c.actions.includes('create') && takesOffline(c.address))
    .map((c) => `${path.posix.dirname(c.path)} (${c.actions.includes('delete') ? `re-signed: ${c.replacePaths.join(', ') || 'replaced'}` : 'new'})`);
}

/** The refusal when a deploy must sign with an offline key. */
export function formatOfflineRefusal(handover: CaKeyHandover, signing: string[], directory: string): string {
  const ids = [...handover.offline.keys()].join(', ');
  return [
    `chariot-tls: this deploy must sign with the key of ${ids}, which is offline: ${signing.join('; ')}.`,
    `Nothing was changed. Make ${directory} available with its key file (${ids}.key) and export ${CA_KEY_PASSPHRASE_ENV}, then deploy again.`,
  ].join('\n');
}

function passphrase(env: NodeJS.ProcessEnv): string {
  const value = env[CA_KEY_PASSPHRASE_ENV] ?? '';
  if (value.length < MIN_PASSPHRASE_LENGTH) {
    throw new CaKeyFileError(`chariot-tls: caKeyFiles is set, and ${CA_KEY_PASSPHRASE_ENV} ${value === '' ? 'is not set' : `has ${value.length} characters`}; export the passphrase of the CA key files (at least ${MIN_PASSPHRASE_LENGTH} characters). Nothing was changed.`);
  }
  return value;
}

/** The key in `file`, decrypted, after checking it is the key of the CA's certificate under `pki/` (when there is one). */
function checkedKey(ca: ICertificateAuthority & { certFile?: string }, file: string, secret: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: fs.readFileSync(file), format: 'pem', passphrase: secret });
  } catch {
    throw new CaKeyFileError(`chariot-tls: cannot decrypt ${file}, the key of ${caKeyId(ca)}: ${CA_KEY_PASSPHRASE_ENV} is not its passphrase, or the file is damaged. Nothing was changed; export the right passphrase.`);
  }
  const certFile = ca.certFile;
  if (certFile && fs.existsSync(certFile)) {
    const der = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
    if (!der(new X509Certificate(fs.readFileSync(certFile)).publicKey).equals(der(createPublicKey(key)))) {
      throw new CaKeyFileError(`chariot-tls: ${file} is not the key of ${caKeyId(ca)}: its public key differs from ${certFile}'s. Nothing was changed; put back the CA's own key file (from your backup).`);
    }
  }
  return key;
}

/** A new key for the CA, as its props ask (RSA bits or ECDSA curve). */
function generateKey(ca: ICertificateAuthority & { rsaBits?: number; ecdsaCurve?: string }): KeyObject {
  if (ca.keyAlgorithm === KeyAlgorithm.ECDSA) {
    const curve = { P256: 'prime256v1', P384: 'secp384r1', P521: 'secp521r1' }[ca.ecdsaCurve ?? 'P256'] ?? 'prime256v1';
    return generateKeyPairSync('ec', { namedCurve: curve }).privateKey;
  }
  return generateKeyPairSync('rsa', { modulusLength: ca.rsaBits ?? 4096 }).privateKey;
}

/** Writes `key` encrypted (PKCS#8, AES-256-CBC, PBKDF2) to a new file, mode 0600 from its first byte; never over a file. */
function writeKeyFile(file: string, key: KeyObject, secret: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const pem = key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: secret });
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    fs.writeSync(fd, String(pem));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
