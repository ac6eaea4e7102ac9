import { CertificateChange, formatChangedCounts, formatCounts } from './certificate-change';
import { CertificateReview } from './plan-review';

/**
 * The summary printed after the engine's plan: a loud first line for any CA change (none on a first deploy, when
 * every certificate is created and no bundle is trusted anywhere yet), then one line per certificate.
 */
export function formatSummary(review: CertificateReview[], listLimit = Infinity): string {
  const changed = review.filter((c) => c.action !== CertificateChange.UNCHANGED);
  const cas = changed.filter((c) => c.isCa && c.action !== CertificateChange.FILES_REWRITTEN);
  const lines: string[] = [];
  if (cas.length > 0 && !isFirstDeploy(review)) {
    const list = cas.map((c) => `${c.id} ${c.action}`).join(', ');
    lines.push(`!!! CA CHANGE: ${list}. Check the trust bundles before deploying (docs/operate.md, "Rotating a CA") !!!`);
  }
  lines.push(changed.length === 0 ? 'Certificates: no change.' : `Certificates: ${formatCounts(review.map((c) => c.action))}.`);
  const width = Math.max(0, ...changed.map((c) => c.action.length));
  for (const c of changed.slice(0, listLimit)) {
    const what = c.isCa ? ' (CA)' : c.product ? ` (${c.product})` : '';
    const name = c.commonName ? `${c.construct} "${c.commonName}"${what}` : c.construct;
    const files = c.files.length > 0 ? ` [files: ${c.files.join(', ')}]` : '';
    lines.push(`  ${c.action.padEnd(width)}  ${name}: ${c.reasons.join('; ')}${files}`);
  }
  if (changed.length > listLimit) lines.push(`  ... and ${changed.length - listLimit} more: ${formatChangedCounts(changed.slice(listLimit).map((c) => c.action))} (--verbose lists every one)`);
  return `${lines.join('\n')}\n`;
}

/** Every certificate is created, a root among them: a first deploy, with nothing in state and no bundle handed out yet. */
export function isFirstDeploy(review: CertificateReview[]): boolean {
  return review.some((c) => c.isRoot) && review.every((c) => c.action === CertificateChange.CREATED);
}
