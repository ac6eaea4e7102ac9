/**
 * The words for what happens to a certificate, shared by the plan review (what a deploy will do, read from the
 * engine's plan) and the deploy summary (what it did, read from the files on disk). Each word means one thing
 * wherever it is printed.
 */
export enum CertificateChange {
  /** A new key and certificate: it did not exist before. */
  CREATED = 'created',
  /** Re-signed, same key, because it entered its renewal window. */
  RENEWED = 'renewed',
  /** Re-signed, same key and subject, for another reason (its issuer was re-signed, a SAN changed, ...). */
  REISSUED = 're-issued',
  /** A new key or a new subject: for a CA, a new identity (read from the files: the public key changed). */
  REPLACED = 'replaced',
  /** Changed in place, without a new signature. */
  UPDATED = 'updated',
  /** Removed with its key and files. */
  DESTROYED = 'destroyed',
  /** Only its files are written again (a bundle's content changed, or a file was missing). */
  FILES_REWRITTEN = 'files rewritten',
  /** Its file was empty or cut short (a full disk, a killed deploy) and is written again (read from the files). */
  RESTORED = 'restored',
  /** Nothing changes. */
  UNCHANGED = 'unchanged',
}

/** How a count of certificates with one change reads: `3 created`, `1 with files rewritten`. */
function countText(n: number, change: CertificateChange): string {
  // "files rewritten" says what happened to a certificate's files, not to the certificates counted.
  return change === CertificateChange.FILES_REWRITTEN ? `${n} with files rewritten` : `${n} ${change}`;
}

/** The counts of the changes in `changes` that are not {@link CertificateChange.UNCHANGED}, in this enum's order: `1 created, 13 re-issued`. */
export function formatChangedCounts(changes: CertificateChange[]): string {
  return Object.values(CertificateChange)
    .filter((c) => c !== CertificateChange.UNCHANGED)
    .map((c): [CertificateChange, number] => [c, changes.filter((x) => x === c).length])
    .filter(([, n]) => n > 0)
    .map(([c, n]) => countText(n, c))
    .join(', ');
}

/**
 * The counts of `changes`, in the words the plan and the deploy share: each change that occurs, in this enum's
 * order, then the unchanged ones: `1 created, 13 re-issued, 1 destroyed; 20 unchanged`.
 */
export function formatCounts(changes: CertificateChange[]): string {
  const changed = formatChangedCounts(changes);
  const unchanged = `${changes.filter((c) => c === CertificateChange.UNCHANGED).length} unchanged`;
  return changed === '' ? unchanged : `${changed}; ${unchanged}`;
}
