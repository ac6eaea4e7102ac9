import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig, CONFIG_ENV, ConfigSchema, DEFAULT_CONFIG_FILE, loadConfig } from './config';
import { stateIdentity } from './output-owner';
import { UserError } from './user-error';

/**
 * Several environments in one checkout (docs/operate.md, "Environments"): each configuration file is one PKI with
 * its own state, output directory, inventory and engine working directory. The other environments of a configuration
 * are the configuration files beside it (every `*.json` there that is a configuration) and the project's default
 * environment once it has state; no list to keep, so a fresh clone knows them too.
 */

/** Where the engine's working directories of the environments other than the default go, under the cdktf output. */
const ENVIRONMENTS_DIR = 'env';

/** An environment that shares something with another; the message says what and how to fix it. */
export class EnvironmentError extends UserError {}

/** What two environments must never share. */
interface Claims {
  readonly state: string;
  readonly outputDirectory: string;
  readonly inventoryDirectory: string;
}

/**
 * The engine's working directory (cdktf output) of an environment: `cdktf.out` for the project's default
 * configuration, as before; `cdktf.out/env/PATH` for any other, PATH its file's place in the project without
 * `.json` (`cdktf.out/env/environments/staging`). Two environments never share one, so the engine never finds
 * another environment's backend there (the "Backend configuration changed" its `init` would stop with).
 */
export function workingDirectory(config: AppConfig, projectDir: string, defaultOutdir: string): string {
  if (isDefault(config, projectDir)) return path.resolve(projectDir, defaultOutdir);
  const relative = path.relative(projectDir, config.configFile!).replace(/\.json$/i, '');
  const place = relative.startsWith('..') || path.isAbsolute(relative)
    ? `outside-${createHash('sha256').update(config.configFile!).digest('hex').slice(0, 12)}`
    : relative;
  return path.resolve(projectDir, defaultOutdir, ENVIRONMENTS_DIR, place);
}

/**
 * Refuses a configuration whose state (local file or PostgreSQL schema), output directory or inventory directory is
 * another environment's: two PKIs would overwrite each other's keys and files, and the second deploy would replace
 * the first one's CAs. Nothing is written before this check.
 */
export function checkEnvironment(config: AppConfig, projectDir: string): void {
  const mine = claims(config);
  const problems: string[] = [];
  for (const other of otherEnvironments(config, projectDir)) {
    const theirs = claims(other);
    const name = other.configFile ? shown(other.configFile, projectDir) : `the default environment (${DEFAULT_CONFIG_FILE})`;
    if (mine.state === theirs.state) {
      problems.push(`its state (${describeState(config)}) is the state of ${name}; give it a state of its own: backend.path "terraform.${environmentName(config)}.tfstate", or its own backend.schemaName`);
    }
    if (mine.outputDirectory === theirs.outputDirectory) {
      problems.push(`its outputDirectory ${shown(mine.outputDirectory, projectDir)} is the output directory of ${name}; give it a folder of its own, e.g. "pki-${environmentName(config)}"`);
    }
    if (mine.inventoryDirectory === theirs.inventoryDirectory) {
      problems.push(`its inventoryDirectory ${shown(mine.inventoryDirectory, projectDir)} is the inventory directory of ${name}; give it a folder of its own, e.g. "inventory/${environmentName(config)}"`);
    }
  }
  if (problems.length === 0) return;
  const file = config.configFile ? shown(config.configFile, projectDir) : 'the default configuration';
  throw new EnvironmentError(
    `chariot-tls: refused: ${file} shares what one environment must have alone (nothing was written):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

function isDefault(config: AppConfig, projectDir: string): boolean {
  return config.configFile === undefined || config.configFile === path.join(projectDir, DEFAULT_CONFIG_FILE);
}

/** The configuration files beside this one, and the project's default environment once it has state. */
function otherEnvironments(config: AppConfig, projectDir: string): AppConfig[] {
  const others: AppConfig[] = [];
  const folder = config.configFile ? path.dirname(config.configFile) : projectDir;
  const files = fs.readdirSync(folder).filter((f) => f.toLowerCase().endsWith('.json')).map((f) => path.join(folder, f));
  for (const file of files.filter((f) => f !== config.configFile)) {
    const other = readSibling(file, projectDir);
    if (other) others.push(other);
  }
  if (!isDefault(config, projectDir) && !others.some((o) => isDefault(o, projectDir))) {
    const fallback = tryLoad({}, projectDir);
    if (fallback && (fallback.backend.type === 'pg' || fs.existsSync(fallback.backend.path))) others.push(fallback);
  }
  return others;
}

/** A configuration file beside this one, or undefined for any other JSON (package.json, an inventory, `{}`). */
function readSibling(file: string, projectDir: string): AppConfig | undefined {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json) || Object.keys(json).length === 0) return undefined;
  // A field no configuration has (an inventory's "certificates") makes it no configuration: loading would refuse it,
  // after scanning every string in it (a second of a deploy at 2,000 clients, whose inventory sits beside its file).
  if (!Object.keys(json).every((key) => Object.hasOwn(ConfigSchema.shape, key))) return undefined;
  return tryLoad({ [CONFIG_ENV]: file }, projectDir);
}

/** The configuration, or undefined when it is not a valid one: its own commands report that. */
function tryLoad(env: NodeJS.ProcessEnv, projectDir: string): AppConfig | undefined {
  try {
    return loadConfig(env, projectDir);
  } catch {
    return undefined;
  }
}

function claims(config: AppConfig): Claims {
  return {
    state: stateIdentity(config),
    outputDirectory: config.pki.outputDirectory!,
    inventoryDirectory: config.inventoryDirectory,
  };
}

function describeState(config: AppConfig): string {
  return config.backend.type === 'local' ? config.backend.path : `PostgreSQL schema ${config.backend.schemaName}`;
}

/** An environment's name: its configuration file's name without `.json` (`staging`), `default` without one. */
export function environmentName(config: AppConfig): string {
  return config.configFile ? path.basename(config.configFile).replace(/\.json$/i, '') : 'default';
}

function shown(file: string, from: string): string {
  const relative = path.relative(from, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
