import { isIP } from 'node:net';
import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { hasTemplateSequence } from './template';

/** One label of a DNS name: letters, digits and inner hyphens, at most 63 characters. */
const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/**
 * Characters no name may hold: controls (newline, NUL), format characters (right-to-left override,
 * zero-width space), lone surrogates, private-use and unassigned code points, line and paragraph separators.
 * Each would hide in a certificate viewer or add a line to a README or the inventory.
 */
const UNSEEN = /[\p{C}\p{Zl}\p{Zp}]/u;
const EVERY_UNSEEN = new RegExp(UNSEEN.source, 'gu');

/**
 * Collects every problem in a construct's props so the user sees them all at once,
 * then throws one error that names the construct path.
 */
export class Problems {
  private readonly messages: string[] = [];

  constructor(private readonly scope: IConstruct) {}

  /** Records a problem: what is wrong with `field`, showing `value`, and how to fix it. */
  public add(field: string, value: unknown, problem: string, fix: string): void {
    const shown = value === undefined ? '' : ` ${showValue(value)}`;
    this.messages.push(`${field}${shown} ${problem}; ${fix}`);
  }

  public throwIfAny(): void {
    if (this.messages.length === 0) return;
    const list = this.messages.map((m) => `  - ${m}`).join('\n');
    throw new Error(`${this.scope.node.path}: invalid configuration:\n${list}`);
  }
}

/** `U+202E`: how a message names a character it cannot print. */
function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The value as JSON, unseen characters written as `<U+202E>`, so the message itself hides or reorders nothing. */
function showValue(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).replace(EVERY_UNSEEN, (c) => `<${codePoint(c)}>`);
}

/** True when the value is known at synth time (not a token to be resolved by the engine). */
export function isKnown(value: unknown): boolean {
  return !Token.isUnresolved(value);
}

/**
 * Checks free text that goes into a certificate (a subject field): 1 to `maxLength` characters, not only
 * spaces, nothing Terraform would evaluate, nothing unseen. Skips a token (a reference the code set on purpose).
 */
export function checkText(problems: Problems, field: string, value: string, maxLength: number, fix: string): void {
  if (!isKnown(value)) return;
  if (typeof value !== 'string') {
    problems.add(field, value, 'is not text', fix);
    return;
  }
  if (value.trim().length === 0 || [...value].length > maxLength) {
    problems.add(field, value, `must have 1 to ${maxLength} characters, not only spaces`, fix);
  }
  if (hasTemplateSequence(value)) {
    problems.add(field, value, 'holds "${" or "%{", which Terraform would evaluate as an expression', 'remove them: names are plain text');
  }
  const unseen = value.match(UNSEEN);
  if (unseen) {
    problems.add(field, value, `holds the invisible or control character ${codePoint(unseen[0])}`, 'remove it: a name is one line of visible text');
  }
}

/** A DNS name as a certificate SAN accepts it; a leading `*.` wildcard is allowed. */
export function isDnsName(name: string): boolean {
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  if (bare.length === 0 || bare.length > 253 || isIP(bare) !== 0) return false;
  return bare.split('.').every((label) => DNS_LABEL.test(label));
}

/** An IPv4 or IPv6 address, without a zone (`fe80::1%eth0` names an interface, which no certificate holds). */
export function isIpAddress(address: string): boolean {
  return isIP(address) !== 0 && !address.includes('%');
}

/**
 * Checks a list for values that are one to whoever reads them: equal, or with the same `key` (by default equal but
 * for case: macOS and Windows give `Edge-1` and `edge-1` one folder, and DNS ignores case). Each repeat is
 * reported once, naming the value it repeats. For clients today, and any list of names that become folders.
 */
export function checkUnique(problems: Problems, field: string, values: string[], noun: string, fix: string, key = (value: string) => value.toLowerCase()): void {
  const first = new Map<string, number>();
  values.forEach((value, i) => {
    if (!isKnown(value) || typeof value !== 'string') return;
    const seen = first.get(key(value));
    if (seen === undefined) {
      first.set(key(value), i);
    } else if (values[seen] === value) {
      problems.add(field, value, 'appears more than once', fix);
    } else {
      problems.add(`${field}[${i}]`, value, `is the same ${noun} as ${field}[${seen}] ${showValue(values[seen])} but for case or spelling, which macOS and Windows folders and TLS clients ignore`, fix);
    }
  });
}
