/**
 * The deploy's guards against lost or damaged files, unit by unit (the integration suite safety.test.ts deploys
 * for real): the lost state guard, the output and inventory folder rules, file modes after a umask 077 engine,
 * saved plans left by killed deploys, and damaged PEM files in the summary.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathProblems } from '../app/config-paths';
import { removeStalePlans } from '../app/engine';
import { ALLOW_NEW_PKI_ENV, ExistingPki, StateFileCondition, lostStateRefusal, pkiEvidence, stateFileCondition } from '../app/existing-pki';
import { applyDeclaredModes } from '../app/file-modes';
import { deployTargetProblems, keepOutOfGit } from '../app/output-directory';
import { CertificateChange } from '../app/certificate-change';
import { CertificateReview } from '../app/plan-review';

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-safety-'));
const write = (file: string, content = 'x') => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
};
const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

describe('pkiEvidence: the CA certificates that show a folder holds a PKI of ours', () => {
  test('every .crt under ca/, every generation; none in an empty or missing folder', () => {
    const dir = tmpDir();
    expect(pkiEvidence(dir)).toEqual([]);
    expect(pkiEvidence(path.join(dir, 'missing'))).toEqual([]);
    write(path.join(dir, 'ca/ca.crt'));
    write(path.join(dir, 'ca/ca-g2.crt'));
    write(path.join(dir, 'ca/server/server-ca.crt'));
    write(path.join(dir, 'certs/server/server.crt'));
    expect(pkiEvidence(dir)).toEqual(['ca/ca-g2.crt', 'ca/ca.crt', 'ca/server/server-ca.crt']);
  });
});

describe('stateFileCondition: a local state file before the engine reads it', () => {
  test.each([
    [undefined, StateFileCondition.MISSING],
    ['', StateFileCondition.EMPTY],
    ['\n', StateFileCondition.EMPTY],
    ['{"version": 4, "serial": 3, "resources": [', StateFileCondition.UNREADABLE],
    ['{"version": 4}', StateFileCondition.READABLE],
  ])('%j is %s', (content, condition) => {
    const file = path.join(tmpDir(), 'terraform.tfstate');
    if (content !== undefined) fs.writeFileSync(file, content);
    expect(stateFileCondition(file)).toBe(condition);
  });
});

describe('lostStateRefusal: a plan that creates every CA over a deployed PKI', () => {
  const ca = (id: string, action: CertificateChange): CertificateReview => ({ construct: `pki/${id}`, id, isCa: true, action, reasons: [], files: [], identityChanges: [] });
  const leaf = (id: string): CertificateReview => ({ ...ca(id, CertificateChange.CREATED), isCa: false });
  const lost = [ca('root-ca', CertificateChange.CREATED), ca('server-ca', CertificateChange.CREATED), leaf('server')];
  const existing: ExistingPki = { outputDirectory: '/srv/pki', evidence: ['ca/ca.crt'], stateText: 'the state file /srv/s.tfstate is empty', restoreText: 'copy your latest backup of the state to /srv/s.tfstate.' };

  test('is refused, saying what happened, how to restore and how to start anew on purpose', () => {
    expect(lostStateRefusal(lost, existing, {})).toBe([
      'chariot-tls: refused: /srv/pki holds a deployed PKI (ca/ca.crt), but the state file /srv/s.tfstate is empty:',
      'this deploy would create 2 new CAs (root-ca, server-ca) and write new files over it.',
      'Every Chariot server, MQTT Engine and MQTT Transmission that trusts the old CAs would stop connecting.',
      'Restore the state from its backup: copy your latest backup of the state to /srv/s.tfstate. Then run `npm run plan`: it shows no change when the state matches the files (docs/operate.md, "Backups of state").',
      'To start a new PKI here on purpose (every product needs new files), run the deploy with CHARIOT_TLS_ALLOW_NEW_PKI=1.',
      'Nothing was changed.',
    ].join('\n'));
  });

  test(`${ALLOW_NEW_PKI_ENV}=1 lets it go on`, () => {
    expect(lostStateRefusal(lost, existing, { [ALLOW_NEW_PKI_ENV]: '1' })).toBeUndefined();
    expect(lostStateRefusal(lost, existing, { [ALLOW_NEW_PKI_ENV]: 'yes' })).toBeDefined();
  });

  test('a first deploy (no PKI on disk) and a rotation (the state keeps a CA) go on', () => {
    expect(lostStateRefusal(lost, { ...existing, evidence: [] }, {})).toBeUndefined();
    expect(lostStateRefusal([ca('root-ca', CertificateChange.UNCHANGED), ca('server-ca-g2', CertificateChange.CREATED)], existing, {})).toBeUndefined();
    expect(lostStateRefusal(lost, undefined, {})).toBeUndefined();
  });
});

describe('pathProblems: where the configuration may put files', () => {
  const base = '/work/project';
  test('folders inside the configuration\'s folder, and absolute folders of their own, are fine', () => {
    expect(pathProblems({ outputDirectory: 'pki', inventoryDirectory: 'docs/pki' }, base)).toEqual([]);
    expect(pathProblems({ outputDirectory: 'a/../pki', inventoryDirectory: '.' }, base)).toEqual([]);
    expect(pathProblems({ outputDirectory: '/srv/chariot-tls/pki' }, base)).toEqual([]);
    expect(pathProblems({}, base)).toEqual([]);
  });

  test.each(['..', '../pki', '../../..', 'pki/../../x'])('outputDirectory %j leaves the configuration\'s folder', (dir) => {
    expect(pathProblems({ outputDirectory: dir }, base)).toEqual([
      `outputDirectory ${JSON.stringify(dir)}: leaves the configuration's folder (${base}); name a folder inside it, such as "pki", or an absolute path such as "/srv/chariot-tls/pki"`,
    ]);
  });

  test.each(['/', '/etc', '/etc/ssl', '/usr/local/pki', '/var', '/tmp', '/home', '/proc/sys', '/home/me'])('outputDirectory %j is a system folder or the home folder', (dir) => {
    expect(pathProblems({ outputDirectory: dir }, base, '/home/me')).toEqual([
      `outputDirectory ${JSON.stringify(dir)}: is ${dir}, a system folder or the home folder itself; name a folder of its own, such as "pki" or "/srv/chariot-tls/pki"`,
    ]);
  });

  test('a symbolic link to a system folder is the system folder', () => {
    const link = path.join(tmpDir(), 'etc-link');
    fs.symlinkSync('/etc', link);
    expect(pathProblems({ outputDirectory: path.join(link, 'ssl') }, base)[0]).toContain('is /etc/ssl, a system folder');
  });

  test.each(['../../..', '..', '/tmp/elsewhere'])('inventoryDirectory %j leaves the configuration\'s folder', (dir) => {
    expect(pathProblems({ inventoryDirectory: dir }, base)).toEqual([
      `inventoryDirectory ${JSON.stringify(dir)}: leaves the configuration's folder (${base}); name a folder inside it, such as "." or "docs"`,
    ]);
  });
});

describe('deployTargetProblems: the output directory a deploy writes into', () => {
  test('a new, an empty, and one of our folders are fine', () => {
    const dir = tmpDir();
    expect(deployTargetProblems(path.join(dir, 'new'))).toEqual([]);
    expect(deployTargetProblems(dir)).toEqual([]);
    write(path.join(dir, 'ca/ca.crt'));
    write(path.join(dir, 'notes.txt'));
    expect(deployTargetProblems(dir)).toEqual([]);
  });

  test('one that only holds what a deploy writes before the engine (.gitignore, the marker) is ours', () => {
    const dir = tmpDir();
    write(path.join(dir, '.gitignore'));
    write(path.join(dir, 'DEPLOY-INCOMPLETE'));
    write(path.join(dir, 'certs/server/server.key'));
    expect(deployTargetProblems(dir)).toEqual([]);
  });

  test('a folder with files but no PKI of ours is refused', () => {
    const dir = tmpDir();
    write(path.join(dir, 'ssl/cert.pem'));
    write(path.join(dir, 'passwd'));
    expect(deployTargetProblems(dir)).toEqual([`output directory ${dir} holds files (passwd, ssl) but no PKI deployed by chariot-tls (no ca/*.crt); set "outputDirectory" to an empty or new folder`]);
  });

  test('a file in its place is refused', () => {
    const file = path.join(tmpDir(), 'pki');
    write(file);
    expect(deployTargetProblems(file)).toEqual([`output directory ${file} is a file, not a folder; remove it or set "outputDirectory" to a folder`]);
  });
});

describe('keepOutOfGit: a .gitignore in the output directory', () => {
  test('ignores everything; one already there is left alone', () => {
    const dir = tmpDir();
    keepOutOfGit(dir);
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    fs.writeFileSync(path.join(dir, '.gitignore'), 'mine\n');
    keepOutOfGit(dir);
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('mine\n');
  });
});

describe('applyDeclaredModes: public files and folders opened up after a umask 077 engine', () => {
  test('public files and the folders under the output directory get their declared modes; keys stay 0600', () => {
    const dir = tmpDir();
    const out = path.join(dir, 'pki');
    const cert = path.join(out, 'certs/server/server.crt');
    const key = path.join(out, 'certs/server/server.key');
    const outside = path.join(dir, 'elsewhere/x.crt');
    for (const f of [cert, key, outside]) write(f);
    for (const f of [cert, key, outside, path.join(out, 'certs'), path.join(out, 'certs/server')]) fs.chmodSync(f, 0o700);
    const synthesized = {
      resource: {
        local_file: { c: { filename: cert, file_permission: '0644', directory_permission: '0755' }, o: { filename: outside, file_permission: '0644', directory_permission: '0755' } },
        local_sensitive_file: { k: { filename: key, file_permission: '0600', directory_permission: '0755' } },
      },
    };
    applyDeclaredModes(synthesized, out);
    expect([modeOf(cert), modeOf(key), modeOf(outside), modeOf(path.join(out, 'certs')), modeOf(path.join(out, 'certs/server'))]).toEqual(['644', '700', '644', '755', '755']);
    expect(modeOf(path.join(dir, 'elsewhere'))).toBe('755');
  });
});

describe('removeStalePlans: saved plans left by a killed deploy', () => {
  test('removes ours whose process is gone; keeps those of running processes and anything else', () => {
    const tmp = tmpDir();
    const gone = spawnSync('true').pid!;
    const stale = path.join(tmp, `chariot-tls-plan-${gone}-abc123`);
    const live = path.join(tmp, `chariot-tls-plan-${process.pid}-def456`);
    const other = path.join(tmp, 'chariot-tls-planner-1-x');
    for (const d of [stale, live, other]) write(path.join(d, 'plan'));
    expect(removeStalePlans(tmp)).toEqual([stale]);
    expect([fs.existsSync(stale), fs.existsSync(live), fs.existsSync(other)]).toEqual([false, true, true]);
  });
});
