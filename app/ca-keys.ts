import { ICertificateAuthority } from '../lib';

/**
 * Where a CA's private key is read from when a CRL must be signed. One small interface, so the key's home can
 * change (Terraform state: {@link caKeysFromState}; an encrypted key file: app/ca-key-files.ts) without touching
 * revocation. A key read from it stays in memory: it is never written anywhere, printed or logged.
 */
export interface CaKeySource {
  /**
   * The CA's private key, PEM; `undefined` when the key is offline on purpose (an unplugged root key file), so the
   * CRL is left as it is. Throws, naming the CA, when it cannot be found.
   */
  privateKeyPem(ca: ICertificateAuthority): Promise<string | undefined>;
}

/**
 * CA keys from Terraform state, read with the engine's `show -json` (`readState`) at the first key asked for and
 * never before: a deploy whose CRLs are all fresh does not read the state at all.
 */
export function caKeysFromState(readState: () => Promise<any>, synthesized: any): CaKeySource {
  let state: Promise<any> | undefined;
  return {
    async privateKeyPem(ca) {
      state ??= readState();
      return keyInState(await state, synthesized, ca.node.path, 'so its CRL cannot be signed');
    },
  };
}

/**
 * The PEM of the `tls_private_key` under the construct at `constructPath` (`<path>/key`), in a `show -json` state.
 * Throws, naming the construct and then `consequence`, when it is not there.
 */
export function keyInState(shown: any, synthesized: any, constructPath: string, consequence: string): string {
  const address = keyAddress(synthesized, constructPath);
  const pem = stateResources(shown).find((r) => r.address === address)?.values?.private_key_pem;
  if (typeof pem !== 'string' || pem === '') {
    throw new Error(`the key of ${constructPath} (${address ?? 'no tls_private_key'}) is not in the state, ${consequence}`);
  }
  return pem;
}

/** Every resource in a `show -json` document (state or plan's prior state), modules included. */
export function stateResources(shown: any): any[] {
  const walk = (module: any): any[] => [...(module?.resources ?? []), ...(module?.child_modules ?? []).flatMap(walk)];
  return walk(shown?.values?.root_module);
}

/** The address of a construct's `tls_private_key`, found by the construct's path in the synthesized stack. */
function keyAddress(synthesized: any, constructPath: string): string | undefined {
  const keys = synthesized?.resource?.tls_private_key ?? {};
  const name = Object.keys(keys).find((n) => keys[n]?.['//']?.metadata?.path === `${constructPath}/key`);
  return name === undefined ? undefined : `tls_private_key.${name}`;
}
