import { TABLE_WIDTH } from './inspect-report';
import { ServedOutcome } from './inspect-served';

/**
 * The "served by HOST:PORT" section under the table: the server's certificate (subject, names, expiry,
 * fingerprint), the file it matches, the served chain up to our root, and the name check; within
 * {@link TABLE_WIDTH} columns unless `wide`. The problems themselves go to stderr with the others.
 */
export function formatServed(outcome: ServedOutcome, wide = false): string {
  const { check } = outcome;
  if (check === undefined) return `\nserved by ${outcome.target}: nothing read (${outcome.error})\n`;
  const [leaf, ...cas] = check.certificates;
  const rows: [string, string][] = [
    ['certificate', `${leaf.subject}, not after ${leaf.notAfter.toISOString().slice(0, 10)} (${leaf.expired ? `${leaf.daysLeft} EXPIRED` : `${leaf.daysLeft} days`})`],
    ['names', leaf.subjectAltName ?? '(no subjectAltName)'],
    ['SHA-256', leaf.fingerprint256],
    ['file', leaf.files.length === 0 ? 'NONE: in no file here' : leaf.files.length > 1 ? `${leaf.files[0]} (+${leaf.files.length - 1})` : leaf.files[0]],
    ['sent with it', cas.length === 0 ? 'no CA certificate' : cas.map((c) => `${c.subjectCommonName || c.subject}${c.files.length === 0 ? ' (in no file here)' : ''}`).join(', ')],
    ['chain', check.chain.verified ? `ok: ${check.chain.path.join(' > ')} (${check.rootFile})` : `FAIL: ${check.chain.problem}`],
    ['name', `${check.name}: ${check.nameMatches ? 'in the subjectAltName' : 'NOT in the subjectAltName'}`],
    ['result', check.problems.length === 0 ? 'ok: the server serves the files here' : `FAIL: ${check.problems.map((p) => p.kind).join(', ')} (see below)`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const line = ([label, value]: [string, string]) => {
    const text = `  ${label.padEnd(width)}  ${value}`;
    return wide || text.length <= TABLE_WIDTH ? text : `${text.slice(0, TABLE_WIDTH - 1)}…`;
  };
  return `\nserved by ${check.target}${check.protocol ? ` (${check.protocol})` : ''}:\n${rows.map(line).join('\n')}\n`;
}

/**
 * The `connect` object of `--json`: the target and the name checked, `error` (null when a chain was read), the
 * served certificates as sent, the file of the server's certificate, the chain, the name check and the problems;
 * `ok` when none.
 */
export function servedJson(outcome: ServedOutcome): unknown {
  const { check } = outcome;
  if (check === undefined) return { target: outcome.target, name: outcome.name, error: outcome.error, ok: false };
  return {
    target: check.target,
    name: check.name,
    error: null,
    protocol: check.protocol ?? null,
    ok: check.problems.length === 0,
    leafFile: check.leafFile ?? null,
    nameMatches: check.nameMatches,
    chain: { verified: check.chain.verified, path: check.chain.path, root: check.rootFile ?? null, problem: check.chain.problem ?? null },
    problems: check.problems,
    certificates: check.certificates.map((c) => ({
      ...c, subjectAltName: c.subjectAltName ?? null, notBefore: c.notBefore.toISOString(), notAfter: c.notAfter.toISOString(),
    })),
  };
}
