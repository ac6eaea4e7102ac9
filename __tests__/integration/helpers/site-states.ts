/** Two sites of two clients in their own state (`siteStates`): north-sea with its own CA, baltic signed by the Transmission CA. */
export const SITES = { baltic: ['bt-1', 'bt-2'], 'north-sea': ['ns-1', 'ns-2'] };

/** The configuration of {@link SITES}, with one client in the flat list (in the main state). */
export const SITE_STATES_CONFIG = {
  caRsaBits: 2048,
  server: { dnsNames: ['localhost'] },
  transmissionClients: ['edge-1'],
  sites: { baltic: { transmissionClients: SITES.baltic }, 'north-sea': { transmissionClients: SITES['north-sea'], issuingCa: true } },
  siteStates: true,
};
