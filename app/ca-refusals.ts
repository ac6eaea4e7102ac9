import { CertificateReview, certificateId } from './plan-review';

/**
 * The deploy's refusals to change a CA's identity, in our words: a plan that gives a CA a new key or subject
 * (unless `CHARIOT_TLS_ALLOW_CA_CHANGE` names it), and a CA key the engine's `prevent_destroy` kept.
 */

/** Names the CAs (construct ids such as `server-ca`, comma-separated) a deploy may replace in place. */
export const ALLOW_CA_CHANGE_ENV = 'CHARIOT_TLS_ALLOW_CA_CHANGE';

/** The CAs whose identity would change and that `allowed` (ids or construct paths) does not name. */
export function refusedCaChanges(review: CertificateReview[], allowed: string[]): CertificateReview[] {
  return review.filter((c) => c.identityChanges.length > 0 && !allowed.includes(c.id) && !allowed.includes(c.construct));
}

/** The CA ids and paths named in `CHARIOT_TLS_ALLOW_CA_CHANGE`. */
export function allowedCaChanges(env: NodeJS.ProcessEnv): string[] {
  return (env[ALLOW_CA_CHANGE_ENV] ?? '').split(/[\s,]+/).filter(Boolean);
}

/** The configuration field that rotates a CA of the ready app, by its id (a site's CA: `sites/SITE/ca-gN`). */
function rotationField(id: string): string | undefined {
  const site = /^sites\/([^/]+)\/ca(-g\d+)?$/.exec(id)?.[1];
  if (site !== undefined) return `sites.${site}.caGeneration`;
  const base = /^(root|server|engine|transmission)-ca(-g\d+)?$/.exec(id)?.[1];
  return base && `caGenerations.${base}Ca`;
}

function rotationAdvice(ids: string[]): string {
  const fields = ids.map(rotationField).filter(Boolean);
  const where = fields.length > 0 ? ` (${[...new Set(fields)].join(', ')} in chariot-tls.json)` : '';
  return `To change a CA without an outage, rotate it: create a new generation beside it${where}; see docs/operate.md, "Rotating a CA".`;
}

/** The words of a refused deploy: which CA, what changes, how to rotate, how to force. */
export function formatRefusal(refused: CertificateReview[]): string {
  const ids = refused.map((c) => c.id);
  return [
    `chariot-tls: refused: this plan would give ${refused.length === 1 ? 'a CA a new identity' : `${refused.length} CAs a new identity`} (a new key or subject), not renew ${refused.length === 1 ? 'it' : 'them'}:`,
    ...refused.map((c) => `  - CA ${c.id} (${c.construct}): ${c.identityChanges.join('; ')}`),
    'Every bundle that trusts the old CA would stop verifying what the new one signs: every product would need new files at once.',
    rotationAdvice(ids),
    `To replace it in place anyway, run the deploy again with ${ALLOW_CA_CHANGE_ENV}=${ids.join(',')}.`,
    'Nothing was changed.',
  ].join('\n');
}

/** A CA key the engine refused to destroy (`prevent_destroy`), with what the configuration changes. */
export interface ProtectedKeyRefusal {
  /** The CA's construct path, e.g. `pki/server-ca`. */
  readonly construct: string;
  /** What changes, e.g. `RSA 2048 → RSA 4096`, when known. */
  readonly change?: string;
}

/**
 * The addresses in the engine's `prevent_destroy` errors: "Resource instance ADDRESS has prevent_destroy set"
 * (OpenTofu, wrapped over lines) or "Resource ADDRESS has lifecycle.prevent_destroy set" (Terraform).
 */
export function preventDestroyAddresses(engineOutput: string): string[] {
  const plain = engineOutput.replace(/\x1b\[[0-9;]*m/g, '');
  const found = plain.matchAll(/Resource (?:instance\s+)?([\w.\-\[\]"]+)\s+has\s+(?:lifecycle\.)?prevent_destroy\s+set/g);
  return [...new Set([...found].map((m) => m[1]))];
}

/** The engine's `prevent_destroy` error in our words. */
export function formatProtectedKeyRefusal(refused: ProtectedKeyRefusal[]): string {
  const ids = refused.map((r) => certificateId(r.construct));
  return [
    `chariot-tls: refused: this plan would replace the private key of ${refused.length === 1 ? 'a CA' : `${refused.length} CAs`}, and CA keys are protected:`,
    ...refused.map((r, i) => `  - CA ${ids[i]} (${r.construct}): new key${r.change ? `: ${r.change}` : ''} (key options changed: caRsaBits, caKey)`),
    'A new CA key breaks every bundle and certificate that depends on the old one.',
    'To keep this CA, restore its key options. ' + rotationAdvice(ids),
    'Nothing was changed.',
  ].join('\n');
}
