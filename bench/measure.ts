import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** What one timed command did. */
export interface Measurement {
  /** Wall-clock seconds. */
  readonly seconds: number;
  /** CPU seconds (user + system) of the command and every descendant it waited for. */
  readonly cpuSeconds: number;
  /** The largest sum of resident memory over the command's whole process tree, in MiB (sampled). */
  readonly peakRssMib: number;
  /** The largest peak resident memory of any one process in the tree, in MiB (GNU time's maximum RSS: exact, not sampled). */
  readonly maxProcessRssMib: number;
  readonly status: number;
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
}

/** How often the process tree's memory is sampled. */
export const SAMPLE_INTERVAL_MS = 100;

const PAGE_BYTES = 4096;

/**
 * Runs a command without a shell and measures its wall time, its CPU time (GNU time: the
 * rusage of the whole tree, which a loaded machine inflates less than wall time), the peak
 * resident memory of its process tree (every descendant's RSS summed, sampled from /proc every
 * 100 ms: a process that lives less than that may be missed) and the largest single process's
 * peak (GNU time's maximum RSS).
 */
export function measure(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Measurement> {
  const rusage = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-measure-')), 'rusage');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', rusage, command, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    let peak = 0;
    const sample = () => {
      if (child.pid !== undefined) peak = Math.max(peak, treeRssBytes(child.pid));
    };
    const timer = setInterval(sample, SAMPLE_INTERVAL_MS);
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      const [user, system, maxRssKib] = fs.readFileSync(rusage, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      fs.rmSync(path.dirname(rusage), { recursive: true, force: true });
      resolve({
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        cpuSeconds: user + system,
        peakRssMib: peak / 2 ** 20,
        maxProcessRssMib: maxRssKib / 2 ** 10,
        status: code ?? 1,
        output: Buffer.concat(chunks).toString('utf8'),
      });
    });
  });
}

/** The summed RSS of `root` and all its descendants, from /proc. */
function treeRssBytes(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = parentOf(entry);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rssBytes(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

function parentOf(pid: string): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined; // exited between readdir and read
  }
}

function rssBytes(pid: number): number {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
  } catch {
    return 0;
  }
}
