import { CertificateChange } from './certificate-change';
import { CertificateReview } from './plan-review';

/** The summary printed after the engine's plan: a loud first line for any CA change, then one line per certificate. */
export function formatSummary(review: CertificateReview[], listLimit = Infinity): string {
  const changed = review.filter((c) => c.action !== CertificateChange.UNCHANGED);
  const unchanged = review.length - changed.length;
  const cas = changed.filter((c) => c.isCa && c.action !== CertificateChange.FILES_REWRITTEN);
  const lines: string[] = [];
  if (cas.length > 0) {
    const list = cas.map((c) => `${c.id} ${c.action}`).join(', ');
    lines.push(`!!! CA CHANGE: ${list}. Check the trust bundles before deploying (docs/operate.md, "Rotating a CA") !!!`);
  }
  lines.push(changed.length === 0 ? 'Certificates: no change.' : `Certificates: ${counts(changed)}; ${unchanged} unchanged.`);
  const width = Math.max(0, ...changed.map((c) => c.action.length));
  for (const c of changed.slice(0, listLimit)) {
    const what = c.isCa ? ' (CA)' : c.product ? ` (${c.product})` : '';
    const name = c.commonName ? `${c.construct} "${c.commonName}"${what}` : c.construct;
    const files = c.files.length > 0 ? ` [files: ${c.files.join(', ')}]` : '';
    lines.push(`  ${c.action.padEnd(width)}  ${name}: ${c.reasons.join('; ')}${files}`);
  }
  if (changed.length > listLimit) lines.push(`  ... and ${changed.length - listLimit} more: ${counts(changed.slice(listLimit))} (--verbose lists every one)`);
  return `${lines.join('\n')}\n`;
}

function counts(changed: CertificateReview[]): string {
  const byAction = new Map<string, number>();
  for (const c of changed) byAction.set(c.action, (byAction.get(c.action) ?? 0) + 1);
  return [...byAction.entries()].map(([action, n]) => `${n} ${action}`).join(', ');
}
