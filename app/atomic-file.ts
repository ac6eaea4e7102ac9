import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes `file` through a temporary file created with `mode` (a fresh one, never one left by a killed deploy)
 * and renamed into place: a reader sees the old file or the whole new one, and a secret (0600) is never readable
 * by others, not even for a moment. The mode is set on the open file, so the deploy's umask does not change it.
 */
export function writeAtomically(file: string, data: string | Buffer, mode: number): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.rmSync(temporary, { force: true });
  const fd = fs.openSync(temporary, 'wx', mode);
  try {
    fs.fchmodSync(fd, mode);
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}
