/**
 * Where the CA keys live, with real deploys: each CA key is in the state once, however many certificates it
 * signed, since every key reaches the tls resources write-only; and a PKI deployed before that loses its key
 * copies on its next deploy without a single certificate, key or file changing.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Deployment } from './helpers/deployment';
import { output, runEngine } from './helpers/secrets';

jest.setTimeout(20 * 60_000);

// 2048-bit CAs: these tests are about where keys go, not about their size.
const CONFIG = { caRsaBits: 2048, engineClients: ['engine'] };
const clients = (n: number) => ({ ...CONFIG, transmissionClients: Array.from({ length: n }, (_, i) => `edge-${i + 1}`) });
const CAS = ['root-ca', 'server-ca', 'engine-ca', 'transmission-ca'];

const readState = (pki: Deployment) => fs.readFileSync(path.join(pki.dir, 'terraform.tfstate'), 'utf8');

/**
 * How often each CA key occurs in a state file, by CA id, in either of the encodings the state holds (PKCS#1
 * and PKCS#8): the count of one full base64 line from the middle of each. The key is taken from its own
 * `tls_private_key`, so 1 is the least there can be while the state holds the key at all.
 */
function caKeyCopies(stateText: string): Record<string, { pkcs1: number; pkcs8: number }> {
  const keys = JSON.parse(stateText).resources.filter((r: any) => r.type === 'tls_private_key');
  const count = (pem: string) => {
    const lines = pem.split('\n').filter((line) => line.length === 64);
    return stateText.split(lines[Math.floor(lines.length / 2)]).length - 1;
  };
  return Object.fromEntries(CAS.map((ca) => {
    const key = keys.find((r: any) => r.name.startsWith(`pki_${ca}_key_`)).instances[0].attributes;
    return [ca, { pkcs1: count(key.private_key_pem), pkcs8: count(key.private_key_pem_pkcs8) }];
  }));
}

const ONCE = Object.fromEntries(CAS.map((ca) => [ca, { pkcs1: 1, pkcs8: 1 }]));

/** SHA-256 of every file under `pki/`, by path (but the output directory's .gitignore and PKI-OWNER.json, which the deploy adds). */
function fileHashes(pki: Deployment): Record<string, string> {
  return Object.fromEntries(pki.files().filter((f) => f !== '.gitignore' && f !== 'PKI-OWNER.json').map((f) => [f, createHash('sha256').update(fs.readFileSync(pki.file(f))).digest('hex')]));
}

/** The id of every resource instance in the state (for certificates, the serial number), by address. */
function stateIds(stateText: string): Record<string, string> {
  return Object.fromEntries(JSON.parse(stateText).resources.map((r: any) => [`${r.type}.${r.name}`, r.instances[0].attributes.id]));
}

/**
 * The synthesized stack as the versions before write-only keys wrote it: each key in the plain attribute
 * (`private_key_pem`, `ca_private_key_pem`), which keeps a copy in the resource's state.
 */
function withKeyCopies(synthesized: any): any {
  for (const blocks of Object.values<any>(synthesized.resource)) {
    for (const block of Object.values<any>(blocks)) {
      for (const attribute of ['private_key_pem', 'ca_private_key_pem']) {
        if (block[`${attribute}_wo`] === undefined) continue;
        block[attribute] = block[`${attribute}_wo`];
        delete block[`${attribute}_wo`];
        delete block[`${attribute}_wo_version`];
      }
    }
  }
  return synthesized;
}

describe('a new PKI', () => {
  const pki = Deployment.create(clients(5));
  let copies5: ReturnType<typeof caKeyCopies>;
  let copies25: ReturnType<typeof caKeyCopies>;

  beforeAll(() => {
    pki.deploy();
    copies5 = caKeyCopies(readState(pki));
    pki.configure(clients(25));
    pki.deploy();
    copies25 = caKeyCopies(readState(pki));
  });

  test('holds each CA key once in the state, with 5 Transmission clients', () => {
    expect(copies5).toEqual(ONCE);
  });

  test('still once with 25: the count does not grow with the number of clients', () => {
    expect(copies25).toEqual(ONCE);
  });
});

describe('a PKI deployed before keys were handed over write-only', () => {
  const pki = Deployment.create(clients(25));
  let before: { copies: ReturnType<typeof caKeyCopies>; files: Record<string, string>; ids: Record<string, string> };
  let pending: string;
  let upgraded: string;

  beforeAll(() => {
    // The plan synthesizes and initialises the stack; the engine then applies it as the earlier versions wrote it.
    pki.plan();
    const file = path.join(pki.stackDir, 'cdk.tf.json');
    fs.writeFileSync(file, JSON.stringify(withKeyCopies(JSON.parse(fs.readFileSync(file, 'utf8')))));
    runEngine(pki.stackDir, ['apply', '-input=false', '-no-color', '-auto-approve']);
    const state = readState(pki);
    before = { copies: caKeyCopies(state), files: fileHashes(pki), ids: stateIds(state) };
    pending = output(pki.plan());
    upgraded = output(pki.deploy());
  });

  test('held a copy of a CA key per certificate it signed (what this removes)', () => {
    // The Transmission CA signed 25 certificates; its key was in its CSR too.
    expect(before.copies['transmission-ca'].pkcs1).toBe(1 + 1 + 25);
    expect(before.copies['root-ca'].pkcs1).toBe(1 + 1 + 3);
  });

  test('a plan says the next deploy removes the copies and re-signs nothing', () => {
    expect(pending).toMatch(/show as replaced only because the state still holds a copy of their key/);
  });

  test('the next deploy removes every copy: each CA key is in the state once', () => {
    expect(upgraded).toMatch(/removed them without re-signing anything/);
    expect(caKeyCopies(readState(pki))).toEqual(ONCE);
  });

  test('and changes no key, certificate or file; the driver only adds what an earlier version did not write', () => {
    const after = fileHashes(pki);
    expect(Object.fromEntries(Object.keys(before.files).map((f) => [f, after[f]]))).toEqual(before.files);
    // The output directory's .gitignore, its PKI-OWNER.json and the CRLs are written by the deploy driver, not by the engine's apply above.
    expect(Object.keys(after).filter((f) => !(f in before.files)).filter((f) => f !== '.gitignore' && f !== 'PKI-OWNER.json' && !/(^|[./])crl\.pem$/.test(f))).toEqual([]);
    expect(stateIds(readState(pki))).toEqual(before.ids);
  });

  test('after which a deploy has nothing to do', () => {
    pki.deploy();
    expect(pki.engineLog('deploy')).toMatch(/No changes\./);
  });
});
