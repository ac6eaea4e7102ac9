import { Command } from 'commander';
import { AppConfig } from '../config';

/** `--site NAME`, repeatable, for deploy and plan: the CAs' stack and only the named sites (`siteStates`). */
export function siteOption(command: Command): void {
  command.option(
    '--site <name>',
    'with "siteStates": true, only this site besides the CAs (repeat for more); other deploys may deploy other sites at once',
    (name: string, names: string[] = []) => [...names, name],
  );
}

/** The sites `--site` names, or why they are refused: `undefined` sites means every site. */
export type SiteChoice = { readonly sites?: readonly string[]; readonly refusal?: undefined } | { readonly refusal: string };

/**
 * Checks `--site` against the configuration, before anything runs: it needs `siteStates`, and each name must be a
 * configured site (the refusal lists them).
 */
export function chosenSites(command: string, names: readonly string[] | undefined, config: AppConfig): SiteChoice {
  if (names === undefined) return {};
  const given = names.map((n) => `--site ${n}`).join(' ');
  if (!config.siteStates) {
    return { refusal: `chariot-tls: ${command} refused: ${given} needs each site in its own state; set "siteStates": true in ${config.configFile ?? 'the configuration'} (docs/operate.md, "Sites in their own state"), or leave out --site. Nothing was changed.` };
  }
  const known = Object.keys(config.pki.sites ?? {}).sort();
  const unknown = [...new Set(names)].filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    const list = known.length === 0 ? 'none is configured' : `the sites are ${known.join(', ')}`;
    return { refusal: `chariot-tls: ${command} refused: no site ${unknown.map((n) => `"${n}"`).join(', ')} in the configuration (${list}); give --site one of them. Nothing was changed.` };
  }
  return { sites: [...new Set(names)] };
}
