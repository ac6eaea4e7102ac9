import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { pathProblems } from './config-paths';
import { DEFAULT_PKCS12_PASSWORD_ENV } from './pkcs12';
import { CertificateRole, ChariotPkiProps, MAX_RSA_BITS, MAX_VALIDITY_HOURS, MIN_RSA_BITS, PreviousGeneration, Product } from '../lib';
import { CrlPolicy, DEFAULT_CRL_POLICY, REVOCATION_REASONS, RevokedClient } from './revocation-config';
import { CaKeyFilesConfig, caKeyVariable } from './ca-key-files';
import { CLIENT_KEY_GROUPS, ClientKeyEncryptionConfig, DEFAULT_CLIENT_KEY_PASSWORD_ENV, passwordSource } from './client-key-config';
import { UserError } from './user-error';
import { ExternalRoot, loadExternalRoot } from './external-root';

/** The environment variable that names the configuration file. */
export const CONFIG_ENV = 'CHARIOT_TLS_CONFIG';
/** The configuration file read from the project root when `CHARIOT_TLS_CONFIG` is unset. */
export const DEFAULT_CONFIG_FILE = 'chariot-tls.json';
/** The schema of the `pg` backend when the configuration names none (the engine's own default). */
export const DEFAULT_PG_SCHEMA = 'terraform_remote_state';
/** The environment variable the `pg` backend reads its connection string from, natively. */
export const PG_CONN_STR_ENV = 'PG_CONN_STR';
/** The environment variable that holds the state encryption passphrase; never written to a file. */
export const STATE_PASSPHRASE_ENV = 'CHARIOT_TLS_STATE_PASSPHRASE';
/** The shortest passphrase OpenTofu's PBKDF2 key provider accepts. */
export const MIN_PASSPHRASE_LENGTH = 16;

const maxHours = [MAX_VALIDITY_HOURS, `must be at most ${MAX_VALIDITY_HOURS} (100 years): the engine's clock overflows past 2562047 hours`] as const;
const hours = z.number().int('must be a whole number of hours').positive('must be more than 0').max(...maxHours);
const renewalHours = z.number().int('must be a whole number of hours').nonnegative('must be 0 or more').max(...maxHours);
const caGeneration = z
  .object({
    generation: z.number().int('must be a whole number').positive('must be 1 or more (1 is the CA as first deployed)').optional(),
    previous: z.nativeEnum(PreviousGeneration).optional(),
  })
  .strict()
  .optional();
/**
 * The backend block is read by the engine before anything else, and OpenTofu evaluates expressions there too:
 * a path or connection string with `${` or `%{` is refused (it would be code, not a name).
 */
const backendText = z.string().min(1).refine((s) => !/[$%]\{/.test(s), 'holds "${" or "%{", which the engine would evaluate; use a plain path or connection string');
/** cdktf's markers for a token inside a string, list or map: cdktf would resolve one into a reference (a CA key). */
const TOKEN_MARKER = /[$#&]\{TfToken\[/;
const revokedClient = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be the name of an Engine or Transmission client: 1 to 64 letters, digits, - and _'),
    reason: z.enum(REVOCATION_REASONS, { errorMap: () => ({ message: `must be one of ${REVOCATION_REASONS.join(', ')}` }) }),
  })
  .strict();
const crlHours = z.number().positive('must be more than 0 (fractions of an hour are allowed)');
const rsaBits = z
  .number()
  .int('must be a whole number')
  .min(MIN_RSA_BITS, `must be at least ${MIN_RSA_BITS} (use 2048, 3072 or 4096)`)
  .max(MAX_RSA_BITS, `must be at most ${MAX_RSA_BITS}: a larger key takes hours to generate (use 2048, 3072 or 4096)`);

/** What a server takes, in `server` and in each of `servers`. */
const serverFields = z.object({
  commonName: z.string().min(1).optional(),
  dnsNames: z.array(z.string()).optional(),
  ipAddresses: z.array(z.string()).optional(),
  validityPeriodHours: hours.optional(),
  earlyRenewalHours: renewalHours.optional(),
});
/** The ids of the server products, each one file in lib/products/. */
const SERVER_PRODUCTS = Product.withRole(CertificateRole.SERVER).map((p) => p.id) as [string, ...string[]];

