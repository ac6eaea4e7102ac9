import { Construct } from 'constructs';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { Problems, isKnown } from './validation';

/**
 * CA keys outside the state, in short (the app's half is app/ca-key-files.ts):
 * - An opted-in CA has no `tls_private_key`. Its key (PEM) comes at each deploy through an ephemeral, sensitive
 *   variable, which reaches only write-only attributes (`passKeyWriteOnly`): the engine stores it in no state
 *   and no plan. The app keeps the key in an encrypted PKCS#8 file and sets `TF_VAR_<variable>` for the engine.
 * - A `removed` block forgets, never destroys, the `tls_private_key` such a CA had in the state: that is how an
 *   existing CA moves its key to a file, with the same key and certificates (nothing else in the plan changes,
 *   since a write-only value is not compared).
 * - The root's file may be offline: the app then passes a placeholder that is no key and refuses a plan that
 *   would create or replace anything the root signs.
 */

/** The `removed` blocks of a stack, by stack: one override holds them all. */
const REMOVED = new WeakMap<TerraformStack, { from: string; lifecycle: { destroy: boolean } }[]>();

/**
 * A CA's key as PEM and PKCS#8 PEM: from its own `tls_private_key`, or else from the ephemeral variable
 * `keyVariable` ({@link externalKeyPem}), whose key file is PKCS#8 already (app/ca-key-files.ts).
 */
export function caKeyPems(ca: Construct, privateKey: PrivateKey | undefined, keyVariable: string | undefined): { pem: string; pkcs8: string } {
  if (privateKey) return { pem: privateKey.privateKeyPem, pkcs8: privateKey.privateKeyPemPkcs8 };
  const pem = externalKeyPem(ca, keyVariable!);
  return { pem, pkcs8: pem };
}

/**
 * Declares the ephemeral variable `variableName` that holds the CA key of `ca`, and forgets (without
 * destroying) the `tls_private_key` the CA had under child id `key`. Returns the reference to the key.
 */
function externalKeyPem(ca: Construct, variableName: string): string {
  const stack = TerraformStack.of(ca);
  const key = ephemeralKeyPem(ca, variableName, `The key of ${ca.node.path} (PEM); the deploy sets it from the CA's encrypted key file.`);
  // The address the key had: a bare construct where it stood gets the same name.
  const formerKey = stack.getLogicalId(new Construct(ca, 'key').node);
  const removed = [...(REMOVED.get(stack) ?? []), { from: `tls_private_key.${formerKey}`, lifecycle: { destroy: false } }];
  REMOVED.set(stack, removed);
  stack.addOverride('removed', removed);
  return key;
}

/**
 * Declares, in the stack of `scope`, the ephemeral and sensitive variable `variableName` that holds a CA key (PEM)
 * at each deploy, and returns the reference to it: it may reach write-only attributes only (`passKeyWriteOnly`).
 */
export function ephemeralKeyPem(scope: Construct, variableName: string, description: string): string {
  const variable = new TerraformVariable(TerraformStack.of(scope), variableName, { type: 'string', sensitive: true, nullable: false, description });
  variable.addOverride('ephemeral', true);
  return variable.stringValue;
}

/** A Terraform variable name: it becomes `TF_VAR_<name>` in the engine's environment. */
const VARIABLE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Checks a CA's `keyVariable`: a plain variable name, and no key file beside it (the key is ephemeral). */
export function checkKeyVariable(problems: Problems, props: { readonly keyVariable?: string; readonly privateKeyFile?: string }): void {
  const name = props.keyVariable;
  if (name === undefined || !isKnown(name)) return;
  if (!VARIABLE_NAME.test(name)) {
    problems.add('keyVariable', name, 'is not a variable name', 'use lower-case letters, digits and _, starting with a letter, e.g. "chariot_tls_root_ca_key"');
  }
  if (props.privateKeyFile !== undefined) {
    problems.add('privateKeyFile', props.privateKeyFile, 'cannot be written for a CA whose key comes from keyVariable', 'leave privateKeyFile unset: the key file the key comes from is the copy');
  }
}
