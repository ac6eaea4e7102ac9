/**
 * Sites in their own state (`siteStates`) under an enterprise root (`externalRoot`), on real deploys: the first
 * deploy writes the requests and issues nothing; once the enterprise CA has signed them, each site's stack is
 * synthesized with the enterprise chain as the configuration gives it, and its clients verify up to the enterprise
 * root. A further deploy changes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnterpriseCa, enterpriseCa } from '../helpers/enterprise-ca';
import { Deployment } from './helpers/deployment';
import { RunResult } from './helpers/run';
import { SITES, SITE_STATES_CONFIG } from './helpers/site-states';
import { opensslVerify } from './helpers/verify';

jest.setTimeout(20 * 60_000);

// Both sites signed by the Transmission CA: a site CA created after the first deploy under an enterprise root is
// refused by the lost state guard (ca/ca.crt is on disk, and no CA of ours is in the state), with or without siteStates.
const CONFIG = {
  ...SITE_STATES_CONFIG,
  sites: { baltic: { transmissionClients: SITES.baltic }, 'north-sea': { transmissionClients: SITES['north-sea'] } },
  externalRoot: { certFile: 'enterprise/root.pem', intermediateFiles: ['enterprise/issuing.pem'] },
};
const SITE_CLIENTS = Object.entries(SITES).flatMap(([site, names]) => names.map((name) => `${site}/${name}`));

let enterprise: EnterpriseCa;
let pki: Deployment;
let first: RunResult;
let second: RunResult;
let third: RunResult;

beforeAll(() => {
  enterprise = enterpriseCa('Sites Test Enterprise');
  pki = Deployment.create(CONFIG);
  enterprise.handTo(pki.dir);
  first = pki.deploy();
  for (const kind of ['server', 'engine', 'transmission']) {
    fs.writeFileSync(path.join(pki.dir, 'enterprise', `${kind}-ca.crt`), enterprise.sign(pki.file(`ca/${kind}/${kind}-ca.csr`)));
  }
  second = pki.deploy();
  third = pki.deploy();
});

afterAll(() => {
  enterprise.remove();
  fs.rmSync(pki.dir, { recursive: true, force: true });
});

describe('sites in their own state under an enterprise root', () => {
  test('the first deploy waits for the enterprise CA and issues no site client', () => {
    expect(first.stdout).toContain('chariot-tls: waiting for the enterprise CA: 3 certificate signing requests to sign.');
    expect(first.stdout).not.toContain('(its own state)');
    expect(first.stdout).not.toMatch(/pki\/sites\/[^/]+\/clients\//);
  });

  test('once signed, every site client verifies up to the enterprise root, through the Transmission CA', () => {
    const chain = path.join(pki.dir, 'chain.pem');
    fs.writeFileSync(chain, `${pki.read('certs/server/client-ca.pem')}${fs.readFileSync(path.join(pki.dir, 'enterprise', 'issuing.pem'), 'utf8')}`);
    for (const client of SITE_CLIENTS) {
      const result = opensslVerify('sslclient', path.join(pki.dir, 'enterprise', 'root.pem'), pki.file(`certs/transmission/${client}/cert.pem`), chain);
      expect({ client, status: result.status, out: result.stdout }).toEqual({ client, status: 0, out: expect.stringContaining(': OK') });
    }
    expect(fs.existsSync(path.join(pki.dir, 'terraform.sites', 'baltic.tfstate'))).toBe(true);
    for (const site of Object.keys(SITES)) expect(second.stdout).toMatch(new RegExp(`^chariot-tls: site ${site} \\(its own state\\):\nCertificates: 2 created`, 'm'));
  });

  test('a further deploy changes nothing', () => {
    expect(third.stdout).toMatch(/^Certificates: no change\.$/m);
  });
});