/** The configuration file: every field optional, unknown fields refused (a typo must not pass silently). */
export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    // Its length is the library's to bound (ChariotPki.MAX_ORGANIZATION_LENGTH): it depends on the CA names.
    organization: z.string().min(1).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter ISO 3166 code such as "US"').optional(),
    outputDirectory: z.string().min(1).optional(),
    server: serverFields.strict().optional(),
    servers: z
      .array(
        serverFields
          .extend({
            name: z.string().min(1),
            product: z.enum(SERVER_PRODUCTS, { errorMap: () => ({ message: `is not a server product; use one of ${SERVER_PRODUCTS.join(', ')}` }) }).optional(),
          })
          .strict(),
      )
      .optional(),
    engineClients: z.array(z.string()).optional(),
    transmissionClients: z.array(z.string()).optional(),
    sites: z
      .record(
        z.string(),
        z.object({ transmissionClients: z.array(z.string()).optional(), issuingCa: z.boolean().optional(), caGeneration }).strict(),
      )
      .optional(),
    caRsaBits: rsaBits.optional(),
    leafRsaBits: rsaBits.optional(),
    rootValidityPeriodHours: hours.optional(),
    intermediateValidityPeriodHours: hours.optional(),
    leafValidityPeriodHours: hours.optional(),
    rootEarlyRenewalHours: renewalHours.optional(),
    intermediateEarlyRenewalHours: renewalHours.optional(),
    leafEarlyRenewalHours: renewalHours.optional(),
    caGenerations: z
      .object({ rootCa: caGeneration, serverCa: caGeneration, engineCa: caGeneration, transmissionCa: caGeneration })
      .strict()
      .optional(),
    writeCaPrivateKeys: z.boolean().optional(),
    externalRoot: z
      .object({
        certFile: z.string().min(1),
        intermediateFiles: z.array(z.string().min(1)).optional(),
        signedCertDirectory: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    revoked: z
      .array(revokedClient)
      .refine((list) => new Set(list.map((r) => r.name)).size === list.length, 'names a client more than once; list each revoked client once')
      .optional(),
    crl: z
      .object({ validityHours: crlHours.optional(), rootValidityHours: crlHours.optional(), earlyRenewalHours: crlHours.optional() })
      .strict()
      .refine((crl) => (crl.earlyRenewalHours ?? DEFAULT_CRL_POLICY.earlyRenewalHours) < (crl.validityHours ?? DEFAULT_CRL_POLICY.validityHours), 'earlyRenewalHours must be less than validityHours, or every deploy re-signs every CRL')
      .superRefine((crl, context) => {
        const early = crl.earlyRenewalHours ?? DEFAULT_CRL_POLICY.earlyRenewalHours;
        if (early < (crl.rootValidityHours ?? DEFAULT_CRL_POLICY.rootValidityHours)) return;
        context.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['rootValidityHours'],
          message: `must be more than earlyRenewalHours (${early}), or every deploy re-signs the root's CRL, which an offline root key cannot; the default is ${DEFAULT_CRL_POLICY.rootValidityHours} (180 days)`,
        });
      })
      .optional(),
    caKeyFiles: z
      .object({
        directory: z.string().min(1),
        cas: z.array(z.string().regex(/^((root|server|engine|transmission)-ca|sites\/[A-Za-z0-9_-]{1,32}\/ca)(-g[0-9]+)?$/, 'must be a CA id such as "root-ca", "transmission-ca", "server-ca-g2" or a site\'s CA "sites/north-sea/ca"')).min(1),
      })
      .strict()
      .optional(),
    encryptedClientKeys: z
      .object({
        groups: z.array(z.enum(CLIENT_KEY_GROUPS)).min(1).refine((g) => new Set(g).size === g.length, 'names a group more than once'),
        passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, `must be an environment variable name such as "${DEFAULT_CLIENT_KEY_PASSWORD_ENV}"`).optional(),
      })
      .strict()
      .optional(),
    inventoryDirectory: z.string().min(1).optional(),
    pkcs12: z
      .object({
        passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name such as "CHARIOT_TLS_PKCS12_PASSWORD"').optional(),
      })
      .strict()
      .optional(),
    backend: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('local'), path: backendText }).strict(),
        z
          .object({
            type: z.literal('pg'),
            connectionString: backendText
              .refine((s) => !hasPassword(s), `holds a password; keep it out of the file: set ${PG_CONN_STR_ENV} instead, or use PGPASSWORD or ~/.pgpass`)
              .optional(),
            schemaName: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a PostgreSQL name: lower-case letters, digits and _').optional(),
          })
          .strict(),
      ])
      .optional(),
    siteStates: z.boolean().optional(),
    stateEncryption: z
      .object({
        enabled: z.boolean(),
        migrateFromUnencrypted: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The configuration file's contents. */
export type Config = z.infer<typeof ConfigSchema>;

/** A local state file. */
export interface LocalBackendConfig {
  readonly type: 'local';
  /** The state file (absolute path). */
  readonly path: string;
}

/** State in PostgreSQL, shared by a team, with locking. */
export interface PgBackendConfig {
  readonly type: 'pg';
  /** The connection string; when undefined, the engine reads `PG_CONN_STR` from the environment. */
  readonly connectionString?: string;
  /** The schema that holds the state table. */
  readonly schemaName: string;
}

/** Where Terraform state lives: private keys are in it, so it is a secret. */
export type BackendConfig = LocalBackendConfig | PgBackendConfig;

/** Whether state and plans are encrypted at rest (docs/operate.md, "Encrypting state"). */
export interface StateEncryptionConfig {
  /** AES-GCM with a PBKDF2 key from the passphrase in `CHARIOT_TLS_STATE_PASSPHRASE`; enforced when on. */
  readonly enabled: boolean;
  /** Also read state and plans that are not encrypted yet (one deploy, to encrypt an existing state). */
  readonly migrateFromUnencrypted: boolean;
}

/** PKCS#12 output: after each deploy, a `.p12` per server and client certificate, for Java key stores. */
export interface Pkcs12Config {
  /** The environment variable that holds the password (never the configuration file). */
  readonly passwordEnv: string;
}

/** What the app builds: the hierarchy, where its state goes and where synth writes the inventory. */
export interface AppConfig {
  readonly pki: ChariotPkiProps;
  readonly backend: BackendConfig;
  readonly stateEncryption: StateEncryptionConfig;
  /** The configuration file read (absolute), or undefined when the defaults are used. */
  readonly configFile?: string;
  /** The directory of `pki-inventory.md` and `pki-inventory.json` (absolute): by default the configuration file's. */
  readonly inventoryDirectory: string;
  /** PKCS#12 output, when the configuration asks for it. */
  readonly pkcs12?: Pkcs12Config;
  /** The clients whose certificates are revoked (and not issued), and how long each CA's CRL is valid. */
  readonly revocation: RevocationConfig;
  /** The CAs whose key is in an encrypted file instead of the state (app/ca-key-files.ts). */
  readonly caKeyFiles?: CaKeyFilesConfig;
  /** The client groups whose `private.key` is written encrypted (app/client-key-files.ts). */
  readonly encryptedClientKeys?: ClientKeyEncryptionConfig;
  /** The enterprise root, read and checked, when the configuration hangs the hierarchy under one (`externalRoot`). */
  readonly externalRoot?: ExternalRoot;
  /**
   * Each site's clients in their own stack and state, the CAs in the main one (app/site-states.ts; docs/operate.md,
   * "Sites in their own state"): on unless the file says `false`, when it has sites.
   */
  readonly siteStates: boolean;
}

/** Revocation: which clients lose their certificate, and the CRLs every deploy keeps fresh (app/revocation.ts). */
export interface RevocationConfig {
  /** Clients revoked: no certificate is issued to them, and the one they had is listed in its CA's CRL. */
  readonly revoked: RevokedClient[];
  /** thisUpdate / nextUpdate of every CRL, and when a deploy signs it again. */
  readonly crl: CrlPolicy;
}

/** The local state file when the configuration names none: cdktf's own default name, in the project. */
export const DEFAULT_STATE_FILE = 'terraform.chariot-tls.tfstate';

/** What the app builds with no configuration file: a server at localhost, one Engine, one Transmission. */
export const DEFAULT_CONFIG: Config = {
  server: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
  engineClients: ['engine'],
  transmissionClients: ['transmission'],
};

/** A configuration file that cannot be used; the message names the file, the field and the fix. */
export class ConfigError extends UserError {
  /**
   * @param problems each problem on its own, when the file was read but its fields are wrong
   * @param partial the configuration without the fields the schema refused, so the hierarchy's own checks can add
   *   theirs to the same report (app/config-report.ts)
   */
  constructor(message: string, readonly problems: string[] = [], readonly partial?: AppConfig) {
    super(message);
  }
}

/** The first line of a report of invalid fields, as the schema and the constructs both write it. */
export function invalidConfigurationHeader(source: string): string {
  return `${source}: invalid configuration:`;
}

/**
 * Reads the configuration: the file named by `CHARIOT_TLS_CONFIG`, else `chariot-tls.json`
 * in `projectDir` when it exists, else the defaults.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, projectDir = process.cwd()): AppConfig {
  const named = env[CONFIG_ENV];
  const file = named ? path.resolve(projectDir, named) : path.join(projectDir, DEFAULT_CONFIG_FILE);
  if (!named && !fs.existsSync(file)) return toAppConfig(DEFAULT_CONFIG, projectDir);
  const json = readJson(file);
  try {
    const config = parseConfig(json, file);
    // Paths are checked against the file's folder, which the schema cannot see.
    const problems = pathProblems(config, path.dirname(file));
    if (problems.length > 0) throw new ConfigError(`${invalidConfigurationHeader(file)}\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
    return { ...withExternalRoot(file, config, toAppConfig(config, path.dirname(file))), configFile: file };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const valid = validPart(json);
    throw new ConfigError(e.message, e.problems, valid && { ...toAppConfig(valid, path.dirname(file)), configFile: file });
  }
}

/**
 * Reads and checks the enterprise root and the certificates returned for our CAs (app/external-root.ts), when the
 * configuration names one: a bad one is refused here, before anything is synthesized or written.
 */
function withExternalRoot(file: string, config: Config, app: AppConfig): AppConfig {
  if (config.externalRoot === undefined) return app;
  const roots = (config.caKeyFiles?.cas ?? []).filter((id) => id.startsWith('root-ca'));
  const keyProblems = roots.map((id) => `caKeyFiles.cas ${JSON.stringify(id)}: there is no Root CA of ours under externalRoot (the enterprise holds its root's key); remove it`);
  const external = keyProblems.length > 0 ? keyProblems : loadExternalRoot(config.externalRoot, path.dirname(file), app.pki, new Date());
  if (Array.isArray(external)) throw new ConfigError(`${invalidConfigurationHeader(file)}\n${external.map((p) => `  - ${p}`).join('\n')}`, external);
  return { ...app, pki: { ...app.pki, externalRoot: external.options }, externalRoot: external };
}

/** Validates parsed JSON against the schema; `source` names the file in errors. */
export function parseConfig(json: unknown, source: string): Config {
  const result = ConfigSchema.safeParse(json);
  const problems = [...(result.success ? [] : result.error.issues.map((issue) => describeIssue(issue, json))), ...tokenMarkers(json, [])];
  if (problems.length === 0) return result.data!;
  throw new ConfigError(`${invalidConfigurationHeader(source)}\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
}

/** The top-level fields of `json` that the schema accepts, as a configuration; undefined when `json` is no object. */
function validPart(json: unknown): Config | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const fields = Object.entries(json as Record<string, unknown>).filter(
    ([key, value]) => ConfigSchema.safeParse({ [key]: value }).success && tokenMarkers(value, [key]).length === 0,
  );
  return ConfigSchema.parse(Object.fromEntries(fields));
}

/**
 * Every string in the file that holds a cdktf token marker. The library leaves tokens alone (they are references
 * its caller set on purpose), so a file, which holds only data, may hold none: `${TfToken[TOKEN.1]}` would become
 * a reference to another resource, such as a CA key.
 */
function tokenMarkers(json: unknown, at: (string | number)[]): string[] {
  if (typeof json === 'string') {
    return TOKEN_MARKER.test(json) ? [`${fieldName(at)} ${JSON.stringify(json)}: holds a cdktf token marker, which would become a reference to another resource; remove it: configuration text is data`] : [];
  }
  if (json === null || typeof json !== 'object') return [];
  return Object.entries(json).flatMap(([key, value]) => tokenMarkers(value, [...at, Array.isArray(json) ? Number(key) : key]));
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${file}: cannot read the configuration file; check ${CONFIG_ENV} or create ${DEFAULT_CONFIG_FILE}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message}); fix the syntax`);
  }
}

/** `server.dnsNames[1]`, or `(top level)`. */
function fieldName(at: (string | number)[]): string {
  return at.length > 0 ? at.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') : '(top level)';
}

function describeIssue(issue: z.ZodIssue, json: unknown): string {
  const field = fieldName(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(shapeAt(issue.path)).filter((k) => k !== '$schema');
    return `${field}: unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}; remove or rename them (known fields: ${known.join(', ')})`;
  }
  return `${field} ${JSON.stringify(valueAt(json, issue.path))}: ${issue.message}`;
}

/** The fields of the (nested) object the schema expects at `at`. */
function shapeAt(at: (string | number)[]): z.ZodRawShape {
  let schema: z.ZodTypeAny = ConfigSchema;
  for (const key of at) {
    while (schema instanceof z.ZodOptional) schema = schema.unwrap();
    if (schema instanceof z.ZodRecord) {
      schema = schema.valueSchema;
      continue;
    }
    if (!(schema instanceof z.ZodObject)) return {};
    schema = schema.shape[key];
  }
  while (schema instanceof z.ZodOptional) schema = schema.unwrap();
  return schema instanceof z.ZodObject ? schema.shape : {};
}

function valueAt(json: unknown, at: (string | number)[]): unknown {
  return at.reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), json);
}

