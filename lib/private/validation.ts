import { isIP } from 'node:net';
import { IConstruct } from 'constructs';
import { Token } from 'cdktf';

/** One label of a DNS name: letters, digits and inner hyphens, at most 63 characters. */
const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * Collects every problem in a construct's props so the user sees them all at once,
 * then throws one error that names the construct path.
 */
export class Problems {
  private readonly messages: string[] = [];

  constructor(private readonly scope: IConstruct) {}

  /** Records a problem: what is wrong with `field`, showing `value`, and how to fix it. */
  public add(field: string, value: unknown, problem: string, fix: string): void {
    const shown = value === undefined ? '' : ` ${JSON.stringify(value)}`;
    this.messages.push(`${field}${shown} ${problem}; ${fix}`);
  }

  public throwIfAny(): void {
    if (this.messages.length === 0) return;
    const list = this.messages.map((m) => `  - ${m}`).join('\n');
    throw new Error(`${this.scope.node.path}: invalid configuration:\n${list}`);
  }
}

/** True when the value is known at synth time (not a token to be resolved by the engine). */
export function isKnown(value: unknown): boolean {
  return !Token.isUnresolved(value);
}

/** A DNS name as a certificate SAN accepts it; a leading `*.` wildcard is allowed. */
export function isDnsName(name: string): boolean {
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  if (bare.length === 0 || bare.length > 253 || isIP(bare) !== 0) return false;
  return bare.split('.').every((label) => DNS_LABEL.test(label));
}

/** An IPv4 or IPv6 address. */
export function isIpAddress(address: string): boolean {
  return isIP(address) !== 0;
}

/** Checks a list of names for duplicates, reporting each repeat once. */
export function checkUnique(problems: Problems, field: string, names: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      problems.add(field, name, 'appears more than once', 'give each client a unique name');
    }
    seen.add(name);
  }
}
