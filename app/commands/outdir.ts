import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { CommandContext, configurationNotes, formatUsing } from '../command-line';
import { AppConfig } from '../config';
import { checkEnvironment, workingDirectory } from '../environments';
import { DEFAULT_OUTDIR } from '../synth';

/** `--output DIR`, the cdktf output directory, for the commands that synthesize. */
export function outdirOption(command: Command): void {
  command.option('-o, --output <dir>', `where to synthesize the engine's configuration (default: ${DEFAULT_OUTDIR} in the project; ${DEFAULT_OUTDIR}/env/PATH for a configuration other than the project's own)`);
}

/** The cdktf output directory of `--output`, absolute; taken from the directory the command was typed in. */
export function outdirOf(options: { output?: string }, context: CommandContext): string {
  if (options.output !== undefined) return path.resolve(context.io.cwd, options.output);
  // Each environment has a working directory of its own (app/environments.ts); cdktf makes only the last level.
  const dir = workingDirectory(context.config(), context.io.projectDir, DEFAULT_OUTDIR);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  return dir;
}

/**
 * Loads the configuration, prints the command's first line (configuration, state, output directory) and the
 * notes about the configuration; returns the configuration.
 */
export function announce(command: string, context: CommandContext): AppConfig {
  const config = context.config();
  checkEnvironment(config, context.io.projectDir);
  context.say(formatUsing(command, config, context.io.projectDir));
  for (const note of configurationNotes(config)) context.io.stderr(`${note}\n`);
  return config;
}
