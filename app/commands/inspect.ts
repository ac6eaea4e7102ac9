import * as path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { CommandContext, CommandDefinition, formatUsing } from '../command-line';
import { ExitCode, InspectOptions, inspectDirectory } from '../inspect';

/** The options of `npm run inspect`. */
interface InspectCommandOptions extends InspectOptions {
  readonly dir?: string;
}

/** `npm run inspect`: what is deployed, when it expires, and whether it chains to the root. */
export const INSPECT: CommandDefinition = {
  name: 'inspect',
  summary: 'list the deployed certificates: expiry, key, fingerprint and whether each chains to a root',
  options: (command) => command
    .option('--dir <dir>', 'the directory to read (default: the output directory of the configuration)')
    .option('--json', 'print JSON instead of a table: every certificate of every file')
    .option('--all', 'list every certificate of every file in the table, bundles included')
    .option('--warn-days <n>', 'exit 2 when a certificate expires within N days (or has expired), naming it on stderr', wholeDays),
  help: [
    'Reads every .crt, .pem and .cer file under DIR; private keys are never read. The table shows each certificate',
    'once, by its own file, "(+N)" counting the bundles that also hold it. Every root file (ca/ca.crt, ca/ca-gN.crt)',
    'is a trust anchor.',
    '',
    'Exit codes: 0 all fine, 1 error, 2 a certificate expires within --warn-days,',
    '3 the files are from a deploy that has not finished (DIR/DEPLOY-INCOMPLETE exists).',
  ].join('\n'),
  run: (options: InspectCommandOptions, context) => runInspect(options, context),
};

function wholeDays(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole number of days; use e.g. --warn-days 30`);
  return Number(value);
}

function runInspect(options: InspectCommandOptions, context: CommandContext): number {
  const { io } = context;
  const error = (text: string) => io.stderr(`inspect: ${text}\n`);
  let dir: string;
  let using: string;
  try {
    if (options.dir !== undefined) {
      dir = path.resolve(io.cwd, options.dir);
      using = `chariot-tls inspect: directory ${dir}`;
    } else {
      const config = context.config();
      dir = config.pki.outputDirectory!;
      using = formatUsing('inspect', config, io.projectDir, ['output']);
    }
  } catch (e) {
    error((e as Error).message);
    return ExitCode.ERROR;
  }
  const out = { stdout: io.stdout, stderr: io.stderr, using, say: context.say, dirArgument: '--dir DIR', deployCommand: 'npm run deploy' };
  return inspectDirectory(dir, options, out, io.now);
}
