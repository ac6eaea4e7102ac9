import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CliIo, runCli } from '../../app/command-line';
import { INSPECT } from '../../app/commands/inspect';

const PROJECT = path.resolve(__dirname, '../..');

/** What `npm run inspect` printed, and its exit code. */
export interface InspectRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `npm run inspect ...argv` in this process with captured output, as if run at `now` (the CLI's clock, `CliIo.now`):
 * how specs move time. A fresh project directory each time (removed after), so no configuration of the developer's is read.
 */
export function inspectAt(now: Date): (argv: string[], overrides?: Partial<CliIo>) => Promise<InspectRun> {
  return async (argv, overrides = {}) => {
    let stdout = '';
    let stderr = '';
    const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-inspect-project-'));
    try {
      const code = await runCli(['inspect', ...argv], [INSPECT], {
        stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, cwd: PROJECT, projectDir, now, ...overrides,
      });
      return { code, stdout, stderr };
    } finally {
      fs.rmSync(projectDir, { recursive: true, force: true });
    }
  };
}
