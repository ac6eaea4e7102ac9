/** What the progress line counts, by the engine's resource types. */
export enum ProgressKind {
  KEYS = 'keys',
  CERTIFICATES = 'certificates',
  FILES = 'files',
}

const KIND_OF_TYPE: Record<string, ProgressKind> = {
  tls_private_key: ProgressKind.KEYS,
  tls_self_signed_cert: ProgressKind.CERTIFICATES,
  tls_locally_signed_cert: ProgressKind.CERTIFICATES,
  local_file: ProgressKind.FILES,
  local_sensitive_file: ProgressKind.FILES,
};

/** The engine's line for a resource it has read (plan) or finished changing (apply), without colours. */
const REFRESHED = /^(\w+)\.\S+: Refreshing state\.\.\./;
const FINISHED = /^(\w+)\.\S+: (?:Creation|Modifications|Destruction) complete\b/;

/** Counts per kind: how many are done out of how many. */
export type ProgressCounts = Map<ProgressKind, { done: number; total: number }>;

/**
 * Reads the engine's output line by line and counts what it has done: while planning, the resources it has
 * read back (`Refreshing state...`); while applying, the keys, certificates and files it has finished
 * (`Creation complete`, `Modifications complete`, `Destruction complete`; a replacement is two of them).
 */
export class EngineProgress {
  private partial = '';
  private phase: 'plan' | 'apply' = 'plan';
  private refreshed = 0;
  private refreshTotal = 0;
  private readonly counts: ProgressCounts = new Map();

  /** Starts the plan: `resources` resources may be read back. */
  planning(resources: number): void {
    this.phase = 'plan';
    this.refreshed = 0;
    this.refreshTotal = resources;
  }

  /** Starts the apply: `steps` completions expected, by resource type (`tls_private_key: 3`). */
  applying(steps: Map<string, number>): void {
    this.phase = 'apply';
    this.counts.clear();
    for (const [type, n] of steps) {
      const kind = KIND_OF_TYPE[type];
      if (kind === undefined) continue;
      const count = this.counts.get(kind) ?? { done: 0, total: 0 };
      count.total += n;
      this.counts.set(kind, count);
    }
  }

  /** Feeds what the engine printed; returns whether a count changed. */
  push(text: string): boolean {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    let changed = false;
    for (const raw of lines) {
      const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
      const refreshed = REFRESHED.exec(line);
      if (refreshed && this.phase === 'plan') {
        this.refreshed++;
        changed = true;
      }
      const finished = FINISHED.exec(line);
      const count = finished && this.counts.get(KIND_OF_TYPE[finished[1]]);
      if (count && this.phase === 'apply') {
        count.done++;
        changed = true;
      }
    }
    return changed;
  }

  /** `planning: 120/500 resources read` or `keys 120/500, certificates 80/500, files 300/1500`. */
  text(): string {
    if (this.phase === 'plan') return `planning: ${this.refreshed}/${this.refreshTotal} resources read`;
    const parts = [...this.counts.entries()]
      .sort(([a], [b]) => ORDER.indexOf(a) - ORDER.indexOf(b))
      .map(([kind, { done, total }]) => `${kind} ${Math.min(done, total)}/${total}`);
    return `applying: ${parts.join(', ')}`;
  }
}

const ORDER = [ProgressKind.KEYS, ProgressKind.CERTIFICATES, ProgressKind.FILES];

/** How many completions an apply of these changes prints, by resource type: a replacement is a destroy and a create. */
export function applySteps(changes: readonly { readonly type: string; readonly actions: readonly string[] }[]): Map<string, number> {
  const steps = new Map<string, number>();
  for (const c of changes) {
    const n = c.actions.filter((a) => a === 'create' || a === 'update' || a === 'delete').length;
    if (n > 0) steps.set(c.type, (steps.get(c.type) ?? 0) + n);
  }
  return steps;
}

/** How many resources the synthesized stack declares: what a plan reads back once they exist. */
export function resourceCount(synthesized: any): number {
  return Object.values<any>(synthesized?.resource ?? {}).reduce((n, blocks) => n + Object.keys(blocks).length, 0);
}
