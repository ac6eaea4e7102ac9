import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnnotationMetadataEntryType, App } from 'cdktf';
import { AppConfig } from './config';
import { buildChecked } from './config-report';
import { productLabels, writeInventory } from './inventory';
import { ChariotPki } from '../lib';
import { ChariotTlsStack, StackOptions } from './stack';
import { withoutTokenStackTraces } from './token-stack-traces';

/** The app's one stack: `cdktf.out/stacks/chariot-tls`, and the name `cdktf deploy chariot-tls` takes. */
export const STACK = 'chariot-tls';

/** The ready app, synthesized. */
export interface SynthesizedApp {
  /** The stack, with the hierarchy as constructs (`stack.pki`); with `siteStates`, the CAs' stack, without the sites' clients. */
  readonly stack: ChariotTlsStack;
  /**
   * The whole hierarchy, the sites' clients included: what the inventory, the files and the summary are about. The
   * stack's own with `siteStates` off; built beside it, never synthesized, with it on.
   */
  readonly pki: ChariotPki;
  /** The directory the engine runs in: `<outdir>/stacks/chariot-tls`. */
  readonly stackDir: string;
  /** The stack's `cdk.tf.json`, parsed (when first read: the synth command never reads it, 17 MB at 2,000 clients). */
  readonly synthesized: any;
  /** The constructs' warnings and notes, one line each, as `cdktf synth` prints them. */
  readonly annotations: string[];
  /** The product of each server and client certificate, by construct path under the stack (`pki/server`). */
  readonly productLabels: ReadonlyMap<string, string>;
}

/**
 * Synthesizes the ready app into `outdir` (default: what cdktf asks for through `CDKTF_OUTDIR`, else
 * `cdktf.out`) and writes the inventory beside the configuration. The deploy calls this in its own
 * process: going through the `cdktf synth` CLI cost seconds on every deploy (bench/README.md).
 */
export function synthesizeApp(config: AppConfig, outdir?: string, options: StackOptions = {}): SynthesizedApp {
  const app = new App(outdir === undefined ? {} : { outdir });
  const { stack, pki } = withoutTokenStackTraces(() => {
    const built = buildChecked(config, () => new ChariotTlsStack(app, STACK, config.siteStates ? caStackConfig(config) : config, options));
    // The sites' clients live in stacks of their own (app/site-states.ts); the whole hierarchy is described as before.
    const whole = config.siteStates ? new ChariotTlsStack(new App({ outdir: path.join(os.tmpdir(), 'chariot-tls-unused') }), STACK, config, options).pki : built.pki;
    app.synth();
    return { stack: built, pki: whole };
  });
  // Only a hierarchy that synthesized is described; the inventory sits next to the configuration, for review.
  writeInventory(pki, config.inventoryDirectory);
  const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, 'manifest.json'), 'utf8'));
  const entry = manifest.stacks[STACK];
  const stackFile = path.join(app.outdir, entry.synthesizedStackPath);
  let synthesized: any;
  return {
    stack,
    pki,
    stackDir: path.join(app.outdir, entry.workingDirectory),
    get synthesized() {
      return (synthesized ??= JSON.parse(fs.readFileSync(stackFile, 'utf8')));
    },
    // Error annotations never get here: app.synth() throws on them.
    productLabels: productLabels(pki),
    annotations: entry.annotations.map((a: any) => `${a.level === AnnotationMetadataEntryType.WARN ? 'WARN' : 'INFO'} [${a.constructPath}]: ${a.message}`),
  };
}

/** The cdktf output directory when a command is given no `--output`. */
export const DEFAULT_OUTDIR = 'cdktf.out';

/**
 * What `npm run synth`, `plan` and `deploy` start with: the configuration synthesized into `outdir`, with the
 * constructs' warnings printed (to stderr) as `cdktf synth` prints them (e.g. a validity shorter than its renewal window).
 */
export function synthesizeForCommand(config: AppConfig, outdir: string = DEFAULT_OUTDIR, options: StackOptions = {}): SynthesizedApp & { readonly config: AppConfig } {
  const app = synthesizeApp(config, outdir, options);
  for (const line of app.annotations) process.stderr.write(`${line}\n`);
  // Not a spread: that would read the synthesized file now.
  return Object.assign(app, { config });
}

/** The CAs' stack's configuration with `siteStates`: every site with its CA, without its clients. */
export function caStackConfig(config: AppConfig): AppConfig {
  const sites = config.pki.sites && Object.fromEntries(Object.entries(config.pki.sites).map(([name, site]) => [name, { ...site, transmissionClients: [] }]));
  return { ...config, pki: { ...config.pki, sites } };
}
