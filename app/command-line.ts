import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { AppConfig, CONFIG_ENV, DEFAULT_CONFIG_FILE } from './config';
import { loadCheckedConfig } from './config-report';

/** How much a command prints. */
export enum Verbosity {
  /** Problems and the result only: no first line, no progress. */
  QUIET = 'quiet',
  /** Our own first line, progress and summary; the engine's output goes to a log file. */
  NORMAL = 'normal',
  /** Everything, the engine's output streamed as it comes. */
  VERBOSE = 'verbose',
}

/** Where a command's output goes, and what it sees. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** The directory the command was typed in: `--config` and `--dir` are taken from it. */
  readonly cwd: string;
  /** The project root: `CHARIOT_TLS_CONFIG` and `chariot-tls.json` are taken from it. */
  readonly projectDir: string;
  readonly now: Date;
}

/** What every command is given. */
export interface CommandContext {
  readonly io: CliIo;
  readonly verbosity: Verbosity;
  /**
   * The configuration: `--config FILE`, else `CHARIOT_TLS_CONFIG`, else `chariot-tls.json`, else the defaults.
   * Loaded on first use, every problem of the file and of the hierarchy in one report (app/config-report.ts).
   */
  config(): AppConfig;
  /** Prints a line unless `--quiet`: the command's first line says what it works on. */
  say(text: string): void;
}

/**
 * One command of the CLI, in a file of its own under app/commands/; app/commands/index.ts lists them. The
 * common options (`--config`, `--quiet`, `--verbose`, `--help`) are added for it.
 */
export interface CommandDefinition {
  /** The npm script that runs it: `npm run NAME -- [options]`. */
  readonly name: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** More for `--help`, after the options (exit codes, examples). */
  readonly help?: string;
  /** Adds the command's own options. */
  readonly options?: (command: Command) => void;
  /** Runs it with its parsed options; resolves to the exit status. */
  readonly run: (options: any, context: CommandContext) => number | Promise<number>;
}

/** The exit status of a command line commander refused (an unknown option, a missing value). */
export const USAGE_STATUS = 1;

/** The same process's I/O, for scripts/chariot-tls.ts. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    // npm runs scripts in the project root; INIT_CWD is where the user typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
    projectDir: process.cwd(),
    now: new Date(),
  };
}

/**
 * Runs `argv` (`COMMAND [options]`) against the commands: parses it with commander, prints `--help` (exit 0) or
 * a usage error (exit {@link USAGE_STATUS}), else runs the command and resolves to its exit status.
 */
export async function runCli(argv: string[], commands: readonly CommandDefinition[], io: CliIo): Promise<number> {
  let status = 0;
  const program = new Command('npm run')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .helpCommand(false)
    .showHelpAfterError('(add --help for usage)');
  for (const definition of commands) {
    const command = program.command(definition.name).description(definition.summary).usage('-- [options]');
    definition.options?.(command);
    addCommonOptions(command);
    if (definition.help) command.addHelpText('after', `\n${definition.help}`);
    command.exitOverride().action(async (options) => {
      status = await definition.run(options, contextFor(options, io));
    });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : USAGE_STATUS;
    throw e;
  }
  return status;
}

function addCommonOptions(command: Command): void {
  command
    .option('-c, --config <file>', `the configuration file (default: $${CONFIG_ENV}, else ${DEFAULT_CONFIG_FILE} in the project, else the built-in defaults)`)
    .addOption(new Option('-q, --quiet', 'print only problems and the result').conflicts('verbose'))
    .addOption(new Option('-v, --verbose', "print everything, the engine's output as it comes").conflicts('quiet'))
    .helpOption('-h, --help', 'print this help');
}

function contextFor(options: { config?: string; quiet?: boolean; verbose?: boolean }, io: CliIo): CommandContext {
  const verbosity = options.quiet ? Verbosity.QUIET : options.verbose ? Verbosity.VERBOSE : Verbosity.NORMAL;
  // The flag wins over the variable: it is what was typed now.
  const env = options.config === undefined ? io.env : { ...io.env, [CONFIG_ENV]: path.resolve(io.cwd, options.config) };
  let config: AppConfig | undefined;
  return {
    io,
    verbosity,
    config: () => (config ??= loadCheckedConfig(env, io.projectDir)),
    say: (text) => {
      if (verbosity !== Verbosity.QUIET) io.stdout(`${text}\n`);
    },
  };
}

/**
 * A command's first line: `chariot-tls deploy: configuration chariot-tls.json, state terraform.chariot-tls.tfstate,
 * output pki`. Paths inside `from` are shown relative to it.
 */
export function formatUsing(command: string, config: AppConfig, from: string, parts: ('state' | 'output')[] = ['state', 'output']): string {
  const shown = (file: string) => {
    const relative = path.relative(from, file);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
  };
  const state = config.backend.type === 'local' ? shown(config.backend.path) : `PostgreSQL schema ${config.backend.schemaName}`;
  const items = [`configuration ${config.configFile ? shown(config.configFile) : `the defaults (no ${DEFAULT_CONFIG_FILE})`}`];
  if (parts.includes('state')) items.push(`state ${state}`);
  if (parts.includes('output')) items.push(`output ${shown(config.pki.outputDirectory!)}`);
  return `chariot-tls ${command}: ${items.join(', ')}`;
}

/** Notes about the configuration that every command building the hierarchy prints once. */
export function configurationNotes(config: AppConfig): string[] {
  const siteClients = Object.values(config.pki.sites ?? {}).reduce((n, site) => n + (site.transmissionClients?.length ?? 0), 0);
  const clients = (config.pki.engineClients?.length ?? 0) + (config.pki.transmissionClients?.length ?? 0) + siteClients;
  return !config.pki.server && clients > 0 ? ['chariot-tls: note: no server certificate: the Server CA is created for servers added later'] : [];
}
