import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChariotPki, PkiInventory } from '../lib';
import { changedFiles, fileDigests, firstWrittenFiles, handOuts } from '../app/hand-outs';
import { removeEmptyFolders } from '../app/output-directory';
import { synth } from './helpers/synth';
import { THIRD_PARTY_BROKER } from '../lib/products/third-party-broker';

const GATEWAYS = Array.from({ length: 13 }, (_, i) => `gw-${String(i + 1).padStart(2, '0')}`);

/** Chariot, two MQTT Engine clients, 13 Transmission gateways and a site of two. */
function inventoryOf(dir = '/srv/pki'): PkiInventory {
  let inventory: PkiInventory | undefined;
  synth((scope) => {
    inventory = PkiInventory.of(new ChariotPki(scope, 'pki', {
      outputDirectory: dir, server: { dnsNames: ['chariot.example.com'] }, engineClients: ['engine-a', 'engine-b'],
      transmissionClients: GATEWAYS, sites: { north: { transmissionClients: ['n-1', 'n-2'] } },
    }));
  });
  return inventory!;
}

const inventory = inventoryOf();
const gatewayFiles = (file: string) => GATEWAYS.map((g) => `certs/transmission/${g}/${file}`);

describe('what to hand out after a deploy', () => {
  test('nothing changed: nothing to hand out', () => {
    expect(handOuts(inventory, new Set())).toEqual([]);
  });

  test("a new client CA (rotation step 1): Chariot's client trust store first, then the clients' CA files", () => {
    const changed = new Set(['certs/server/client-ca.pem', 'certs/engine/engine-a/ca.pem', 'certs/engine/engine-b/ca.pem', 'ca/engine/engine-ca-g2.crt']);
    expect(handOuts(inventory, changed)).toEqual([
      '1. upload certs/server/client-ca.pem to Chariot (client trust store) before the next step; a Mosquitto server: restart it',
      '2. give ca.pem (CA Certificate File) to these 2 MQTT Engine clients in certs/engine/: engine-a, engine-b before the next step',
    ]);
  });

  test('re-issued certificates (rotation step 2): the server in the order of its upload screen, then the gateways together', () => {
    const changed = new Set(['certs/server/server.crt', 'certs/server/ca-chain.pem', 'certs/server/fullchain.pem', 'certs/server/README.txt', ...gatewayFiles('cert.pem'), ...gatewayFiles('README.txt')]);
    expect(handOuts(inventory, changed)).toEqual([
      '1. upload certs/server/server.crt, certs/server/ca-chain.pem to Chariot (Server Certificate, Root CA Chain)',
      `2. give cert.pem (Client Certificate File) to these 13 MQTT Transmission clients in certs/transmission/: ${GATEWAYS.join(', ')}`,
    ]);
  });

  test('clients that get other files are named apart; a long list is cut at the limit', () => {
    const changed = new Set([...gatewayFiles('cert.pem'), 'certs/transmission/gw-01/private.key', 'certs/transmission/north/n-1/cert.pem']);
    expect(handOuts(inventory, changed, { listLimit: 3 })).toEqual([
      '1. give cert.pem (Client Certificate File) to these 13 MQTT Transmission clients in certs/transmission/: north/n-1, gw-02, gw-03, ... and 10 more',
      '2. give cert.pem (Client Certificate File), private.key (Client Private Key File) to the MQTT Transmission client in certs/transmission/: gw-01',
    ]);
  });

  test('a first deploy hands out everything, trust stores first, with no rotation wording: there is no next step', () => {
    const everything = new Set(inventory.certificates.flatMap((c) => c.files.map((f) => f.path)));
    const lines = handOuts(inventory, everything, { firstWritten: everything });
    expect(lines[0]).toBe('1. upload certs/server/client-ca.pem to Chariot (client trust store)');
    expect(lines[1]).toBe('2. give ca.pem (CA Certificate File) to these 2 MQTT Engine clients in certs/engine/: engine-a, engine-b');
    expect(lines[3]).toBe('4. upload certs/server/server.key, certs/server/server.crt, certs/server/ca-chain.pem to Chariot (Private Key, Server Certificate, Root CA Chain)');
    expect(lines).toHaveLength(6);
    expect(lines.join('\n')).not.toMatch(/next step|restart/);
  });

  test('a new client beside a rotation step: the replaced trust stores keep "before the next step", the new client\'s ca.pem does not', () => {
    const changed = new Set(['certs/server/client-ca.pem', 'certs/engine/engine-a/ca.pem', 'certs/transmission/gw-13/ca.pem', 'certs/transmission/gw-13/cert.pem']);
    const firstWritten = new Set(['certs/transmission/gw-13/ca.pem', 'certs/transmission/gw-13/cert.pem']);
    expect(handOuts(inventory, changed, { firstWritten })).toEqual([
      '1. upload certs/server/client-ca.pem to Chariot (client trust store) before the next step; a Mosquitto server: restart it',
      '2. give ca.pem (CA Certificate File) to the MQTT Engine client in certs/engine/: engine-a before the next step',
      '3. give ca.pem (CA Certificate File) to the MQTT Transmission client in certs/transmission/: gw-13',
      '4. give cert.pem (Client Certificate File) to the MQTT Transmission client in certs/transmission/: gw-13',
    ]);
  });
});

