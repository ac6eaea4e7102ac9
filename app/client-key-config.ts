/**
 * The configuration's words for encrypted client key files (`encryptedClientKeys`), apart from the writing
 * (app/client-key-files.ts), so the configuration reads them without loading what writes files.
 */

/** The environment variable that holds the client key password unless the configuration names another. */
export const DEFAULT_CLIENT_KEY_PASSWORD_ENV = 'CHARIOT_TLS_CLIENT_KEY_PASSWORD';
/** The client groups whose keys may be encrypted: the folders under `certs/`. */
export const CLIENT_KEY_GROUPS = ['engine', 'transmission'] as const;
/** Short passwords fall to a guess in minutes at PBKDF2's 2048 iterations. */
export const MIN_CLIENT_KEY_PASSWORD_LENGTH = 12;

/** Which client groups get encrypted key files, and where their password comes from. */
export interface ClientKeyEncryptionConfig {
  readonly groups: (typeof CLIENT_KEY_GROUPS)[number][];
  /** The environment variable with the password. */
  readonly passwordEnv: string;
}

/** What the README of an encrypted client says of the password: the variable's name, never its value. */
export function passwordSource(passwordEnv: string): string {
  return `the deploy's ${passwordEnv} (ask whoever deploys)`;
}
