import * as path from 'node:path';
import { CommandContext, CommandDefinition, formatUsing } from '../command-line';
import { ExitCode } from '../inspect';
import { connectOptions } from '../inspect-connect';
import { errorJson } from '../inspect-report';
import { CRL_WARN_DAYS_OPTION, EXIT_CODES_HELP, InspectOptions, READS_HELP, inspectDirectory, rootFiles, wholeCrlDays, wholeDays } from '../inspect-directory';

/** The options of `npm run inspect`. */
interface InspectCommandOptions extends InspectOptions {
  readonly dir?: string;
}

/** `npm run inspect`: what is deployed, when it expires, whether it chains to the root, and whether its files are sound. */
export const INSPECT: CommandDefinition = {
  name: 'inspect',
  summary: 'list the deployed certificates and CRLs: expiry, key, fingerprint, whether each chains to a root, revoked serials',
  options: (command) => connectOptions(command
    .option('--dir <dir>', 'the directory to read (default: the output directory of the configuration)')
    .option('--json', 'print JSON instead of a table: every certificate of every file, and every problem')
    .option('--all', 'list every certificate of every file in the table, bundles included')
    .option('--wide', 'add the SHA-256 fingerprint and why a chain fails; shorten nothing')
    .option('--root <file>', 'a root file (trust anchor), relative to DIR; repeat for several, newest first (default: ca/ca.crt, ca/ca-gN.crt)', rootFiles)
    .option('--warn-days <n>', 'exit 2 when a certificate expires within N days (or has expired), naming it on stderr', wholeDays)
    .option(...CRL_WARN_DAYS_OPTION, wholeCrlDays)),
  help: `${READS_HELP}\n\n${EXIT_CODES_HELP}`,
  run: (options: InspectCommandOptions, context) => runInspect(options, context),
};

function runInspect(options: InspectCommandOptions, context: CommandContext): Promise<number> {
  const { io } = context;
  const out = { stdout: io.stdout, stderr: io.stderr, say: context.say, dirArgument: '--dir DIR', deployCommand: 'npm run deploy' };
  if (options.dir !== undefined) {
    const dir = path.resolve(io.cwd, options.dir);
    return inspectDirectory(dir, options, { ...out, using: `chariot-tls inspect: directory ${dir}` }, io.now);
  }
  let config;
  try {
    config = context.config();
  } catch (e) {
    const text = (e as Error).message;
    if (options.json) io.stdout(`${JSON.stringify(errorJson(null, text, io.now), null, 2)}\n`);
    io.stderr(`inspect: ${text}\n`);
    return Promise.resolve(ExitCode.ERROR);
  }
  const using = formatUsing('inspect', config, io.projectDir, ['output']);
  return inspectDirectory(config.pki.outputDirectory!, options, { ...out, using, configuration: config.configFile }, io.now);
}
