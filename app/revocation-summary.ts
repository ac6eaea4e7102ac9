import * as path from 'node:path';
import { REVOCATION_RECORD_FILE, RevokedCertificate } from './revocation-record';
import { CrlOutcome } from './revocation';

/**
 * What a deploy says about revocation: what it recorded, then each CRL it signed (with `verbose`, the fresh ones too),
 * relative to `outputDirectory`. Empty when there is nothing to say.
 */
export function formatRevocations(added: RevokedCertificate[], crls: CrlOutcome[], outputDirectory: string, verbose: boolean): string {
  const lines = added.map((r) => `revoked ${r.kind}/${r.name}: serial ${r.serial} (${r.reason}), recorded in ${REVOCATION_RECORD_FILE}: commit it`);
  for (const crl of crls.filter((c) => verbose || c.signed || c.keptFromOldCrl > 0 || c.keyOffline)) {
    if (crl.keyOffline) {
      lines.push(offlineCrlLine(path.relative(outputDirectory, crl.file), crl.nextUpdate));
      continue;
    }
    const state = crl.signed ? 'signed' : 'fresh';
    const kept = crl.keptFromOldCrl > 0 ? `; ${crl.keptFromOldCrl} serial(s) kept from the old CRL that ${REVOCATION_RECORD_FILE} lacks: restore it from version control` : '';
    lines.push(`CRL ${path.relative(outputDirectory, crl.file)}: ${state}, ${crl.revokedCount} revoked, next update ${crl.nextUpdate.toISOString().replace(/\.\d+Z$/, 'Z')}${kept}`);
  }
  return lines.join('\n');
}

/** A CRL due to be signed whose CA key is offline: until when peers still accept it, and what to do. */
function offlineCrlLine(file: string, nextUpdate: Date): string {
  const until = nextUpdate.getTime() === 0 ? 'none was signed yet'
    : `${nextUpdate < new Date() ? 'it expired' : 'peers accept it until'} ${nextUpdate.toISOString().replace(/\.\d+Z$/, 'Z')}`;
  return `CRL ${file}: due to be signed, but its CA key is offline (${until}); deploy once with the key file present to sign it`;
}
