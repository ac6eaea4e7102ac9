import { TerraformStack, Testing } from 'cdktf';
import { ChariotPki, ChariotPkiProps, PkiInventory, PreviousGeneration } from '../lib';
import { synth } from './helpers/synth';

const OUT = '/srv/pki';
const flat: ChariotPkiProps = { outputDirectory: OUT, server: { dnsNames: ['localhost'] }, engineClients: ['engine'], transmissionClients: ['edge-1', 'edge-2'] };
const withSites: ChariotPkiProps = {
  ...flat,
  sites: {
    'north-sea': { transmissionClients: ['ns-1', 'ns-2'], issuingCa: true },
    baltic: { transmissionClients: ['bt-1'] },
  },
};

const inStack = (props: ChariotPkiProps) => new ChariotPki(new TerraformStack(Testing.app(), 'test'), 'pki', props);
const build = (props: ChariotPkiProps) => synth((scope) => new ChariotPki(scope, 'pki', props));
const addresses = (props: ChariotPkiProps) => build(props).resources().map((r) => r.address);
const errorOf = (props: ChariotPkiProps) => {
  try {
    build(props);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
};

describe('ChariotPki sites', () => {
  const stack = build(withSites);

  test('adding sites keeps every address of the flat hierarchy (no key is replaced)', () => {
    const before = addresses(flat);
    // Only the Transmission CA's certificate changes (path length 1, same key): the addresses are the same.
    expect(addresses(withSites)).toEqual(expect.arrayContaining(before));
  });

  test('a site client lives at pki/sites/SITE/clients/NAME and writes certs/transmission/SITE/NAME/', () => {
    expect(stack.resource('tls_cert_request', 'sites/baltic/clients/bt-1/csr').props.subject).toEqual([{ common_name: 'bt-1', organization: 'Chariot TLS', organizational_unit: 'transmission' }]);
    expect(stack.resource('local_file', 'sites/baltic/clients/bt-1/cert-file').props.filename).toBe(`${OUT}/certs/transmission/baltic/bt-1/cert.pem`);
    expect(stack.resource('local_sensitive_file', 'sites/baltic/clients/bt-1/key-file').props.filename).toBe(`${OUT}/certs/transmission/baltic/bt-1/private.key`);
  });

  test('a site without its own CA is signed by the Transmission CA', () => {
    expect(stack.resource('tls_locally_signed_cert', 'sites/baltic/clients/bt-1/cert').props.ca_cert_pem).toBe(stack.ref('tls_locally_signed_cert', 'transmission-ca/cert', 'cert_pem'));
  });

  test('a site with issuingCa gets "SITE Transmission CA" (path length 0) under the Transmission CA, which signs its clients', () => {
    expect(stack.resource('tls_locally_signed_cert', 'sites/north-sea/ca/cert').props).toMatchObject({
      ca_cert_pem: stack.ref('tls_locally_signed_cert', 'transmission-ca/cert', 'cert_pem'), is_ca_certificate: true, max_path_length: 0,
    });
    expect(stack.resource('tls_cert_request', 'sites/north-sea/ca/csr').props.subject[0].common_name).toBe('north-sea Transmission CA');
    expect(stack.resource('tls_locally_signed_cert', 'sites/north-sea/clients/ns-1/cert').props.ca_cert_pem).toBe(stack.ref('tls_locally_signed_cert', 'sites/north-sea/ca/cert', 'cert_pem'));
    expect(stack.resource('local_file', 'sites/north-sea/ca/cert-file').props.filename).toBe(`${OUT}/ca/transmission/north-sea/site-ca.crt`);
  });

  test('the Transmission CA gets path length 1 once a site has its own CA, and keeps 0 otherwise', () => {
    expect(stack.resource('tls_locally_signed_cert', 'transmission-ca/cert').props.max_path_length).toBe(1);
    const noSiteCa = build({ ...flat, sites: { baltic: { transmissionClients: ['bt-1'] } } });
    expect(noSiteCa.resource('tls_locally_signed_cert', 'transmission-ca/cert').props.max_path_length).toBe(0);
    expect(stack.resource('tls_locally_signed_cert', 'engine-ca/cert').props.max_path_length).toBe(0);
  });

  test('the server trusts each site CA beside the Transmission CA', () => {
    const pem = (p: string) => stack.ref('tls_locally_signed_cert', p, 'cert_pem');
    expect(stack.resource('local_file', 'server/client-ca-file').props.content).toBe(
      `${pem('sites/north-sea/ca/cert')}${pem('engine-ca/cert')}${pem('transmission-ca/cert')}${stack.ref('tls_self_signed_cert', 'root-ca/cert', 'cert_pem')}`,
    );
  });

  test("a site client's README names its site and its signing CA", () => {
    const readme = stack.resource('local_file', 'sites/north-sea/clients/ns-1/readme/file').props.content as string;
    expect(readme).toContain('Site: north-sea; signed by north-sea Transmission CA.');
    expect(stack.resource('local_file', 'transmission/edge-1/readme/file').props.content).not.toContain('Site:');
  });

  test('sites are listed by name, each with its CA and clients', () => {
    const pki = inStack(withSites);
    expect(pki.sites.map((s) => [s.name, s.issuingCa?.commonName, s.transmissionClients.map((c) => c.commonName)])).toEqual([
      ['baltic', undefined, ['bt-1']],
      ['north-sea', 'north-sea Transmission CA', ['ns-1', 'ns-2']],
    ]);
    expect(pki.transmissionClients.map((c) => c.commonName)).toEqual(['edge-1', 'edge-2']);
  });
});

describe('the inventory of sites', () => {
  const pki = inStack(withSites);
  const inventory = PkiInventory.of(pki);

  test('names the site of each site CA and site client, and no site elsewhere', () => {
    const site = (p: string) => inventory.certificates.find((c) => c.constructPath === `test/pki/${p}`)!.site;
    expect([site('sites/north-sea/ca'), site('sites/north-sea/clients/ns-1'), site('sites/baltic/clients/bt-1'), site('transmission/edge-1'), site('transmission-ca')])
      .toEqual(['north-sea', 'north-sea', 'baltic', undefined, undefined]);
    expect(inventory.toJson().certificates.find((c: any) => c.constructPath === 'test/pki/transmission/edge-1').site).toBeNull();
  });

  test('the Markdown has one line per site, and one for the flat list', () => {
    expect(inventory.toMarkdown()).toContain([
      '## Sites',
      '',
      '- **baltic**: 1 client, signed by Chariot TLS Transmission CA',
      '- **north-sea**: 2 clients, its own issuing CA, north-sea Transmission CA',
      '- no site (`transmissionClients`): 2 clients, signed by Chariot TLS Transmission CA',
      '',
    ].join('\n'));
  });

  test('the Markdown leaves the flat list out when it is empty', () => {
    const markdown = PkiInventory.of(inStack({ ...withSites, transmissionClients: [] })).toMarkdown();
    expect(markdown).toContain('north-sea Transmission CA\n\n## Certificates');
    expect(markdown).not.toContain('no site');
  });

  test('the JSON sums up each site: its clients, its own CA and the CA that signs them', () => {
    expect(inventory.toJson().sites).toEqual([
      { name: 'baltic', clients: 1, issuingCa: null, signedBy: 'Chariot TLS Transmission CA' },
      { name: 'north-sea', clients: 2, issuingCa: { constructPath: 'test/pki/sites/north-sea/ca', commonName: 'north-sea Transmission CA' }, signedBy: 'north-sea Transmission CA' },
    ]);
  });

  test('lists each site CA with its clients right below it, depth first, siblings by construct path; the outline indents them a level more', () => {
    const reordered = PkiInventory.of(inStack({ ...withSites, transmissionClients: ['edge-2', 'edge-1'], sites: { ...withSites.sites, 'north-sea': { transmissionClients: ['ns-2', 'ns-1'], issuingCa: true } } }));
    expect(reordered.toMarkdown()).toBe(inventory.toMarkdown());
    const paths = inventory.certificates.map((c) => c.constructPath.replace('test/pki/', ''));
    const below = paths.slice(paths.indexOf('transmission-ca'));
    expect(below).toEqual(['transmission-ca', 'sites/baltic/clients/bt-1', 'sites/north-sea/ca', 'sites/north-sea/clients/ns-1', 'sites/north-sea/clients/ns-2', 'transmission/edge-1', 'transmission/edge-2']);
    expect(inventory.toMarkdown()).toContain([
      '  - **Chariot TLS Transmission CA**: intermediate CA (`test/pki/transmission-ca`)',
      '    - **bt-1**: client, MQTT Transmission (`test/pki/sites/baltic/clients/bt-1`)',
      '    - **north-sea Transmission CA**: intermediate CA (`test/pki/sites/north-sea/ca`)',
      '      - **ns-1**: client, MQTT Transmission (`test/pki/sites/north-sea/clients/ns-1`)',
      '      - **ns-2**: client, MQTT Transmission (`test/pki/sites/north-sea/clients/ns-2`)',
      '    - **edge-1**: client, MQTT Transmission (`test/pki/transmission/edge-1`)',
    ].join('\n'));
  });

  test('the JSON of a hierarchy without sites has an empty list of them', () => {
    expect(PkiInventory.of(inStack(flat)).toJson().sites).toEqual([]);
    expect(PkiInventory.of(inStack(flat)).toMarkdown()).not.toContain('## Sites');
  });
});

describe('rotating a site CA alone', () => {
  const rotation = (previous: PreviousGeneration): ChariotPkiProps => ({
    ...withSites,
    sites: { ...withSites.sites, 'north-sea': { ...withSites.sites!['north-sea'], caGeneration: { generation: 2, previous } } },
  });
  const signer = (stack: ReturnType<typeof build>, client: string) => stack.resource('tls_locally_signed_cert', `${client}/cert`).props.ca_cert_pem;
  const pem = (stack: ReturnType<typeof build>, p: string) => stack.ref('tls_locally_signed_cert', p, 'cert_pem');

  test('step 1, "issuing": generation 2 is created beside the site CA (sites/SITE/ca-g2, "SITE Transmission CA G2", site-ca-g2.crt); the old one still signs', () => {
    const stack = build(rotation(PreviousGeneration.ISSUING));
    expect(stack.resource('tls_cert_request', 'sites/north-sea/ca-g2/csr').props.subject[0].common_name).toBe('north-sea Transmission CA G2');
    expect(stack.resource('local_file', 'sites/north-sea/ca-g2/cert-file').props.filename).toBe(`${OUT}/ca/transmission/north-sea/site-ca-g2.crt`);
    expect(stack.resource('tls_locally_signed_cert', 'sites/north-sea/ca-g2/cert').props).toMatchObject({ ca_cert_pem: pem(stack, 'transmission-ca/cert'), max_path_length: 0 });
    expect(signer(stack, 'sites/north-sea/clients/ns-1')).toBe(pem(stack, 'sites/north-sea/ca/cert'));
  });

  test.each([PreviousGeneration.ISSUING, PreviousGeneration.TRUSTED])('with previous "%s" the server trusts both generations of the site CA', (step) => {
    const stack = build(rotation(step));
    const content = stack.resource('local_file', 'server/client-ca-file').props.content as string;
    expect(content).toContain(pem(stack, 'sites/north-sea/ca/cert'));
    expect(content).toContain(pem(stack, 'sites/north-sea/ca-g2/cert'));
  });

  test('step 2, "trusted": generation 2 signs the site\'s clients; other sites and the flat list keep their signer', () => {
    const stack = build(rotation(PreviousGeneration.TRUSTED));
    expect(signer(stack, 'sites/north-sea/clients/ns-1')).toBe(pem(stack, 'sites/north-sea/ca-g2/cert'));
    expect(signer(stack, 'sites/baltic/clients/bt-1')).toBe(pem(stack, 'transmission-ca/cert'));
    expect(signer(stack, 'transmission/edge-1')).toBe(pem(stack, 'transmission-ca/cert'));
    expect(stack.resource('local_file', 'sites/north-sea/clients/ns-1/readme/file').props.content).toContain('Site: north-sea; signed by north-sea Transmission CA G2.');
  });

  test('step 3, "retired": generation 1 of the site CA is gone; every other address stays', () => {
    const all = addresses(rotation(PreviousGeneration.RETIRED));
    const firstGeneration = (a: string) => a.includes('_sites_north-sea_ca_');
    expect(all.filter(firstGeneration)).toEqual([]);
    expect(all.filter((a) => a.includes('_sites_north-sea_ca-g2_'))).toHaveLength(4);
    expect(all).toEqual(expect.arrayContaining(addresses(withSites).filter((a) => !firstGeneration(a))));
  });

  test('a rotation changes no resource outside the site but the server\'s trust bundle', () => {
    const [before, after] = [build(withSites), build(rotation(PreviousGeneration.TRUSTED))];
    const changed = before.resources().filter((r) => JSON.stringify(after.resources().find((a) => a.address === r.address)?.props) !== JSON.stringify(r.props)).map((r) => r.address);
    expect(changed.filter((a) => !a.includes('north-sea'))).toEqual([expect.stringMatching(/server.*client-ca-file/)]);
  });

  test('the site lists both generations while they live, and its issuing one', () => {
    const site = inStack(rotation(PreviousGeneration.TRUSTED)).sites.find((s) => s.name === 'north-sea')!;
    expect(site.certificateAuthorities.map((ca) => ca.commonName)).toEqual(['north-sea Transmission CA', 'north-sea Transmission CA G2']);
    expect(site.issuingCa?.commonName).toBe('north-sea Transmission CA G2');
    expect(inStack(withSites).sites.find((s) => s.name === 'baltic')!.certificateAuthorities).toEqual([]);
  });

  test('the inventory names the site of both generations and sums the site up with the signing one', () => {
    const inventory = PkiInventory.of(inStack(rotation(PreviousGeneration.ISSUING)));
    expect(inventory.certificates.filter((c) => c.site === 'north-sea' && c.isCa).map((c) => c.subject.commonName)).toEqual(['north-sea Transmission CA', 'north-sea Transmission CA G2']);
    expect(inventory.toJson().sites[1]).toMatchObject({ name: 'north-sea', issuingCa: { commonName: 'north-sea Transmission CA' }, signedBy: 'north-sea Transmission CA' });
  });

  test('refuses caGeneration on a site without its own CA, and bad generations as caGenerations does', () => {
    expect(errorOf({ ...flat, sites: { baltic: { transmissionClients: ['bt-1'], caGeneration: { generation: 2, previous: PreviousGeneration.ISSUING } } } }))
      .toContain('sites.baltic.caGeneration {"generation":2,"previous":"issuing"} rotates a CA the site does not have (its clients are signed by the Transmission CA); set "issuingCa": true for site "baltic", or remove caGeneration');
    expect(errorOf({ ...flat, sites: { a: { issuingCa: true, caGeneration: { generation: 2 } } } })).toContain('sites.a.caGeneration.previous is missing at generation 2');
    expect(errorOf({ ...flat, sites: { a: { issuingCa: true, caGeneration: { generation: 0 } } } })).toContain('sites.a.caGeneration.generation 0 is not a whole number from 1 to 99');
  });
});

describe('site validation', () => {
  test.each(['../x', 'a b', '', 'x'.repeat(33)])('refuses the site name %j', (name) => {
    expect(errorOf({ ...flat, sites: { [name]: { transmissionClients: ['gw'] } } })).toContain(`sites ${JSON.stringify(name)} is not a safe site name`);
  });

  test('refuses a client in two sites, naming both', () => {
    const message = errorOf({ ...flat, sites: { a: { transmissionClients: ['gw'] }, b: { transmissionClients: ['gw'] } } });
    expect(message).toContain('sites.b.transmissionClients[0] "gw" is also in sites.a: a client belongs to one site; keep it in one place');
  });

  test('refuses a site client that is also in the flat list', () => {
    expect(errorOf({ ...flat, sites: { a: { transmissionClients: ['edge-1'] } } })).toContain('sites.a.transmissionClients[0] "edge-1" is also in transmissionClients');
  });

  test('refuses names that differ only in letter case', () => {
    const message = errorOf({ ...flat, sites: { a: { transmissionClients: ['GW', 'gw'] }, b: { transmissionClients: ['Edge-1'] }, A: {} } });
    expect(message).toContain('sites.a.transmissionClients[1] "gw" differs only in letter case from "GW" in the same site');
    expect(message).toContain('sites.b.transmissionClients[0] "Edge-1" differs only in letter case from "edge-1" in transmissionClients');
    expect(message).toContain('sites "A" would share its folder certs/transmission/A/ with site "a" (names are compared without letter case); rename the site');
  });

  test('refuses a site whose folder is a flat client\'s', () => {
    expect(errorOf({ ...flat, sites: { 'edge-2': { transmissionClients: ['gw'] } } })).toContain('sites "edge-2" would share its folder certs/transmission/edge-2/ with transmissionClients (client "edge-2")');
  });

  test('refuses a bad client name inside a site, with its field', () => {
    expect(errorOf({ ...flat, sites: { a: { transmissionClients: ['../x'] } } })).toContain('sites.a.transmissionClients[0] "../x" is not a safe directory name');
  });

  test('a hierarchy of sites alone is not empty', () => {
    expect(() => build({ outputDirectory: OUT, sites: { a: { transmissionClients: ['gw'] } } })).not.toThrow();
  });
});
