/**
 * A client key file written encrypted: PKCS#8 PEM (`BEGIN ENCRYPTED PRIVATE KEY`), AES-256-CBC with a key derived
 * by PBKDF2-HMAC-SHA256, as MQTT Engine and MQTT Transmission take it with their key password field.
 *
 * The engine has no way to encrypt a file, so a certificate with this option declares no key file at all: the
 * ready app writes it after each deploy from the key in the state, with a password from its environment
 * (`encryptedClientKeys` in its configuration). A consumer's own app must do the same, or the folder has no key.
 */
export interface EncryptedKeyFile {
  /**
   * Where whoever uploads the files gets the password, as the README says it, e.g.
   * `"CHARIOT_TLS_CLIENT_KEY_PASSWORD of the deploy (ask whoever deploys)"`. Never the password itself: the README is public.
   */
  readonly passwordSource: string;
}
