import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';

/**
 * A lock one deploy holds while others wait (app/environment-lock.ts, app/site-lock.ts): a folder made by
 * proper-lockfile, refreshed while held, and a file beside it that names the deploy holding it, for the wait line of
 * the next one. A lock not refreshed for a minute belongs to a killed deploy and is taken over.
 */

/** Where a deploy lock is, and what to say when it is not had in time. */
export interface DeployLockOptions {
  /** The lock folder. */
  readonly lockFile: string;
  /** How long to wait for it, in milliseconds. */
  readonly timeoutMs: number;
  /** Told once, when another deploy holds it: who that is (`deploy 4242 on build-1 since ...`), when known. */
  readonly onWait: (holder: string | undefined) => void;
  /** The error to throw when it is still held after the timeout, given the seconds waited. */
  readonly busy: (seconds: number) => Error;
}

/** Waits up to `timeoutMs` for the lock and resolves to its release. */
export async function takeDeployLock(options: DeployLockOptions): Promise<() => Promise<void>> {
  const { lockFile } = options;
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  // proper-lockfile locks a path that need not exist: the lock folder without its extension stands for it.
  const target = lockFile.replace(/\.lock$/, '');
  const base = { realpath: false, lockfilePath: lockFile, stale: 60_000, onCompromised: () => {} };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, base);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    options.onWait(holderOf(lockFile));
    const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
    try {
      release = await lockfile.lock(target, { ...base, retries: { retries: seconds, factor: 1, minTimeout: 1000, maxTimeout: 1000 } });
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'ELOCKED') throw again;
      throw options.busy(seconds);
    }
  }
  fs.writeFileSync(holderFile(lockFile), `deploy ${process.pid} on ${os.hostname()} since ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}\n`);
  return async () => {
    fs.rmSync(holderFile(lockFile), { force: true });
    await release();
  };
}

/** The file beside a lock that names its holder. */
export function holderFile(lockFile: string): string {
  return `${lockFile}.holder`;
}

/** Who holds a lock, as its holder wrote it; `undefined` when it has not written it yet (or never will). */
function holderOf(lockFile: string): string | undefined {
  try {
    return fs.readFileSync(holderFile(lockFile), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
