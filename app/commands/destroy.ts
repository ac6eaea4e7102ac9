import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import { ChariotPki, FileKind, PkiInventory } from '../../lib';
import { CommandContext, CommandDefinition } from '../command-line';
import { AppConfig } from '../config';
import { caKeysOption } from '../ca-key-files';
import { INCOMPLETE_MARKER } from '../deploy-marker';
import { lockTimeoutArgs } from '../deploy-run';
import { destroyStack, readState } from '../engine';
import { TerminalDisplay, openDisplay } from '../engine-display';
import { environmentName } from '../environments';
import { INVENTORY_JSON_FILE, INVENTORY_MARKDOWN_FILE } from '../inventory';
import { GITIGNORE } from '../output-directory';
import { OWNER_FILE, foreignOutputProblems, readOwner } from '../output-owner';
import { crlFileOf, serverCrlFile } from '../revocation';
import { REVOCATION_RECORD_FILE } from '../revocation-record';
import { destroyEverySite } from '../site-destroy';
import { synthesizeForCommand } from '../synth';
import { announce, outdirOf, outdirOption } from './outdir';

/** The options of `npm run destroy`. */
interface DestroyOptions {
  readonly output?: string;
  readonly confirm?: string;
}

/**
 * `npm run destroy`: tears one environment down on purpose (a staging PKI, a test): the engine destroys its keys,
 * certificates and files, then its state, engine working directory, inventory and the rest of its output directory
 * go. Nothing of another environment: its output directory must be this PKI's (PKI-OWNER.json), and only the files
 * this PKI wrote are removed.
 */
export const DESTROY: CommandDefinition = {
  name: 'destroy',
  summary: "remove this environment's keys, certificates, files, state and inventory; asks for its name first",
  options: (command) => {
    outdirOption(command);
    command.option('--confirm <name>', "the environment's name (its configuration file's name without .json), for CI where nobody can type it");
  },
  help: [
    'On a terminal it asks for the environment\'s name; elsewhere it needs --confirm NAME. The CA keys are protected',
    'against replacement (prevent_destroy); destroy lifts that for this environment only, in its own synthesized stack.',
    'With "siteStates": true every site\'s own stack is destroyed first, then the CAs\' (only once every site is gone).',
    '',
    'Exit codes: 0 destroyed, 1 refused (no or wrong confirmation, another PKI\'s folder) or failed.',
  ].join('\n'),
  run: (options: DestroyOptions, context) => destroy(options, context),
};

async function destroy(options: DestroyOptions, context: CommandContext): Promise<number> {
  const config = announce('destroy', context);
  const name = environmentName(config);
  const outputDirectory = config.pki.outputDirectory!;
  const refused = (text: string) => {
    context.io.stderr(`chariot-tls: refused: ${text}\nNothing was changed.\n`);
    return 1;
  };
  const foreign = foreignOutputProblems(config);
  if (foreign.length > 0) return refused(`${foreign.join('; ')}. Destroying this configuration's state would remove files that are not its own.`);
  const given = options.confirm ?? await typedName(name, config, context);
  if (given === undefined) {
    return refused(`destroy removes every key, certificate and file of environment "${name}" (${describe(config)}), and cannot be undone. Run it on a terminal and type the name, or pass --confirm ${name}.`);
  }
  if (given !== name) return refused(`"${given}" is not the name of this environment ("${name}").`);

  context.say(`chariot-tls: the CA keys are protected against replacement (prevent_destroy); this destroy lifts that for "${name}" only, in its own synthesized stack.`);
  const owned = readOwner(outputDirectory)?.files ?? [];
  const outdir = outdirOf(options, context);
  const app = synthesizeForCommand(config, outdir, { unprotectCaKeys: true });
  // The whole hierarchy, the sites' clients with it (`siteStates`).
  const files = [...new Set([...owned, ...pkiFiles(app.pki)])];
  const display = openDisplay('destroy', outdir, context.verbosity);
  // As a deploy does: the engine waits for a state lock held a moment by another engine (with siteStates in
  // PostgreSQL the sites' engines, run at once, take the backend's workspace lock in turn) instead of failing at once.
  Object.assign(process.env, lockTimeoutArgs(process.env));
  let status: number;
  try {
    if (config.siteStates && !await sitesDestroyed(app, outdir, display, context)) return 1;
    status = await destroyStack({ ...app, display, caKeys: caKeysOption(config.caKeyFiles, app.stack.pki, false) });
  } finally {
    display.close();
  }
  if (status !== 0) {
    context.io.stderr(`chariot-tls: destroy failed; the engine's full output is in ${display.logFile}. Run it again once the cause is fixed.\n`);
    return status;
  }
  const left = removeOutputFiles(outputDirectory, files);
  const state = removeState(config);
  fs.rmSync(app.stackDir, { recursive: true, force: true });
  for (const file of [INVENTORY_JSON_FILE, INVENTORY_MARKDOWN_FILE, REVOCATION_RECORD_FILE]) fs.rmSync(path.join(config.inventoryDirectory, file), { force: true });
  context.io.stdout(`chariot-tls: destroyed environment "${name}": its keys, certificates and files, ${state}, its engine working directory and its inventory.\n`);
  if (left.length > 0) context.io.stdout(`chariot-tls: left in ${outputDirectory}, not written by this PKI: ${left.join(', ')}\n`);
  if (config.caKeyFiles) context.io.stdout(`chariot-tls: the CA key files in ${config.caKeyFiles.directory} are left as they are: delete them when no backup needs them.\n`);
  return 0;
}

