import { Construct } from 'constructs';
import { CaGenerationOptions, LONGEST_CA_NAME, checkGeneration, maxOrganizationLength } from '../ca-generations';
import { ChariotPkiProps } from '../chariot-pki';
import { TransmissionSiteOptions } from '../transmission-site';
import { MAX_NAME_LENGTH } from './subject';
import { Problems, checkText, checkUnique, isKnown } from './validation';

/** The organization when none is given. */
export const DEFAULT_ORGANIZATION = 'Chariot TLS';
/** A client or server name becomes a directory and a construct id: keep it to one safe path segment. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** A site name becomes a directory, a construct id and part of its CA's common name: one short safe segment. */
export const SITE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** Checks what the composite itself decides, before any key or certificate is declared. */
export function checkHierarchy(scope: Construct, props: ChariotPkiProps, engineNames: string[], transmissionNames: string[]): void {
  const problems = new Problems(scope);
  const servers = props.servers ?? [];
  const sites = Object.entries(props.sites ?? {});
  const siteClientNames = sites.flatMap(([, site]) => site.transmissionClients ?? []);
  // A site counts though it has no client here: with siteStates the CAs' stack holds the sites without their clients.
  if (!props.server && servers.length === 0 && engineNames.length === 0 && transmissionNames.length === 0 && sites.length === 0) {
    problems.add('server', props.server, 'is missing and there are no clients: the hierarchy is empty', 'set server, servers, engineClients, transmissionClients or sites');
  }
  checkServerNames(problems, props, engineNames, [...transmissionNames, ...siteClientNames]);
  checkText(problems, 'organization', props.organization ?? DEFAULT_ORGANIZATION, maxOrganizationLength(MAX_NAME_LENGTH),
    `shorten it: it starts every CA's name, and the longest, "${LONGEST_CA_NAME}", must fit X.509's ${MAX_NAME_LENGTH}`);
  if (props.server?.commonName) checkText(problems, 'server.commonName', props.server.commonName, MAX_NAME_LENGTH, 'shorten it or put long names in dnsNames');
  const lists: [string, string[]][] = [
    ['engineClients', engineNames],
    ['transmissionClients', transmissionNames],
    ...sites.map(([site, options]): [string, string[]] => [`sites.${site}.transmissionClients`, options.transmissionClients ?? []]),
  ];
  for (const [field, names] of lists) {
    names.forEach((name, i) => {
      if (isKnown(name) && !NAME.test(name)) {
        problems.add(`${field}[${i}]`, name, 'is not a safe directory name (it would be written outside its folder or is empty)', 'use 1 to 64 letters, digits, - and _, starting with a letter or digit');
      }
    });
    checkUnique(problems, field, names, 'client name', 'give each client a unique name');
  }
  checkSites(problems, transmissionNames, sites);
  if (props.externalRoot !== undefined) {
    const ours = { caGenerations: props.caGenerations?.rootCa, rootValidityPeriodHours: props.rootValidityPeriodHours, rootEarlyRenewalHours: props.rootEarlyRenewalHours };
    for (const [field, value] of Object.entries(ours).filter(([, v]) => v !== undefined)) {
      problems.add(field === 'caGenerations' ? 'caGenerations.rootCa' : field, value, 'is about a Root CA of ours, and externalRoot puts the enterprise root there instead', 'remove it: the enterprise renews and rotates its root; give its new certificate in externalRoot');
    }
  }
  for (const [ca, options] of Object.entries(props.caGenerations ?? {})) {
    checkGeneration(problems, `caGenerations.${ca}`, options as CaGenerationOptions);
  }
  problems.throwIfAny();
}

/**
 * Server names are folders and construct ids: safe path segments, unique ignoring case (two names that differ only
 * in case share a folder on macOS and Windows), and never a client's name (summaries and READMEs name both).
 */
function checkServerNames(problems: Problems, props: ChariotPkiProps, engineNames: string[], transmissionNames: string[]): void {
  const clients = new Set([...engineNames, ...transmissionNames].map((n) => n.toLowerCase()));
  const seen = new Map<string, string>(props.server ? [['server', 'server']] : []);
  (props.servers ?? []).forEach(({ name }, i) => {
    const field = `servers[${i}].name`;
    if (!isKnown(name)) return;
    if (!NAME.test(name)) {
      problems.add(field, name, 'is not a safe directory name (it would be written outside its folder or is empty)', 'use 1 to 64 letters, digits, - and _, starting with a letter or digit');
      return;
    }
    const key = name.toLowerCase();
    if (seen.has(key)) {
      problems.add(field, name, `is already the name of a server ("${seen.get(key)}"; names are compared ignoring case, as folders are on macOS and Windows)`, 'give each server a name, and so a folder, of its own');
    } else if (clients.has(key)) {
      problems.add(field, name, 'is also the name of a client', 'give servers and clients different names, e.g. "chariot-1" and "edge-1"');
    }
    seen.set(key, name);
  });
}

/**
 * Site names are folders beside the flat list's client folders (`certs/transmission/SITE/`) and each client is in
 * one place: no site may clash with another site or a flat client, no client may be in two, not even by case alone
 * (the folders would clash on a case-insensitive file system). The flat list itself keeps its old rules.
 */
function checkSites(problems: Problems, transmissionNames: string[], sites: [string, TransmissionSiteOptions][]): void {
  const folders = new Map(transmissionNames.map((name) => [name.toLowerCase(), `transmissionClients (client "${name}")`]));
  const clients = new Map(transmissionNames.map((name) => [name.toLowerCase(), { name, where: 'transmissionClients' }]));
  for (const [site, options] of sites) {
    if (!SITE_NAME.test(site)) {
      problems.add('sites', site, 'is not a safe site name (it becomes a folder, a Terraform address and part of a CA name)', 'use 1 to 32 letters, digits, - and _, starting with a letter or digit');
    }
    const folder = folders.get(site.toLowerCase());
    if (folder !== undefined) {
      problems.add('sites', site, `would share its folder certs/transmission/${site}/ with ${folder} (names are compared without letter case)`, 'rename the site');
    }
    folders.set(site.toLowerCase(), `site "${site}"`);
    if (options.caGeneration !== undefined) {
      if (!options.issuingCa) {
        problems.add(`sites.${site}.caGeneration`, options.caGeneration, 'rotates a CA the site does not have (its clients are signed by the Transmission CA)', `set "issuingCa": true for site "${site}", or remove caGeneration (caGenerations.transmissionCa rotates the Transmission CA)`);
      } else {
        checkGeneration(problems, `sites.${site}.caGeneration`, options.caGeneration);
      }
    }
    (options.transmissionClients ?? []).forEach((name, i) => {
      const other = clients.get(name.toLowerCase());
      const field = `sites.${site}.transmissionClients[${i}]`;
      if (other !== undefined && other.where !== `sites.${site}`) {
        const how = other.name === name ? 'is also in' : `differs only in letter case from "${other.name}" in`;
        problems.add(field, name, `${how} ${other.where}: a client belongs to one site`, 'keep it in one place, under one spelling');
      } else if (other !== undefined && other.name !== name) {
        problems.add(field, name, `differs only in letter case from "${other.name}" in the same site: their folders would clash`, 'give each client a unique name');
      }
      if (other === undefined) clients.set(name.toLowerCase(), { name, where: `sites.${site}` });
    });
  }
}
