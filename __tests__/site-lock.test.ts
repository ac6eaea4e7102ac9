import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { holderFile } from '../app/deploy-lock';
import { SiteBusyError, lockSites, siteLockFile } from '../app/site-lock';

describe('lockSites: one deploy of a site at a time', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-sitelock-')), 'cdktf.out');
  });
  afterEach(() => fs.rmSync(path.dirname(outdir), { recursive: true, force: true }));

  test('free sites are taken at once, without a word, beside the environment\'s lock; released, nothing is left', async () => {
    const onWait = jest.fn();
    const release = await lockSites(outdir, ['north-sea', 'baltic'], 1000, onWait);
    expect(onWait).not.toHaveBeenCalled();
    expect(siteLockFile(outdir, 'baltic')).toBe(`${path.resolve(outdir)}.site-locks/baltic.lock`);
    for (const site of ['baltic', 'north-sea']) expect(fs.existsSync(siteLockFile(outdir, site))).toBe(true);
    await release();
    expect(fs.readdirSync(`${outdir}.site-locks`)).toEqual([]);
  });

  test('a deploy of another site does not wait', async () => {
    const release = await lockSites(outdir, ['baltic'], 1000, () => {});
    const onWait = jest.fn();
    const other = await lockSites(outdir, ['north-sea'], 1000, onWait);
    expect(onWait).not.toHaveBeenCalled();
    await other();
    await release();
  });

  test('a second deploy of a site is told once which site and who holds it, and is refused in our words after the timeout', async () => {
    const release = await lockSites(outdir, ['baltic'], 1000, () => {});
    const onWait = jest.fn();
    const second = lockSites(outdir, ['baltic', 'north-sea'], 1000, onWait);
    await expect(second).rejects.toThrow(SiteBusyError);
    await expect(second).rejects.toThrow(
      `chariot-tls: deploy refused: another deploy of site baltic (${siteLockFile(outdir, 'baltic')}) did not finish within 1 s; nothing was written. Wait for it and deploy again.`);
    expect(onWait.mock.calls).toEqual([['baltic', expect.stringMatching(new RegExp(`^deploy ${process.pid} on ${os.hostname()} since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`))]]);
    // The refused deploy holds nothing: north-sea, not reached, is free.
    expect(fs.existsSync(siteLockFile(outdir, 'north-sea'))).toBe(false);
    await release();
    expect(fs.existsSync(holderFile(siteLockFile(outdir, 'baltic')))).toBe(false);
  });

  test('a second deploy that waits takes the site once the first releases it', async () => {
    const release = await lockSites(outdir, ['baltic'], 1000, () => {});
    const onWait = jest.fn();
    const second = lockSites(outdir, ['baltic'], 10_000, onWait);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await release();
    const releaseSecond = await second;
    expect(onWait).toHaveBeenCalledTimes(1);
    await releaseSecond();
  });

  test('no site, no lock', async () => {
    await (await lockSites(outdir, [], 1000, () => {}))();
    expect(fs.existsSync(`${outdir}.site-locks`)).toBe(false);
  });
});
