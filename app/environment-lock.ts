import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { UserError } from './user-error';

/**
 * One deploy of an environment at a time. Two deploys of one environment share its engine working directory (the
 * synthesized stack, the saved plan's configuration) and, on a first deploy, plan against the same missing state:
 * the engine then applies both create-everything plans, since a plan made without a prior state is never stale, and
 * every CA is created twice. The second deploy waits here, before it synthesizes or lists itself in
 * DEPLOY-INCOMPLETE, for as long as it would wait for the engine's state lock.
 */

/** The lock of an environment: beside its engine working directory, so the directory itself may be removed. */
export function environmentLockFile(outdir: string): string {
  return `${path.resolve(outdir)}.deploy.lock`;
}

/** A deploy of the environment that did not finish within the lock timeout. */
export class EnvironmentBusyError extends UserError {}

/**
 * Waits up to `timeoutMs` for the environment's deploy lock and resolves to its release; `onWait` is told once when
 * another deploy holds it. A lock not refreshed for a minute belongs to a killed deploy and is taken over.
 */
export async function lockEnvironment(outdir: string, timeoutMs: number, onWait: () => void): Promise<() => Promise<void>> {
  const target = path.resolve(outdir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const options = { realpath: false, lockfilePath: environmentLockFile(outdir), stale: 60_000, onCompromised: () => {} };
  try {
    return await lockfile.lock(target, options);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
  }
  onWait();
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  try {
    return await lockfile.lock(target, { ...options, retries: { retries: seconds, factor: 1, minTimeout: 1000, maxTimeout: 1000 } });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    throw new EnvironmentBusyError(
      `chariot-tls: deploy refused: another deploy of this environment (${target}) did not finish within ${seconds} s; nothing was written. Wait for it and deploy again.`,
    );
  }
}
