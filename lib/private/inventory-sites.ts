import { InventoryCertificate, InventoryRole } from '../inventory-model';
import { MQTT_TRANSMISSION } from '../products/mqtt-transmission';
import { groupBy } from './group-by';

/** A site as the inventory sums it up; the flat `transmissionClients` list is the site without a name. */
export interface SiteSummary {
  /** The site's name; `undefined` for the flat list. */
  readonly name?: string;
  /** How many Transmission clients it has. */
  readonly clients: number;
  /** Its own issuing CA (the generation that signs), if it has one. */
  readonly issuingCa?: InventoryCertificate;
  /** The common name of the CA that signs its clients. */
  readonly signedBy?: string;
}

/** The sites in name order, each summed up. The flat list is not among them. */
export function sitesOf(certificates: InventoryCertificate[]): SiteSummary[] {
  const members = groupBy(certificates, (c) => c.site);
  return [...members.keys()].sort().map((name) => summary(members.get(name)!, name));
}

/** The flat `transmissionClients` list summed up as a site: the Transmission clients of no site. */
export function flatListOf(certificates: InventoryCertificate[]): SiteSummary {
  return summary(certificates.filter((c) => c.site === undefined && c.product === MQTT_TRANSMISSION.name));
}

function summary(members: InventoryCertificate[], name?: string): SiteSummary {
  const clients = members.filter((c) => c.role === InventoryRole.CLIENT);
  // During a rotation of a site CA both generations are members; its CA is the one that signs the clients.
  const cas = members.filter((c) => c.isCa);
  const signedBy = clients[0]?.issuerCommonName;
  const issuingCa = cas.find((c) => c.subject.commonName === signedBy) ?? cas[cas.length - 1];
  return { name, clients: clients.length, issuingCa, signedBy: signedBy ?? issuingCa?.subject.commonName };
}
