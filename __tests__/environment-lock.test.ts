import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvironmentBusyError, EnvironmentLock, environmentLockFile, lockEnvironment } from '../app/environment-lock';

describe('lockEnvironment: one deploy of an environment at a time', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-envlock-')), 'cdktf.out');
  });
  afterEach(() => fs.rmSync(path.dirname(outdir), { recursive: true, force: true }));

  test('a free environment is taken at once, without a word, beside its working directory', async () => {
    const onWait = jest.fn();
    const release = await lockEnvironment(outdir, 1000, onWait);
    expect(onWait).not.toHaveBeenCalled();
    expect(fs.existsSync(environmentLockFile(outdir))).toBe(true);
    await release();
    expect(fs.existsSync(environmentLockFile(outdir))).toBe(false);
  });

  test('a second deploy says it waits, and is refused in our words when the first outlasts the timeout', async () => {
    const release = await lockEnvironment(outdir, 1000, () => {});
    const onWait = jest.fn();
    const second = lockEnvironment(outdir, 1000, onWait);
    await expect(second).rejects.toThrow(EnvironmentBusyError);
    await expect(lockEnvironment(outdir, 1000, () => {})).rejects.toThrow(
      `chariot-tls: deploy refused: another deploy of this environment (${outdir}) did not finish within 1 s; nothing was written. Wait for it and deploy again.`);
    expect(onWait).toHaveBeenCalledTimes(1);
    await release();
  });

  test('a second deploy that waits takes the lock once the first releases it', async () => {
    const release = await lockEnvironment(outdir, 1000, () => {});
    const onWait = jest.fn();
    const second = lockEnvironment(outdir, 10_000, onWait);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await release();
    const releaseSecond = await second;
    expect(onWait).toHaveBeenCalledTimes(1);
    await releaseSecond();
  });

  test('a deploy that lets go of the lock while its sites deploy lets another take it, then waits to take it again', async () => {
    const onWait = jest.fn();
    const first = new EnvironmentLock(outdir, 10_000, onWait);
    await first.take();
    await first.take(); // held already: no second lock, no wait
    await first.letGo();
    const other = await lockEnvironment(outdir, 1000, () => {});
    const again = first.take();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await other();
    await again;
    expect(onWait).toHaveBeenCalledTimes(1);
    expect(fs.existsSync(environmentLockFile(outdir))).toBe(true);
    await first.letGo();
    await first.letGo();
    expect(fs.existsSync(environmentLockFile(outdir))).toBe(false);
  });
});
