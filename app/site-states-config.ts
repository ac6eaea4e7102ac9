import type { Config } from './config';

/**
 * What `siteStates` cannot be combined with yet (docs/operate.md, "Sites in their own state"): a state per site in
 * the `pg` backend. Refused with the field, the value and the fix, before anything is synthesized.
 */
export function siteStatesProblems(config: Config): string[] {
  if (config.siteStates !== true) return [];
  const problems: string[] = [];
  const refuse = (field: string, value: unknown, why: string) =>
    problems.push(`${field} ${JSON.stringify(value)}: ${why} with siteStates, which is not built yet; remove it, or set "siteStates": false`);
  if (config.backend?.type === 'pg') refuse('backend.type', 'pg', 'a site\'s own state in PostgreSQL (a workspace per site) is not available');
  return problems;
}
