import * as path from 'node:path';
import { Command } from 'commander';
import { CommandContext, configurationNotes, formatUsing } from '../command-line';
import { AppConfig } from '../config';
import { DEFAULT_OUTDIR } from '../synth';

/** `--output DIR`, the cdktf output directory, for the commands that synthesize. */
export function outdirOption(command: Command): void {
  command.option('-o, --output <dir>', `where to synthesize the engine's configuration (default: ${DEFAULT_OUTDIR} in the project)`);
}

/** The cdktf output directory of `--output`, absolute; taken from the directory the command was typed in. */
export function outdirOf(options: { output?: string }, context: CommandContext): string {
  return path.resolve(options.output === undefined ? context.io.projectDir : context.io.cwd, options.output ?? DEFAULT_OUTDIR);
}

/**
 * Loads the configuration, prints the command's first line (configuration, state, output directory) and the
 * notes about the configuration; returns the configuration.
 */
export function announce(command: string, context: CommandContext): AppConfig {
  const config = context.config();
  context.say(formatUsing(command, config, context.io.projectDir));
  for (const note of configurationNotes(config)) context.io.stderr(`${note}\n`);
  return config;
}
