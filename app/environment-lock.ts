import * as path from 'node:path';
import { takeDeployLock } from './deploy-lock';
import { UserError } from './user-error';

/**
 * One deploy of an environment at a time. Two deploys of one environment share its engine working directory (the
 * synthesized stack, the saved plan's configuration) and, on a first deploy, plan against the same missing state:
 * the engine then applies both create-everything plans, since a plan made without a prior state is never stale, and
 * every CA is created twice. The second deploy waits here, before it synthesizes or lists itself in
 * DEPLOY-INCOMPLETE, for as long as it would wait for the engine's state lock. With `siteStates` a deploy lets go of
 * it while its sites deploy, each under its own lock (app/site-lock.ts), and takes it again to merge their records.
 */

/** The lock of an environment: beside its engine working directory, so the directory itself may be removed. */
export function environmentLockFile(outdir: string): string {
  return `${path.resolve(outdir)}.deploy.lock`;
}

/** A deploy of the environment that did not finish within the lock timeout. */
export class EnvironmentBusyError extends UserError {}

/**
 * Waits up to `timeoutMs` for the environment's deploy lock and resolves to its release; `onWait` is told once when
 * another deploy holds it (app/deploy-lock.ts).
 */
export async function lockEnvironment(outdir: string, timeoutMs: number, onWait: () => void): Promise<() => Promise<void>> {
  const target = path.resolve(outdir);
  return takeDeployLock({
    lockFile: environmentLockFile(outdir),
    timeoutMs,
    onWait,
    busy: (seconds) => new EnvironmentBusyError(
      `chariot-tls: deploy refused: another deploy of this environment (${target}) did not finish within ${seconds} s; nothing was written. Wait for it and deploy again.`),
  });
}

/**
 * The environment's lock as one deploy holds it: taken at its start, let go while its sites deploy in their own
 * state (each under its own lock, app/site-lock.ts), and taken again to merge their records and finish.
 */
export class EnvironmentLock {
  private release: (() => Promise<void>) | undefined;

  /** `onWait` is told each time the lock is taken while another deploy holds it. */
  constructor(private readonly outdir: string, private readonly timeoutMs: number, private readonly onWait: () => void) {}

  /** Waits for the lock ({@link lockEnvironment}) unless this deploy holds it already. */
  public async take(): Promise<void> {
    this.release ??= await lockEnvironment(this.outdir, this.timeoutMs, this.onWait);
  }

  /** Lets go of the lock, if held. */
  public async letGo(): Promise<void> {
    const release = this.release;
    this.release = undefined;
    await release?.();
  }
}
