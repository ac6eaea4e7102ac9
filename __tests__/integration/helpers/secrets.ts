import * as fs from 'node:fs';
import * as path from 'node:path';
import { NpmOptions, PROJECT } from './deployment';
import { RunResult, run } from './run';

/** A private key's trace in some text, named by file and line: never the key material itself. */
export type KeyTrace = string;

/** The base64 lines of every private key file under `pkiDir` (`*.key`), by file. */
export function privateKeyLines(pkiDir: string): Map<string, string[]> {
  const keys = (fs.readdirSync(pkiDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.key')).sort();
  if (keys.length === 0) throw new Error(`no private key under ${pkiDir}: nothing to look for`);
  return new Map(
    keys.map((file) => [
      file,
      fs
        .readFileSync(path.join(pkiDir, file), 'utf8')
        .split('\n')
        // Full lines of base64 only: a short last line could match by chance.
        .filter((line) => !line.startsWith('-----') && line.length >= 32),
    ]),
  );
}

/**
 * Where `text` holds private key material: a PEM private key header, or any base64 line of the
 * key files. The result names what was found, so a failing assertion does not print a key.
 */
export function keyTraces(text: string, keyLines: Map<string, string[]>): KeyTrace[] {
  const traces: KeyTrace[] = /PRIVATE KEY/.test(text) ? ['a "PRIVATE KEY" header'] : [];
  for (const [file, lines] of keyLines) {
    const found = lines.findIndex((line) => text.includes(line));
    if (found >= 0) traces.push(`line ${found + 2} of ${file}`);
  }
  return traces;
}

/** The output of a run, both streams. */
export function output(result: RunResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

/** Runs the engine (`tofu ARGS`) in `stackDir` with the project's engine environment (scripts/engine/env.sh). */
export function runEngine(stackDir: string, args: string[], options: NpmOptions = {}): RunResult {
  const { env, ...rest } = options;
  return run('bash', ['-c', '. scripts/engine/env.sh && cd "$1" && shift && "$TERRAFORM_BINARY_NAME" "$@"', 'engine', stackDir, ...args], {
    cwd: PROJECT,
    env: { ...process.env, ...env },
    ...rest,
  });
}
