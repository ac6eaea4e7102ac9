import { ICertificateAuthority } from '../certificate-authority';

/**
 * The PEM bundle that trusts `cas`: each CA's chain up to its root, every certificate once,
 * issuing CAs first in the order given, then their issuers, roots last (as PEM chains are read).
 */
export function trustBundlePem(cas: ICertificateAuthority[]): string {
  const unique = new Map<string, ICertificateAuthority>();
  for (const ca of cas.flatMap((c) => c.chain)) {
    unique.set(ca.node.path, unique.get(ca.node.path) ?? ca);
  }
  const depthFirst = [...unique.values()].sort((a, b) => b.chain.length - a.chain.length);
  return depthFirst.map((ca) => ca.certPem).join('');
}
