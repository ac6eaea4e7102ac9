import { randomUUID } from 'node:crypto';
import { TerraformResource } from 'cdktf';
import { ChariotPki, ClientCert } from '../lib';
import { StateReadOptions, pullRawState, pushRawState } from './engine';
import { removeKeyCopies } from './key-copies';
import { SynthesizedSite } from './site-states';

/**
 * Moving sites deployed in the main state into their own (`siteStates` turned on), without re-keying anything: a
 * site's clients have the same addresses in its own stack (app/site-stack.ts), so their resources move as they are,
 * keys and certificates with them. The main state is pulled (in memory only), each site's resources are pushed as
 * that site's new state, and then the main state without them, one serial up; the engine keeps the main state as it
 * was in its `.backup`. One push per state, through the engine, so an encrypted state stays encrypted (a `state mv`
 * per resource would do the same, hundreds of times). A deploy cut short in between finds the site's resources
 * already in its state and only finishes the main one. A site in PostgreSQL gets its state pushed into its workspace
 * (`site-SITE`, which the engine's init creates), as a local one into its file.
 */

/** Moves every site's clients still in the main state into the site's own state; returns one note per site moved. */
export async function moveSitesIntoTheirStates(main: StateReadOptions, pki: ChariotPki, synthesizeSites: () => Promise<SynthesizedSite[]>): Promise<string[]> {
  const mainState = await pullRawState(main);
  const clientsOf = (site: string) => pki.sites.find((s) => s.name === site)?.transmissionClients ?? [];
  const addresses = new Map(pki.sites.map((site) => [site.name, new Set(clientsOf(site.name).flatMap(resourceAddresses))]));
  const inSite = (site: string) => (r: any) => r.mode === 'managed' && addresses.get(site)!.has(`${r.type}.${r.name}`);
  // Only a PKI with sites in the main state is synthesized for the move: the CAs' certificates are in it then.
  if (!pki.sites.some((site) => (mainState.resources ?? []).some(inSite(site.name)))) return [];
  const moving = (await synthesizeSites()).filter((site) => mainState.resources.some(inSite(site.site)));
  const notes: string[] = [];
  for (const site of moving) {
    const resources = mainState.resources.filter(inSite(site.site));
    const options = { ...main, stackDir: site.stackDir, synthesized: site.synthesized, workspace: site.workspace };
    const where = site.stateFile ?? `its PostgreSQL workspace ${site.workspace}`;
    const existing = await pullRawState(options);
    const held = new Set((existing.resources ?? []).map((r: any) => `${r.type}.${r.name}`));
    if (held.size > 0 && !resources.every((r: any) => held.has(`${r.type}.${r.name}`))) {
      throw new Error(`site ${site.site} is in the main state and in its own (${where}) with other resources: compare the two with tofu state list, and keep one`);
    }
    if (held.size === 0) {
      const state = { version: 4, terraform_version: mainState.terraform_version, serial: 1, lineage: randomUUID(), outputs: {}, resources, check_results: null };
      // State written before write-only keys holds a copy of the CA key in each certificate: it stays behind.
      removeKeyCopies(state, site.synthesized);
      await pushRawState(options, state);
    }
    notes.push(`chariot-tls: moved site ${site.site} (${resources.length} resources, ${clientsOf(site.site).length} clients) from the main state into ${where}; no key or certificate changed.`);
  }
  const moved = new Set(moving.flatMap((site) => mainState.resources.filter(inSite(site.site))));
  await pushRawState(main, { ...mainState, serial: mainState.serial + 1, resources: mainState.resources.filter((r: any) => !moved.has(r)) });
  return notes;
}

/** The addresses of every resource of a client, as its stack names them. */
function resourceAddresses(client: ClientCert): string[] {
  return client.node.findAll().filter((c): c is TerraformResource => c instanceof TerraformResource).map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`);
}
