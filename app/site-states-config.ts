import type { Config } from './config';

/**
 * What `siteStates` cannot be combined with yet (docs/operate.md, "Sites in their own state"): each of these reads
 * or writes a site client's key or serial in the one state, or keeps a CA key where a site's stack cannot get it.
 * Refused with the field, the value and the fix, before anything is synthesized.
 */
export function siteStatesProblems(config: Config): string[] {
  if (config.siteStates !== true) return [];
  const problems: string[] = [];
  const refuse = (field: string, value: unknown, why: string) =>
    problems.push(`${field} ${JSON.stringify(value)}: ${why} with siteStates, which is not built yet; remove it, or set "siteStates": false`);
  if (config.backend?.type === 'pg') refuse('backend.type', 'pg', 'a site\'s own state in PostgreSQL (a workspace per site) is not available');
  if (config.externalRoot !== undefined) refuse('externalRoot', config.externalRoot, 'a site signed below an enterprise root is not available');
  return problems;
}
