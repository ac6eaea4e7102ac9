/**
 * The subject of a certificate: the X.509 distinguished name fields the seed procedure asks for.
 */
export interface DistinguishedName {
  /**
   * The common name (CN). For a server certificate it is also put in the subjectAltName.
   */
  readonly commonName: string;

  /**
   * The organization (O).
   * @default - none
   */
  readonly organization?: string;

  /**
   * The organizational unit (OU).
   * @default - none
   */
  readonly organizationalUnit?: string;

  /**
   * The two-letter ISO 3166 country code (C).
   * @default - none
   */
  readonly country?: string;

  /**
   * The state or province (ST).
   * @default - none
   */
  readonly province?: string;

  /**
   * The locality or city (L).
   * @default - none
   */
  readonly locality?: string;
}
