import * as path from 'node:path';
import { ChariotPki } from '../lib';
import { stateResources } from './ca-keys';
import { ExternalRoot } from './external-root';
import { UserError } from './user-error';

/** Dates as the deploy summary writes them. */
const day = (date: Date) => date.toISOString().slice(0, 10);

/** Whether an issuing CA of the hierarchy still waits for its certificate: then nothing below the CAs is issued. */
export function issuingCaAwaitsSignature(pki: ChariotPki): boolean {
  return pki.awaitingSignature.some((ca) => ca === pki.serverCa || ca === pki.engineCa || ca === pki.transmissionCa);
}

/**
 * Refuses a deploy that would issue nothing below the CAs (an issuing CA has no certificate) over a state that holds
 * certificates issued below them: the signed certificate's file went missing, and the engine would destroy every
 * server and client certificate. Reads the state only in that case.
 */
export async function refuseLostSignedCertificates(pki: ChariotPki, root: ExternalRoot, readState: () => Promise<any>): Promise<void> {
  if (!issuingCaAwaitsSignature(pki)) return;
  const issued = stateResources(await readState()).filter((r) => r.type === 'tls_locally_signed_cert');
  if (issued.length === 0) return;
  const missing = root.cas.filter((ca) => pki.awaitingSignature.some((a) => a.node.id === ca.id)).map((ca) => ca.signedCertFile);
  throw new UserError(
    `chariot-tls: cannot deploy: the certificate the enterprise CA returned is missing (${missing.join(', ')}), but the state holds ` +
      `${issued.length} certificate${issued.length === 1 ? '' : 's'} issued below it, which this deploy would destroy. Nothing was changed. ` +
      'Put the signed certificate back (from version control or the enterprise CA), then deploy again (docs/operate.md, "Using an enterprise root").',
  );
}

/**
 * What the deploy says about the enterprise root: the requests still to take to the enterprise CA (which, with what
 * extensions, where to put the certificates), and certificates inside their renewal window. Empty when neither.
 */
export function formatExternalRoot(pki: ChariotPki, root: ExternalRoot, baseDir: string): string {
  const shown = (file: string) => path.relative(baseDir, file) || file;
  const lines: string[] = [];
  const waiting = root.cas.filter((ca) => pki.awaitingSignature.some((a) => a.node.id === ca.id));
  if (waiting.length > 0) {
    const blocked = issuingCaAwaitsSignature(pki);
    lines.push(
      `chariot-tls: waiting for the enterprise CA: ${waiting.length} certificate signing request${waiting.length === 1 ? '' : 's'} to sign.`,
      blocked ? 'No server or client certificate is issued until every issuing CA has its certificate.' : 'The CAs that sign today go on signing; a CA is trusted once its certificate is back.',
      `Take each request to the enterprise CA that is to sign it (${root.issuingSubject}), and put the certificate it returns where it says:`,
      ...waiting.map((ca) => `  ${shown(ca.csrFile)}  ->  ${shown(ca.signedCertFile)}`),
      'Ask for these extensions in each certificate (openssl names):',
      ...pathLengthLines(waiting.map((ca) => ca.maxPathLength), waiting),
      '  keyUsage         = critical, keyCertSign, cRLSign',
      `  and a validity that ends by ${day(root.issuingNotAfter)}, when the enterprise CA itself expires.`,
      'Then deploy again: it checks each certificate (its key, CA:TRUE and the path length, the key usages, the chain to',
      'the enterprise root, a validity inside the issuer\'s) and issues everything below the CAs.',
    );
  }
  for (const ca of root.cas.filter((c) => c.renewalDue)) {
    lines.push(
      `chariot-tls: renewal: the certificate of ${ca.id} (${shown(ca.signedCertFile)}) expires on ${day(ca.notAfter!)}, inside its renewal window.`,
      `  Take ${shown(ca.csrFile)} (the same key; every deploy keeps it) to the enterprise CA, and put the new certificate at ${shown(ca.signedCertFile)}.`,
    );
  }
  return lines.join('\n');
}

/** One basicConstraints line, or one per path length when the CAs ask for different ones (a Transmission CA above site CAs). */
function pathLengthLines(lengths: number[], cas: { id: string; maxPathLength: number }[]): string[] {
  const distinct = [...new Set(lengths)].sort();
  const line = (n: number) => `  basicConstraints = critical, CA:TRUE, pathlen:${n}`;
  if (distinct.length === 1) return [line(distinct[0])];
  return distinct.map((n) => `${line(n)}   (${cas.filter((c) => c.maxPathLength === n).map((c) => c.id).join(', ')})`);
}