describe("Chariot's client trust store as a Java key store", () => {
  test('a rewritten client-truststore.p12 is what Chariot gets, in place of client-ca.pem', () => {
    const changed = new Set(['certs/server/client-ca.pem', 'certs/server/client-truststore.p12', 'certs/engine/engine-a/ca.pem']);
    expect(handOuts(inventory, changed)[0]).toBe('1. upload certs/server/client-truststore.p12 to Chariot (client trust store) before the next step; a Mosquitto server: restart it');
  });

  test('a rewritten client-truststore.p12 alone (a new password) is handed out too', () => {
    expect(handOuts(inventory, new Set(['certs/server/client-truststore.p12']))).toEqual([
      '1. upload certs/server/client-truststore.p12 to Chariot (client trust store) before the next step; a Mosquitto server: restart it',
    ]);
  });

  test('one written for the first time (PKCS#12 output just turned on) replaces none in use: no next step to wait for', () => {
    const p12 = new Set(['certs/server/client-truststore.p12']);
    expect(handOuts(inventory, p12, { firstWritten: p12 })).toEqual(['1. upload certs/server/client-truststore.p12 to Chariot (client trust store)']);
  });

  test('a broker whose trust store is not a Java one gets client-ca.pem, whatever the .p12 beside it', () => {
    let broker: PkiInventory | undefined;
    synth((scope) => {
      broker = PkiInventory.of(new ChariotPki(scope, 'pki', {
        outputDirectory: '/srv/pki', engineClients: ['engine-a'], servers: [{ name: 'broker', dnsNames: ['broker.example.com'], product: THIRD_PARTY_BROKER }],
      }));
    });
    const changed = new Set(['certs/servers/broker/client-ca.pem', 'certs/servers/broker/client-truststore.p12']);
    expect(handOuts(broker!, changed)).toEqual(['1. upload certs/servers/broker/client-ca.pem to the broker (cafile) before the next step; a Mosquitto server: restart it']);
  });
});

describe('which files a deploy changed', () => {
  test('by content: written, rewritten with other bytes; not rewritten with the same bytes, not removed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-handouts-'));
    const at = inventoryOf(dir);
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    };
    write('certs/server/server.crt', 'a');
    write('certs/server/ca-chain.pem', 'b');
    write('certs/server/fullchain.pem', 'c');
    const before = fileDigests(at, dir);
    write('certs/server/server.crt', 'a2');
    write('certs/server/ca-chain.pem', 'b');
    fs.rmSync(path.join(dir, 'certs/server/fullchain.pem'));
    write('certs/server/client-ca.pem', 'd');
    const changed = changedFiles(before, fileDigests(at, dir));
    expect([...changed].sort()).toEqual(['certs/server/client-ca.pem', 'certs/server/server.crt']);
    expect([...firstWrittenFiles(before, changed)]).toEqual(['certs/server/client-ca.pem']);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('a removed client leaves no folder', () => {
  const tree = (files: string[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-folders-'));
    for (const f of files) {
      if (f.endsWith('/')) {
        fs.mkdirSync(path.join(dir, f), { recursive: true });
      } else {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.writeFileSync(path.join(dir, f), 'x');
      }
    }
    return dir;
  };

  test('empty folders go, deepest first (a site without clients too); folders with files and the output directory stay', () => {
    const dir = tree(['certs/server/server.crt', 'certs/transmission/gw-01/', 'certs/transmission/north/n-1/', 'certs/engine/e/cert.pem']);
    expect(removeEmptyFolders(dir).sort()).toEqual(['certs/transmission', 'certs/transmission/gw-01', 'certs/transmission/north', 'certs/transmission/north/n-1']);
    expect(fs.readdirSync(path.join(dir, 'certs')).sort()).toEqual(['engine', 'server']);
    const empty = tree([]);
    expect(removeEmptyFolders(empty)).toEqual([]);
    expect(fs.existsSync(empty)).toBe(true);
  });
});
