import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SiteFacts, mergeRecords, readRecords, recordFile, recordOf, whyPlan, writeRecords } from '../app/site-changes';
import { certificatePem, rsaKey } from './helpers/certificates';

const HOUR = 3_600_000;
let dir: string;
let site: SiteFacts & { synthesizedText: string; stateFile: string };
const notAfter = new Date(Date.now() + 1000 * HOUR);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-site-changes-'));
  const cert = path.join(dir, 'ns-1', 'cert.pem');
  const key = path.join(dir, 'ns-1', 'private.key');
  fs.mkdirSync(path.dirname(cert));
  fs.writeFileSync(cert, certificatePem({ commonName: 'ns-1', key: rsaKey(), notAfter }), { mode: 0o644 });
  fs.writeFileSync(key, 'key', { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'state'), '{"serial": 1}');
  site = {
    site: 'north-sea',
    inputs: 'digest-1',
    stateFile: path.join(dir, 'state'),
    synthesizedText: JSON.stringify({ resource: {
      tls_locally_signed_cert: { c: { early_renewal_hours: 100 } },
      local_file: { f: { filename: cert, content: '${tls_locally_signed_cert.c.cert_pem}' } },
      local_sensitive_file: { k: { filename: key } },
    } }),
  };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('which sites a deploy plans', () => {
  const now = new Date();

  test('a site just deployed, with nothing changed, is not planned', () => {
    expect(whyPlan(site, recordOf(site), now)).toBeUndefined();
  });

  test('a site never recorded is planned', () => {
    expect(whyPlan(site, undefined, now)).toBe('no record of a deploy');
  });

  test('a changed configuration is planned', () => {
    const record = recordOf(site);
    expect(whyPlan({ ...site, synthesizedText: site.synthesizedText.replace('100', '101') }, record, now)).toBe('its configuration changed');
  });

  test('before it is synthesized, a site is judged by what its stack is made from: the same, and nothing else changed, it is not synthesized', () => {
    const record = recordOf(site);
    const { synthesizedText, ...unsynthesized } = site;
    expect(whyPlan(unsynthesized, record, now)).toBeUndefined();
    expect(whyPlan({ ...unsynthesized, inputs: 'digest-2' }, record, now)).toBe('its configuration changed');
    fs.rmSync(path.join(dir, 'ns-1', 'private.key'));
    expect(whyPlan(unsynthesized, record, now)).toMatch(/private\.key is missing or changed$/);
  });

  test('once synthesized, the stack decides: other inputs (another version of the app) that make the same stack plan nothing', () => {
    const record = recordOf(site);
    expect(whyPlan({ ...site, inputs: 'digest-2' }, record, now)).toBeUndefined();
  });

  test('a site is planned from the moment its first certificate enters its renewal window (notAfter less early_renewal_hours)', () => {
    const record = recordOf(site);
    expect(Date.parse(record.renewAt)).toBe(Math.floor(notAfter.getTime() / 1000) * 1000 - 100 * HOUR);
    expect(whyPlan(site, record, new Date(Date.parse(record.renewAt) - 1000))).toBeUndefined();
    expect(whyPlan(site, record, new Date(record.renewAt))).toBe('a certificate is due for renewal');
  });

  test('a file deleted, edited or with another mode is planned, naming the file', () => {
    const key = path.join(dir, 'ns-1', 'private.key');
    const record = recordOf(site);
    fs.chmodSync(key, 0o644);
    expect(whyPlan(site, record, now)).toBe(`${key} is missing or changed`);
    fs.chmodSync(key, 0o600);
    fs.writeFileSync(key, 'edited');
    expect(whyPlan(site, record, now)).toBe(`${key} is missing or changed`);
    fs.rmSync(key);
    expect(whyPlan(site, record, now)).toBe(`${key} is missing or changed`);
  });

  test('a state file that is not the one the last deploy left is planned', () => {
    const record = recordOf(site);
    fs.writeFileSync(site.stateFile, '{"serial": 2}');
    expect(whyPlan(site, record, now)).toBe('its state file changed');
  });

  describe('a site in PostgreSQL', () => {
    const inPg = (pulledState?: string) => ({ site: site.site, inputs: site.inputs, synthesizedText: site.synthesizedText, pulledState });

    test('is not planned while its pulled state is the one its last deploy left', () => {
      expect(whyPlan(inPg('a1'), recordOf(inPg('a1')), now)).toBeUndefined();
    });

    test('is planned when its state changed elsewhere or its workspace went (another digest)', () => {
      expect(whyPlan(inPg('b2'), recordOf(inPg('a1')), now)).toBe('its state in PostgreSQL changed');
    });

    test('is planned when its state was not pulled, and is not recorded without it', () => {
      expect(whyPlan(inPg(), recordOf(inPg('a1')), now)).toBe('its state in PostgreSQL changed');
      expect(() => recordOf(inPg())).toThrow('site north-sea: its state was not read after its deploy, so its deploy is not recorded');
    });
  });

  test('the records survive a round trip; a missing or unreadable file is no records (every site planned)', () => {
    const file = recordFile(dir);
    expect(readRecords(file)).toEqual({});
    writeRecords(file, { 'north-sea': recordOf(site) });
    expect(whyPlan(site, readRecords(file)['north-sea'], now)).toBeUndefined();
    fs.writeFileSync(file, '{');
    expect(readRecords(file)).toEqual({});
  });
});

describe('merging a deploy\'s records into the file as it is now', () => {
  test('the records of sites another deploy wrote meanwhile are kept; this deploy\'s are set; a planned site that failed goes', () => {
    const file = recordFile(dir);
    const record = recordOf(site);
    writeRecords(file, { baltic: record, 'north-sea': record, gone: record });
    // Read before: another deploy has since written atlantic's record.
    writeRecords(file, { ...readRecords(file), atlantic: { ...record, digest: 'atlantic' } });
    mergeRecords(file, { configured: ['atlantic', 'baltic', 'north-sea'], forgotten: ['north-sea', 'baltic'], deployed: { baltic: { ...record, digest: 'new' } } });
    expect(readRecords(file)).toEqual({ atlantic: { ...record, digest: 'atlantic' }, baltic: { ...record, digest: 'new' } });
  });
});
