import * as fs from 'node:fs';
import * as path from 'node:path';
import { declaredFiles } from './declared-files';
import { StateFileCondition, stateFileCondition } from './existing-pki';
import { SynthesizedSite } from './site-states';

/**
 * The lost state guard of a site in its own state (`siteStates`), as app/existing-pki.ts is the main state's: a
 * site whose state file is missing or empty while its client keys are on disk was deployed, and its state lost.
 * Planning it would create every client key again and write the new files over the ones the gateways hold. The
 * keys on disk are the evidence because the site's state and its output folder live on the same machine (local
 * state only, for now).
 */
export function lostSiteStateRefusal(site: SynthesizedSite, outputDirectory: string): string | undefined {
  const condition = stateFileCondition(site.stateFile);
  if (condition !== StateFileCondition.MISSING && condition !== StateFileCondition.EMPTY) return undefined;
  // The client keys: the stack's sensitive files.
  const keys = declaredFiles(site.synthesized, ['local_sensitive_file']).filter((file) => fs.existsSync(file));
  if (keys.length === 0) return undefined;
  const folder = path.relative(process.cwd(), path.join(outputDirectory, 'certs', 'transmission', site.site)) || '.';
  const shown = keys.slice(0, 2).map((file) => path.relative(process.cwd(), file)).join(', ') + (keys.length > 2 ? ', ...' : '');
  return [
    `chariot-tls: refused: site ${site.site}: its state file ${site.stateFile} is ${condition}, but ${keys.length} of its client keys are on disk (${shown}).`,
    `Deploying it would create every client key of ${site.site} again and write new files over the ones its gateways hold.`,
    `Restore ${site.stateFile} from its backup (the engine's ${path.basename(site.stateFile)}.backup beside it, or your own), then deploy again.`,
    `To re-key the site's clients on purpose (each gateway then needs its new files), remove the folder ${folder} first.`,
  ].join('\n');
}
