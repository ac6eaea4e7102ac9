/**
 * Acme Plants' PKI, built from the chariot-tls constructs rather than the ready-made ChariotPki:
 *
 *   Root CA (maxPathLength 2)
 *   ├── Server CA ─────────────────── chariot-a, chariot-b     (two Chariot servers, one CA)
 *   ├── Site A Transmission CA ────── site-a/edge-1..3         (MQTT Transmission clients)
 *   └── Site B CA (maxPathLength 1)                             (the second site's own CA)
 *       └── Site B Transmission CA ── site-b/edge-1..2
 *
 * Both servers accept the clients of both sites; every client trusts the Server CA.
 * Files go under `pki/` in the working directory (or $PKI_DIR): `cdktf synth` resolves the path.
 */
import * as path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ClientCert, DistinguishedName, ICertificateAuthority, IntermediateCa, RootCa, ServerCert } from 'chariot-tls';

const OUTPUT_DIRECTORY = path.resolve(process.env.PKI_DIR ?? 'pki');
const ORGANIZATION = 'Acme Plants';

const SERVERS: Record<string, string> = {
  'chariot-a': 'chariot-a.plants.example.com',
  'chariot-b': 'chariot-b.plants.example.com',
};
const SITE_A_GATEWAYS = ['edge-1', 'edge-2', 'edge-3'];
const SITE_B_GATEWAYS = ['edge-1', 'edge-2'];

function subject(commonName: string, organizationalUnit?: string): DistinguishedName {
  return { commonName, organization: ORGANIZATION, organizationalUnit, country: 'US' };
}

function file(...parts: string[]): string {
  return path.join(OUTPUT_DIRECTORY, ...parts);
}

class PlantsPki extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    // The root allows two CAs below it: Site B's CA and the Transmission CA that Site B's CA signs.
    const root = new RootCa(this, 'root-ca', {
      subject: subject('Acme Plants Root CA', 'CA'),
      maxPathLength: 2,
      certFile: file('ca', 'root-ca.crt'),
    });
    const serverCa = new IntermediateCa(this, 'server-ca', {
      issuer: root,
      subject: subject('Acme Plants Server CA', 'CA'),
      certFile: file('ca', 'server-ca.crt'),
    });
    const siteATransmissionCa = new IntermediateCa(this, 'site-a-transmission-ca', {
      issuer: root,
      subject: subject('Acme Plants Site A Transmission CA', 'CA'),
      certFile: file('ca', 'site-a-transmission-ca.crt'),
    });
    // Site B runs its own CA, which signs one more CA below it: maxPathLength 1 (the default 0 would be refused).
    const siteBCa = new IntermediateCa(this, 'site-b-ca', {
      issuer: root,
      subject: subject('Acme Plants Site B CA', 'CA'),
      maxPathLength: 1,
      certFile: file('ca', 'site-b-ca.crt'),
    });
    const siteBTransmissionCa = new IntermediateCa(this, 'site-b-transmission-ca', {
      issuer: siteBCa,
      subject: subject('Acme Plants Site B Transmission CA', 'CA'),
      validityPeriodHours: 26280, // 3 years: inside Site B's CA (5 years by default)
      certFile: file('ca', 'site-b-transmission-ca.crt'),
    });

    for (const [id, host] of Object.entries(SERVERS)) {
      new ServerCert(this, id, {
        issuer: serverCa,
        dnsNames: [host],
        trustedCas: [siteATransmissionCa, siteBTransmissionCa],
        outputDirectory: file('servers', id),
      });
    }
    this.gateways('site-a', siteATransmissionCa, SITE_A_GATEWAYS, serverCa);
    this.gateways('site-b', siteBTransmissionCa, SITE_B_GATEWAYS, serverCa);
  }

  /** One MQTT Transmission client certificate per gateway, under a construct per site (ids stay unique). */
  private gateways(site: string, issuer: ICertificateAuthority, names: string[], serverCa: ICertificateAuthority): void {
    const group = new Construct(this, site);
    for (const name of names) {
      new ClientCert(group, name, {
        issuer,
        subject: subject(`${site} ${name}`, 'Transmission'),
        trustedCas: [serverCa],
        outputDirectory: file(site, 'transmission', name),
      });
    }
  }
}

const app = new App();
new PlantsPki(app, 'plants-pki');
app.synth();
