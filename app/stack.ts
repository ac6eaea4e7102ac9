import { Construct } from 'constructs';
import { LocalBackend, PgBackend, TerraformResource, TerraformStack, TerraformVariable } from 'cdktf';
import { ChariotPki } from '../lib';
import { AppConfig, BackendConfig, STATE_PASSPHRASE_ENV, StateEncryptionConfig } from './config';

/**
 * The Terraform variable the state encryption passphrase reaches the engine through
 * (scripts/engine/env.sh sets `TF_VAR_<this>` from `CHARIOT_TLS_STATE_PASSPHRASE`).
 */
export const STATE_PASSPHRASE_VARIABLE = 'chariot_tls_state_passphrase';

/**
 * Names inside the encryption block. Encrypted state records the key provider's name in its
 * metadata, so renaming it makes existing state unreadable: these are a contract, like construct ids.
 */
const KEY_PROVIDER = 'key_provider.pbkdf2.chariot_tls';
const METHOD = 'method.aes_gcm.chariot_tls';
const UNENCRYPTED = 'method.unencrypted.migrate';

/**
 * The ready app's stack: the whole Chariot hierarchy, the backend that keeps its state and,
 * when configured, the encryption of that state and of saved plans.
 */
export class ChariotTlsStack extends TerraformStack {
  /** The hierarchy. */
  public readonly pki: ChariotPki;

  constructor(scope: Construct, id: string, config: AppConfig, options: StackOptions = {}) {
    super(scope, id);
    addStateStorage(this, config.backend, config.stateEncryption);
    this.pki = new ChariotPki(this, 'pki', config.pki);
    if (options.unprotectCaKeys) liftPreventDestroy(this.pki);
  }
}

/** How the ready app's stack is synthesized. */
export interface StackOptions {
  /**
   * Lift the CA keys' `prevent_destroy`, for `npm run destroy` only: the engine then may destroy them. Only that
   * command synthesizes so, into its environment's own working directory; the next deploy protects them again.
   * @default false
   */
  readonly unprotectCaKeys?: boolean;
}

/** Every resource under `scope` that has `prevent_destroy` loses it. */
function liftPreventDestroy(scope: Construct): void {
  const kept = scope.node.findAll().filter((c): c is TerraformResource => c instanceof TerraformResource && c.lifecycle?.preventDestroy === true);
  for (const resource of kept) resource.addOverride('lifecycle.prevent_destroy', false);
}

/** The backend that keeps a stack's state and, when configured, the encryption of that state and of saved plans. */
export function addStateStorage(stack: TerraformStack, backend: BackendConfig, encryption: StateEncryptionConfig): void {
  addBackend(stack, backend);
  if (encryption.enabled) addStateEncryption(stack, encryption);
}

function addBackend(stack: TerraformStack, backend: BackendConfig): void {
  if (backend.type === 'local') {
    new LocalBackend(stack, { path: backend.path });
    return;
  }
  const pg = new PgBackend(stack, { connStr: backend.connectionString ?? '', schemaName: backend.schemaName });
  // No conn_str in the file: the engine then reads PG_CONN_STR, so a password never lands in cdk.tf.json.
  if (backend.connectionString === undefined) pg.addOverride('conn_str', undefined);
}

/**
 * OpenTofu state and plan encryption: AES-GCM, its key derived with PBKDF2 from a passphrase that
 * only the environment holds. The synthesized JSON names the variable, never its value; the variable
 * is ephemeral, so the engine keeps it out of saved plans too. Enforced (the engine refuses to write
 * plain state), except while migrating, when plain state may still be read once.
 */
function addStateEncryption(stack: TerraformStack, encryption: StateEncryptionConfig): void {
  const passphrase = new TerraformVariable(stack, STATE_PASSPHRASE_VARIABLE, {
    type: 'string',
    sensitive: true,
    nullable: false,
    description: `The state encryption passphrase: set ${STATE_PASSPHRASE_ENV} (npm run deploy passes it on).`,
  });
  passphrase.addOverride('ephemeral', true);

  const migrate = encryption.migrateFromUnencrypted;
  const target = {
    method: METHOD,
    enforced: !migrate,
    ...(migrate ? { fallback: { method: UNENCRYPTED } } : {}),
  };
  stack.addOverride('terraform.encryption', {
    key_provider: block(KEY_PROVIDER, { passphrase: `\${var.${STATE_PASSPHRASE_VARIABLE}}` }),
    method: {
      ...block(METHOD, { keys: `\${${KEY_PROVIDER}}` }),
      ...(migrate ? block(UNENCRYPTED, {}) : {}),
    },
    state: target,
    plan: target,
  });
}

/** `{ type: { name: body } }` for an address `kind.type.name`. */
function block(address: string, body: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const [, type, name] = address.split('.');
  return { [type]: { [name]: body } };
}