/** Maps the file's fields onto the app's; relative paths are taken from the file's directory. */
function toAppConfig(config: Config, baseDir: string): AppConfig {
  const { caRsaBits, leafRsaBits, outputDirectory, backend, stateEncryption, inventoryDirectory, pkcs12, caKeyFiles, encryptedClientKeys, revoked = [], crl, $schema, servers, externalRoot, siteStates, ...rest } = config;
  // A revoked client gets no certificate, even while it is still listed: revoking it is one entry in `revoked`.
  const notRevoked = (names?: string[]) => names?.filter((name) => !revoked.some((r) => r.name === name));
  const keyEncryption = { groups: encryptedClientKeys?.groups ?? [], passwordEnv: encryptedClientKeys?.passwordEnv ?? DEFAULT_CLIENT_KEY_PASSWORD_ENV };
  return {
    pki: {
      ...rest,
      servers: servers?.map(({ product, ...server }) => ({ ...server, product: product === undefined ? undefined : Product.find(product) })),
      engineClients: notRevoked(rest.engineClients),
      transmissionClients: notRevoked(rest.transmissionClients),
      sites: rest.sites && Object.fromEntries(Object.entries(rest.sites).map(([name, site]) => [name, { ...site, transmissionClients: notRevoked(site.transmissionClients) }])),
      outputDirectory: path.resolve(baseDir, outputDirectory ?? 'pki'),
      caKey: caRsaBits ? { rsaBits: caRsaBits } : undefined,
      leafKey: leafRsaBits ? { rsaBits: leafRsaBits } : undefined,
      caKeyVariables: caKeyFiles && Object.fromEntries(caKeyFiles.cas.map((id) => [id, caKeyVariable(id)])),
      encryptEngineClientKeys: keyEncryption.groups.includes('engine') ? { passwordSource: passwordSource(keyEncryption.passwordEnv) } : undefined,
      encryptTransmissionClientKeys: keyEncryption.groups.includes('transmission') ? { passwordSource: passwordSource(keyEncryption.passwordEnv) } : undefined,
    },
    backend: toBackendConfig(backend, baseDir),
    stateEncryption: { enabled: stateEncryption?.enabled ?? false, migrateFromUnencrypted: stateEncryption?.migrateFromUnencrypted ?? false },
    inventoryDirectory: path.resolve(baseDir, inventoryDirectory ?? '.'),
    pkcs12: pkcs12 && { passwordEnv: pkcs12.passwordEnv ?? DEFAULT_PKCS12_PASSWORD_ENV },
    revocation: { revoked, crl: { ...DEFAULT_CRL_POLICY, ...crl } },
    caKeyFiles: caKeyFiles && { directory: path.resolve(baseDir, caKeyFiles.directory), cas: caKeyFiles.cas },
    encryptedClientKeys: encryptedClientKeys && keyEncryption,
    // Sites keep their clients in states of their own unless the file says otherwise (docs/operate.md).
    siteStates: siteStates ?? Object.keys(rest.sites ?? {}).length > 0,
  };
}

function toBackendConfig(backend: Config['backend'], baseDir: string): BackendConfig {
  if (backend?.type === 'pg') return { type: 'pg', connectionString: backend.connectionString, schemaName: backend.schemaName ?? DEFAULT_PG_SCHEMA };
  return { type: 'local', path: path.resolve(baseDir, backend?.path ?? DEFAULT_STATE_FILE) };
}

/**
 * Whether a PostgreSQL connection string carries a password: `postgres://user:secret@host/db`
 * or the key-value form `host=h password=secret`.
 */
function hasPassword(connectionString: string): boolean {
  return /^postgres(ql)?:\/\/[^/@]*:[^/@]*@/i.test(connectionString) || /(^|[\s?&])password=/i.test(connectionString);
}
