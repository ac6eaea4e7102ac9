import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from './config';
import { SiteInputs } from './site-stack';

/** The packages whose code shapes a synthesized stack besides this app's own. */
const SYNTH_PACKAGES = ['cdktf', 'constructs', '@cdktf/provider-tls', '@cdktf/provider-local'];

/**
 * What a site's stack is synthesized from, as one SHA-256: the configuration with the other sites left out, the
 * site's inputs (its CAs' certificates, the servers) and the code that synthesizes it (this app's loaded modules,
 * and the versions of cdktf and the providers' bindings). The digest of a site's last good deploy, unchanged, means
 * the same `cdk.tf.json`: the deploy does not synthesize the site again (app/site-changes.ts), which at 100 clients
 * a site is most of what a deploy that changes one site would spend on the others.
 */
export function siteInputDigest(config: AppConfig, inputs: SiteInputs): string {
  const site = config.pki.sites?.[inputs.site];
  const alone = { ...config, pki: { ...config.pki, sites: { [inputs.site]: site } } };
  return createHash('sha256').update(codeDigest()).update(JSON.stringify({ config: alone, inputs })).digest('hex');
}

let code: string | undefined;

/**
 * This app's synthesizing code, once: the text of its modules loaded (under its root, not node_modules: a module
 * preloaded with `node --require` is none of them) and the packages' versions.
 */
function codeDigest(): string {
  if (code !== undefined) return code;
  const hash = createHash('sha256');
  const root = `${path.resolve(__dirname, '..')}${path.sep}`;
  const own = Object.keys(require.cache).filter((file) => file.startsWith(root) && !file.slice(root.length).split(path.sep).includes('node_modules')).sort();
  for (const file of own) hash.update(file).update(fs.readFileSync(file));
  for (const name of SYNTH_PACKAGES) hash.update(`${name}@${require(`${name}/package.json`).version}`);
  return (code = hash.digest('hex'));
}
