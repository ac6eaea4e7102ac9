import * as fs from 'node:fs';

/**
 * After a deploy that destroyed keys (a retired CA, a revoked or removed client), the engine's `.backup` of a local
 * state is the state before it, holding those keys: the one copy of a retired CA key left in the project. It is
 * replaced with the state as it is now (0600, through a temporary file), so a destroyed key stays destroyed; an
 * undo of that deploy is what the operator's own backups are for (docs/operate.md, "Backups of state"). Other
 * deploys leave the backup as the engine wrote it. Does nothing for a remote backend, or without a state file.
 */
export function dropDestroyedKeysFromBackup(stateFile: string | undefined): boolean {
  if (stateFile === undefined || !fs.existsSync(stateFile)) return false;
  const backup = `${stateFile}.backup`;
  const tmp = `${backup}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  // Created 0600, whatever the umask: the state holds every key.
  fs.writeFileSync(tmp, fs.readFileSync(stateFile), { flag: 'wx', mode: 0o600 });
  fs.renameSync(tmp, backup);
  return true;
}
