import { Product } from './products/product';

/**
 * What a client's README says of a server it connects to: its name, its product and the names in its certificate.
 * A `ServerCert` is one; a site's stack, which holds no server, takes them as data (`TransmissionSiteClients`).
 */
export interface IServerEndpoint {
  /** The server's name, as the README lists it: the `ServerCert`'s construct id (`server`, or its `servers` name). */
  readonly serverName: string;

  /** The product the server runs. */
  readonly product: Product;

  /** The DNS names in the server's certificate. */
  readonly dnsNames: string[];

  /** The IP addresses in the server's certificate. */
  readonly ipAddresses: string[];
}
