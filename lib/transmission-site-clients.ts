import * as path from 'node:path';
import { Construct } from 'constructs';
import { ICertificateAuthority } from './certificate-authority';
import { ClientCert } from './client-cert';
import { EncryptedKeyFile } from './encrypted-key-file';
import { KeyOptions } from './key';
import { MQTT_TRANSMISSION } from './products/mqtt-transmission';
import { IServerEndpoint } from './server-endpoint';
import { UploadReadme } from './upload-readme';
import { DEFAULT_ORGANIZATION, NAME, SITE_NAME } from './private/hierarchy-checks';
import { Problems, checkUnique, isKnown } from './private/validation';

/**
 * Properties of a `TransmissionSiteClients`.
 */
export interface TransmissionSiteClientsProps {
  /**
   * The site's name: its clients' folders are `certs/transmission/SITE/NAME/`, and their READMEs name it.
   * 1 to 32 letters, digits, - and _.
   */
  readonly site: string;

  /**
   * The names of the site's MQTT Transmission clients, each the construct id of its certificate (a Terraform
   * address) and its folder. 1 to 64 letters, digits, - and _; unique.
   * @default []
   */
  readonly transmissionClients?: string[];

  /**
   * The CA that signs the clients: the site's own CA, or the Transmission CA. In a site's own stack, an `ExternalCa`
   * with `keyVariable`, so that no state or plan of the site holds the CA key.
   */
  readonly issuer: ICertificateAuthority;

  /**
   * The CAs the clients trust to verify the servers, with their chains: every client's `ca.pem`.
   * @default - the root of the issuer's chain
   */
  readonly trustedCas?: ICertificateAuthority[];

  /**
   * The servers, in the order clients try them: their names give the server URLs in each README.
   * @default [] - the README says to use a name in the server's certificate
   */
  readonly servers?: IServerEndpoint[];

  /** The PKI's output directory (absolute): the clients write under its `certs/transmission/SITE/`. */
  readonly outputDirectory: string;

  /**
   * The organization (O) in each client's subject.
   * @default "Chariot TLS"
   */
  readonly organization?: string;

  /**
   * The two-letter country code (C) in each client's subject.
   * @default - none
   */
  readonly country?: string;

  /**
   * The clients' keys.
   * @default - RSA 2048
   */
  readonly key?: KeyOptions;

  /**
   * How long each client certificate is valid, in hours.
   * @default 17520 (2 years)
   */
  readonly validityPeriodHours?: number;

  /**
   * Hours before expiry at which a deploy re-issues a client certificate.
   * @default 1440 (60 days)
   */
  readonly earlyRenewalHours?: number;

  /**
   * Writes every client's `private.key` encrypted (by the ready app, not the engine).
   * @default - unencrypted
   */
  readonly encryptedKeyFile?: EncryptedKeyFile;
}

/**
 * The MQTT Transmission clients of one site, each with its files and README: what a `ChariotPki` builds under
 * `sites/SITE/clients`, and what a site's own stack builds from inputs alone (its CAs imported as certificates, the
 * servers as data), at the same construct path and so at the same Terraform addresses.
 */
export class TransmissionSiteClients extends Construct {
  /** The site's name. */
  public readonly site: string;
  /** The client certificates, in the order given. */
  public readonly transmissionClients: ClientCert[];

  constructor(scope: Construct, id: string, props: TransmissionSiteClientsProps) {
    super(scope, id);
    const names = props.transmissionClients ?? [];
    checkProps(this, props.site, names);
    this.site = props.site;
    this.transmissionClients = names.map((name) => new ClientCert(this, name, {
      key: props.key,
      validityPeriodHours: props.validityPeriodHours,
      earlyRenewalHours: props.earlyRenewalHours,
      product: MQTT_TRANSMISSION,
      issuer: props.issuer,
      site: props.site,
      encryptedKeyFile: props.encryptedKeyFile,
      subject: { commonName: name, organization: props.organization ?? DEFAULT_ORGANIZATION, organizationalUnit: 'transmission', country: props.country },
      trustedCas: props.trustedCas,
      outputDirectory: path.join(props.outputDirectory, 'certs', 'transmission', props.site, name),
    }));
    // Each certificate's folder is its upload folder; the README says what goes where.
    for (const cert of this.transmissionClients) new UploadReadme(cert, 'readme', { certificate: cert, servers: props.servers ?? [] });
  }
}

/** The site and client names become folders and construct ids: one safe path segment each. */
function checkProps(scope: Construct, site: string, names: string[]): void {
  const problems = new Problems(scope);
  if (isKnown(site) && !SITE_NAME.test(site)) {
    problems.add('site', site, 'is not a safe site name (it becomes a folder and a Terraform address)', 'use 1 to 32 letters, digits, - and _, starting with a letter or digit');
  }
  names.forEach((name, i) => {
    if (isKnown(name) && !NAME.test(name)) {
      problems.add(`transmissionClients[${i}]`, name, 'is not a safe directory name (it would be written outside its folder or is empty)', 'use 1 to 64 letters, digits, - and _, starting with a letter or digit');
    }
  });
  checkUnique(problems, 'transmissionClients', names, 'client name', 'give each client a unique name');
  problems.throwIfAny();
}
