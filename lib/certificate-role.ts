/**
 * What a leaf certificate is for: it decides the extended key usage.
 */
export enum CertificateRole {
  /** A TLS server (serverAuth): an MQTT broker's listener (Chariot, MQTT Distributor, a third-party broker). */
  SERVER = 'server',
  /** A TLS client (clientAuth): MQTT Engine or MQTT Transmission. */
  CLIENT = 'client',
}
