import * as path from 'node:path';
import { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { ChariotPki, ExternalCa, ICertificateAuthority, IServerEndpoint, TransmissionSiteClients } from '../lib';
import { AppConfig, BackendConfig, LocalBackendConfig, PgBackendConfig } from './config';
import { addStateStorage } from './stack';

/**
 * A site in its own state (`siteStates`, docs/operate.md, "Sites in their own state"): a stack that holds one
 * site's MQTT Transmission clients and nothing else. Its CAs are certificates only; the one that signs gets its key
 * at each deploy through an ephemeral variable that reaches write-only attributes alone, so the site's state and
 * plans never hold a CA key. The clients stand at `pki/sites/SITE/clients/NAME`, as in the single stack: same
 * Terraform addresses, so a site moves into its own state without re-keying anything.
 */

/** The variable that holds the signing CA's key in a site's stack: `TF_VAR_chariot_tls_site_signing_ca_key`. */
export const SITE_SIGNING_KEY_VARIABLE = 'chariot_tls_site_signing_ca_key';

/** A CA as a site's stack knows it: its certificate, and the CA above it. */
export interface CaCertificate {
  /** The CA's construct path in the CAs' stack (`chariot-tls/pki/sites/north-sea/ca`): its identity. */
  readonly path: string;
  /** Its certificate, PEM, as the CAs' stack's state holds it. */
  readonly certPem: string;
  /** The CA that signed it; `undefined` for a root. */
  readonly issuer?: CaCertificate;
}

/** What a site's stack is built from, besides the configuration: all of it public. */
export interface SiteInputs {
  /** The site's name. */
  readonly site: string;
  /** The CA that signs the site's clients: the site's own CA, or the Transmission CA. */
  readonly issuer: CaCertificate;
  /** The CAs every client trusts to verify the servers (`ca.pem`). */
  readonly trustedCas: CaCertificate[];
  /** The servers, for the READMEs. */
  readonly servers: IServerEndpoint[];
}

/** The stack name of a site's stack: `chariot-tls-site-SITE`. */
export function siteStackName(mainStack: string, site: string): string {
  return `${mainStack}-site-${site}`;
}

/**
 * The site's inputs, read off the CAs' hierarchy: `certPemOf` gives each CA's certificate as the CAs' state holds
 * it (the hierarchy itself has only references to it).
 */
export function siteInputs(pki: ChariotPki, site: string, certPemOf: (ca: ICertificateAuthority) => string): SiteInputs {
  const built = pki.sites.find((s) => s.name === site);
  if (built === undefined) throw new Error(`no site "${site}" in the hierarchy`);
  const known = new Map<string, CaCertificate>();
  const of = (ca: ICertificateAuthority): CaCertificate => {
    const existing = known.get(ca.node.path);
    if (existing) return existing;
    const cert = { path: ca.node.path, certPem: certPemOf(ca), issuer: ca.chain.length > 1 ? of(ca.chain[1]) : undefined };
    known.set(ca.node.path, cert);
    return cert;
  };
  return {
    site,
    issuer: of(built.issuingCa ?? pki.transmissionCa),
    trustedCas: pki.clientTrustedCas.map(of),
    servers: pki.servers.map((s) => ({ serverName: s.serverName, product: s.product, dnsNames: s.dnsNames, ipAddresses: s.ipAddresses })),
  };
}

/** A site's state in a local file of its own. */
export type LocalSiteBackend = LocalBackendConfig;

/**
 * A site's state in the main state's PostgreSQL schema and table, told apart by the engine's workspace: the
 * main state is the `default` workspace, each site's is `site-SITE` (`TF_WORKSPACE` for every engine command on
 * the site but `init`; the first that reads the state creates it).
 */
export interface PgSiteBackend extends PgBackendConfig {
  /** The site's workspace: `site-SITE`. */
  readonly workspace: string;
}

/** Where a site's own state lives. */
export type SiteBackend = LocalSiteBackend | PgSiteBackend;

/** The engine workspace of a site whose state is in PostgreSQL: `site-SITE`. */
export function siteWorkspace(site: string): string {
  return `site-${site}`;
}

/**
 * Where a site's state lives: for local state, `<main state without .tfstate>.sites/SITE.tfstate`, beside the main
 * state; for PostgreSQL, the main state's backend (same connection, schema and table) in the workspace `site-SITE`.
 */
export function siteBackend(backend: BackendConfig, site: string): SiteBackend {
  if (backend.type === 'pg') return { ...backend, workspace: siteWorkspace(site) };
  const base = backend.path.replace(/\.tfstate$/, '');
  return { type: 'local', path: path.join(`${base}.sites`, `${site}.tfstate`) };
}

/** Where a site's state lives, in words: its file, or its workspace and schema. */
export function siteStateName(backend: SiteBackend): string {
  return backend.type === 'pg' ? `workspace ${backend.workspace} of PostgreSQL schema ${backend.schemaName}` : backend.path;
}

/** One site's stack (see above). */
export class ChariotTlsSiteStack extends TerraformStack {
  /** The site's clients. */
  public readonly clients: TransmissionSiteClients;

  constructor(scope: Construct, id: string, config: AppConfig, inputs: SiteInputs) {
    super(scope, id);
    addStateStorage(this, siteBackend(config.backend, inputs.site), config.stateEncryption);
    const cas = importCas(new Construct(this, 'cas'), inputs.issuer);
    const pki = config.pki;
    // The same construct path as in the single stack: `pki/sites/SITE/clients`.
    const siteScope = new Construct(new Construct(new Construct(this, 'pki'), 'sites'), inputs.site);
    this.clients = new TransmissionSiteClients(siteScope, 'clients', {
      site: inputs.site,
      transmissionClients: pki.sites?.[inputs.site]?.transmissionClients,
      issuer: cas.of(inputs.issuer),
      trustedCas: inputs.trustedCas.map(cas.of),
      servers: inputs.servers,
      outputDirectory: pki.outputDirectory!,
      organization: pki.organization,
      country: pki.country,
      key: pki.leafKey,
      validityPeriodHours: pki.leafValidityPeriodHours,
      earlyRenewalHours: pki.leafEarlyRenewalHours,
      encryptedKeyFile: pki.encryptTransmissionClientKeys,
    });
  }
}

/**
 * Each CA as an `ExternalCa` (a certificate, no key), once per path; the signing CA alone with the key variable.
 */
function importCas(scope: Construct, signing: CaCertificate): { of: (ca: CaCertificate) => ICertificateAuthority } {
  const imported = new Map<string, ExternalCa>();
  const of = (ca: CaCertificate): ExternalCa => {
    const existing = imported.get(ca.path);
    if (existing) return existing;
    const issuer = ca.issuer && of(ca.issuer);
    const made = new ExternalCa(scope, `ca-${imported.size + 1}`, {
      certPem: ca.certPem,
      issuer,
      keyVariable: ca.path === signing.path ? SITE_SIGNING_KEY_VARIABLE : undefined,
    });
    imported.set(ca.path, made);
    return made;
  };
  return { of };
}
