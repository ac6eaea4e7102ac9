import { CaGenerationOptions } from './ca-generations';
import { ClientCert } from './client-cert';
import { IntermediateCa } from './intermediate-ca';

/**
 * One site of MQTT Transmission clients (a plant, a field, a platform): its clients, and whether it has its own
 * issuing CA, so that a compromise or a rotation touches one site, not the fleet.
 */
export interface TransmissionSiteOptions {
  /**
   * Names of the site's MQTT Transmission clients; each gets `certs/transmission/SITE/NAME/`. A name may appear in
   * one site (or the flat `transmissionClients` list) only.
   * @default []
   */
  readonly transmissionClients?: string[];

  /**
   * Give the site its own issuing CA ("SITE Transmission CA", path length 0), signed by the Transmission CA, which
   * then gets path length 1. Its certificate is written to `ca/transmission/SITE/site-ca.crt`.
   * @default false - the Transmission CA signs the site's clients
   */
  readonly issuingCa?: boolean;

  /**
   * The generation of the site's own issuing CA, to rotate it alone, in the three steps of `caGenerations`: from
   * generation 2 on it is `sites/SITE/ca-gN`, "SITE Transmission CA GN", `ca/transmission/SITE/site-ca-gN.crt`. Only
   * this site's clients move to the new CA; other sites and the flat list keep their certificates. Needs `issuingCa`.
   * @default - generation 1
   */
  readonly caGeneration?: CaGenerationOptions;
}

/**
 * A site as built: its issuing CA, if it has one, and its client certificates.
 */
export interface TransmissionSite {
  /** The site's name, as configured. */
  readonly name: string;
  /**
   * The site's own issuing CA: the generation that signs its clients.
   * @default - none: the Transmission CA signs the site's clients
   */
  readonly issuingCa?: IntermediateCa;
  /**
   * Every generation of the site's own CA that exists, oldest first: two during a rotation, else `issuingCa` alone.
   * Empty when the site has no CA of its own.
   */
  readonly certificateAuthorities: IntermediateCa[];
  /** The site's MQTT Transmission client certificates, in the order given. */
  readonly transmissionClients: ClientCert[];
}
