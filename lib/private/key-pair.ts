import { Construct } from 'constructs';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key';
import { EcdsaCurve, KeyAlgorithm, KeyOptions } from '../key';
import { MAX_RSA_BITS, MIN_RSA_BITS } from '../limits';
import { Problems, isKnown } from './validation';


const ALGORITHMS = Object.values(KeyAlgorithm);
const CURVES = Object.values(EcdsaCurve);

/** Key options with every default applied. */
export interface ResolvedKeyOptions {
  readonly algorithm: KeyAlgorithm;
  readonly rsaBits: number;
  readonly ecdsaCurve: EcdsaCurve;
}

/** Applies defaults once and records any problem with the key options. */
export function resolveKeyOptions(
  problems: Problems,
  field: string,
  options: KeyOptions | undefined,
  defaultRsaBits: number,
): ResolvedKeyOptions {
  const resolved = {
    algorithm: options?.algorithm ?? KeyAlgorithm.RSA,
    rsaBits: options?.rsaBits ?? defaultRsaBits,
    ecdsaCurve: options?.ecdsaCurve ?? EcdsaCurve.P256,
  };
  // The algorithm and curve reach the engine as strings: only our enum's values may (a JavaScript caller has no types).
  if (isKnown(resolved.algorithm) && !ALGORITHMS.includes(resolved.algorithm)) {
    problems.add(`${field}.algorithm`, resolved.algorithm, `is not one of ${ALGORITHMS.join(', ')}`, 'use KeyAlgorithm.RSA or KeyAlgorithm.ECDSA');
  }
  if (isKnown(resolved.ecdsaCurve) && !CURVES.includes(resolved.ecdsaCurve)) {
    problems.add(`${field}.ecdsaCurve`, resolved.ecdsaCurve, `is not one of ${CURVES.join(', ')}`, 'use EcdsaCurve.P256, P384 or P521');
  }
  const bits = resolved.rsaBits;
  if (resolved.algorithm === KeyAlgorithm.RSA && isKnown(bits) && (!Number.isInteger(bits) || bits < MIN_RSA_BITS)) {
    problems.add(`${field}.rsaBits`, bits, `is too small or not a whole number`, `use ${MIN_RSA_BITS}, 3072 or 4096`);
  } else if (resolved.algorithm === KeyAlgorithm.RSA && isKnown(bits) && bits > MAX_RSA_BITS) {
    problems.add(`${field}.rsaBits`, bits, `is more than ${MAX_RSA_BITS}: generating the key would take hours, and the deploy would seem to hang`, 'use 2048, 3072 or 4096');
  }
  return resolved;
}

/** The RSA size of resolved key options, or `undefined` when the key is not RSA. */
export function rsaBitsOf(key: ResolvedKeyOptions): number | undefined {
  return key.algorithm === KeyAlgorithm.RSA ? key.rsaBits : undefined;
}

/** The curve of resolved key options, or `undefined` when the key is not ECDSA. */
export function ecdsaCurveOf(key: ResolvedKeyOptions): EcdsaCurve | undefined {
  return key.algorithm === KeyAlgorithm.ECDSA ? key.ecdsaCurve : undefined;
}

/**
 * Creates the private key resource (child id `key`, part of the Terraform address contract).
 * A CA key gets `prevent_destroy`: the engine then refuses any plan that would replace it (a new
 * algorithm or size), since a new CA key breaks every bundle that trusts the old one. Removing the
 * construct (retiring a CA generation) still destroys it: protection lives in the configuration.
 */
export function createPrivateKey(scope: Construct, key: ResolvedKeyOptions, isCa = false): PrivateKey {
  return new PrivateKey(scope, 'key', {
    algorithm: key.algorithm,
    rsaBits: key.algorithm === KeyAlgorithm.RSA ? key.rsaBits : undefined,
    ecdsaCurve: key.algorithm === KeyAlgorithm.ECDSA ? key.ecdsaCurve : undefined,
    lifecycle: isCa ? { preventDestroy: true } : undefined,
  });
}
