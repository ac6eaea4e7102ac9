import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { AppConfig, ConfigError, invalidConfigurationHeader, loadConfig } from './config';
import { ChariotTlsStack } from './stack';

/** The fields that decide whether the hierarchy has anything in it. */
const MEMBERS = ['server', 'engineClients', 'transmissionClients', 'sites'];

/**
 * {@link loadConfig}, with every problem in one report: when the schema refuses fields, the hierarchy is built from
 * the fields it accepts, and the constructs' own problems are added to the schema's, so nobody fixes one stage
 * only to meet the next.
 */
export function loadCheckedConfig(env: NodeJS.ProcessEnv, projectDir: string): AppConfig {
  try {
    return loadConfig(env, projectDir);
  } catch (e) {
    if (!(e instanceof ConfigError) || e.partial === undefined) throw e;
    const refused = new Set(e.problems.map(topField));
    const more = hierarchyProblems(e.partial).filter((p) => !refused.has(topField(p)) && !(isEmptyHierarchy(p) && MEMBERS.some((m) => refused.has(m))));
    if (more.length === 0) throw e;
    const all = [...e.problems, ...more];
    throw new ConfigError(`${invalidConfigurationHeader(e.partial.configFile!)}\n${all.map((p) => `  - ${p}`).join('\n')}`, all);
  }
}

/**
 * Builds the stack, turning the constructs' validation errors into a {@link ConfigError} that names the
 * configuration file (or the defaults), one problem a line; other errors pass through.
 */
export function buildChecked<T>(config: AppConfig, build: () => T): T {
  try {
    return build();
  } catch (e) {
    const problems = constructProblems(e);
    if (problems === undefined) throw e;
    const source = config.configFile ?? 'the default configuration';
    throw new ConfigError(`${invalidConfigurationHeader(source)}\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
  }
}

/** What the constructs refuse in `config`, built in a throwaway app (nothing is written). */
function hierarchyProblems(config: AppConfig): string[] {
  try {
    new ChariotTlsStack(new App({ outdir: path.join(os.tmpdir(), 'chariot-tls-unused') }), 'check', config);
    return [];
  } catch (e) {
    return constructProblems(e) ?? [`${(e as Error).message}`];
  }
}

/**
 * The problems of a construct's validation error (`chariot-tls/pki/server: invalid configuration:\n  - ...`),
 * each prefixed with the construct below the hierarchy (`server: dnsNames[0] ...`); undefined for other errors.
 */
function constructProblems(e: unknown): string[] | undefined {
  const match = /^(\S+): invalid configuration:\n([\s\S]*)$/.exec((e as Error)?.message ?? '');
  if (!match) return undefined;
  const below = match[1].split('/').slice(2).join('/');
  return match[2].split('\n').map((line) => line.replace(/^ {2}- /, '')).map((p) => (below ? `${below}: ${p}` : p));
}

function topField(problem: string): string {
  return /^[A-Za-z$]+/.exec(problem)?.[0] ?? '';
}

function isEmptyHierarchy(problem: string): boolean {
  return problem.startsWith('server ') && problem.includes('there are no clients');
}
