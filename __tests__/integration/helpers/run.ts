import { ChildProcess, SpawnSyncOptions, spawnSync } from 'node:child_process';

/** What a finished command printed, and how it ended. */
export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command without a shell; throws with its output when it fails, unless `allowFailure`. */
export function run(command: string, args: string[], options: SpawnSyncOptions & { allowFailure?: boolean } = {}): RunResult {
  const { allowFailure, ...spawnOptions } = options;
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...spawnOptions });
  if (result.error) throw result.error;
  const out: RunResult = { status: result.status ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
  if (out.status !== 0 && !allowFailure) {
    throw new Error(`${command} ${args.join(' ')} exited ${out.status}\n--- stdout\n${tail(out.stdout)}\n--- stderr\n${tail(out.stderr)}`);
  }
  return out;
}

function tail(text: string, lines = 60): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** Waits for a started command to end; its status and everything it printed, stdout and stderr, as it came. */
export function finished(child: ChildProcess, onOutput: (text: string) => void = () => {}): Promise<{ status: number | null; output: string }> {
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    onOutput(output);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}
