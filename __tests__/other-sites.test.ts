import { Testing, TerraformStack } from 'cdktf';
import { ChariotPki, PkiInventory } from '../lib';
import { leftToOtherDeploys, otherSitesKeys } from '../app/other-sites';

const inventory = PkiInventory.of(new ChariotPki(new TerraformStack(Testing.app(), 'test'), 'pki', {
  outputDirectory: 'pki',
  server: { dnsNames: ['localhost'] },
  transmissionClients: ['edge-1'],
  sites: { baltic: { transmissionClients: ['bt-1'] }, 'north-sea': { transmissionClients: ['ns-1'], issuingCa: true } },
}));

describe('a deploy of some sites leaves the others to their own deploys', () => {
  test('the other sites\' clients, by construct path and file; not their CA (in the CAs\' stack), nor the flat list', () => {
    const keys = [...otherSitesKeys(inventory, ['baltic'])];
    expect(keys).toContain('test/pki/sites/north-sea/clients/ns-1');
    expect(keys).toContain('certs/transmission/north-sea/ns-1/cert.pem');
    expect(keys).toContain('certs/transmission/north-sea/ns-1/private.key');
    expect(keys.filter((k) => /baltic|edge-1|north-sea\/ca|north-sea-ca/.test(k))).toEqual([]);
  });

  test('a deploy of every site, or without siteStates, leaves nothing to others', () => {
    expect(otherSitesKeys(inventory, ['baltic', 'north-sea']).size).toBe(0);
    expect(otherSitesKeys(inventory, undefined).size).toBe(0);
  });

  test('what others changed while this deploy ran is, for its summary, as it is at its end: unchanged by it', () => {
    const before = new Map([['mine', 1], ['theirs', 1], ['theirs-gone', 1]]);
    const after = new Map([['mine', 2], ['theirs', 2], ['theirs-new', 1]]);
    expect(leftToOtherDeploys(before, after, new Set(['theirs', 'theirs-gone', 'theirs-new']))).toEqual(new Map([['mine', 1], ['theirs', 2], ['theirs-new', 1]]));
  });
});