/**
 * With `siteStates`, every site's stack is destroyed before the CAs' (app/site-destroy.ts); false, having said why,
 * when one was not: the CAs are then kept, their keys being what signs that site again.
 */
async function sitesDestroyed(app: ReturnType<typeof synthesizeForCommand>, outdir: string, display: TerminalDisplay, context: CommandContext): Promise<boolean> {
  const caState = await readState({ ...app, display });
  const outcomes = await destroyEverySite({ config: app.config, pki: app.pki, caSynthesized: app.synthesized, caState, outdir, display });
  const failed = outcomes.filter((o) => o.failure !== undefined);
  if (failed.length === 0) {
    context.say(`chariot-tls: destroyed ${outcomes.length} site(s) in their own state: ${outcomes.map((o) => o.site).join(', ') || 'none'}.`);
    return true;
  }
  const reasons = failed.map((o) => `  - site ${o.site}: ${o.failure}`).join('\n');
  context.io.stderr(`chariot-tls: destroy failed for ${failed.length} of ${outcomes.length} site(s):\n${reasons}\nchariot-tls: the CAs were not destroyed: their keys are needed to sign or destroy those sites again. The engine's full output is in ${display.logFile}. Run npm run destroy again once the cause is fixed.\n`);
  return false;
}

/**
 * The files the PKI writes, relative to its output directory: the engine's (the inventory's) and the CRLs the deploy
 * signs, for a folder whose PKI-OWNER.json (written by the deploys of this release) does not list them.
 */
function pkiFiles(pki: ChariotPki): string[] {
  const inventory = PkiInventory.of(pki);
  const crls = inventory.certificates.filter((c) => c.isCa).flatMap((c) => c.files.filter((f) => f.kind === FileKind.CERT).map((f) => crlFileOf(f.path)));
  const serverCrl = serverCrlFile(pki);
  return [
    ...inventory.certificates.flatMap((c) => c.files.map((f) => f.path)),
    ...crls,
    ...(serverCrl === undefined ? [] : [path.relative(pki.outputDirectory, serverCrl).split(path.sep).join('/')]),
  ];
}

/** The name typed on a terminal; undefined when there is no terminal to ask on. */
async function typedName(name: string, config: AppConfig, context: CommandContext): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    context.io.stdout(`This removes every key, certificate and file of environment "${name}" (${describe(config)}). It cannot be undone.\n`);
    return (await prompt.question(`Type the environment's name (${name}) to destroy it: `)).trim();
  } finally {
    prompt.close();
  }
}

function describe(config: AppConfig): string {
  const state = config.backend.type === 'local' ? config.backend.path : `PostgreSQL schema ${config.backend.schemaName}`;
  return `state ${state}, output ${config.pki.outputDirectory}`;
}

/**
 * Removes what this PKI wrote into its output directory (the engine removed its own files already; the CRLs,
 * PKCS#12 files and the deploy's own files are left to us), then every folder left empty. Returns what is left.
 */
function removeOutputFiles(outputDirectory: string, files: string[]): string[] {
  if (!fs.existsSync(outputDirectory)) return [];
  const lock = `${INCOMPLETE_MARKER}.lock`;
  for (const file of [...files, GITIGNORE, OWNER_FILE, INCOMPLETE_MARKER, lock]) {
    const target = path.resolve(outputDirectory, file);
    // A listed path never leaves the folder: the owner file is data, not an instruction. The marker's lock is a folder.
    if (target.startsWith(`${outputDirectory}${path.sep}`)) fs.rmSync(target, { force: true, recursive: file === lock });
  }
  removeEmptyFolders(outputDirectory);
  if (!fs.existsSync(outputDirectory)) return [];
  return (fs.readdirSync(outputDirectory, { recursive: true }) as string[]).filter((f) => !fs.statSync(path.join(outputDirectory, f)).isDirectory()).sort();
}

/** Removes `dir` and the folders under it that hold no file, deepest first. */
function removeEmptyFolders(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) removeEmptyFolders(path.join(dir, entry.name));
  }
  if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
}

/** Removes a local state file and its backup (empty now); says what became of the state. */
function removeState(config: AppConfig): string {
  if (config.backend.type === 'pg') return `the resources of its state (PostgreSQL schema ${config.backend.schemaName}, empty now: drop the schema if nothing else uses it)`;
  for (const file of [config.backend.path, `${config.backend.path}.backup`]) fs.rmSync(file, { force: true });
  return `its state (${config.backend.path})`;
}
