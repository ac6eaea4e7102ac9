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
  /** A new certificate for a new key (read from the files: the public key changed). */
  REKEYED = 're-keyed',
  /** A new key or a new subject (read from the plan): for a CA, a new identity. */
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
