import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { CommandContext, CommandDefinition, formatUsing } from '../command-line';
import { ExitCode, NO_ROOT, distinctCertificates, expiringWithin, formatTable, inspect, readCertificateFiles, toJson } from '../inspect';
import { INCOMPLETE_MARKER } from '../preflight';

/** The options of `npm run inspect`. */
interface InspectOptions {
  readonly dir?: string;
  readonly json?: boolean;
  readonly all?: boolean;
  readonly warnDays?: number;
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
  run: (options: InspectOptions, context) => runInspect(options, context),
};

function wholeDays(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole number of days; use e.g. --warn-days 30`);
  return Number(value);
}

function runInspect(options: InspectOptions, context: CommandContext): number {
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
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    error(`${dir} is not a directory; deploy first (npm run deploy) or name one with --dir DIR`);
    return ExitCode.ERROR;
  }
  const marker = path.join(dir, INCOMPLETE_MARKER);
  if (fs.existsSync(marker)) {
    io.stderr(`inspect: ${dir} holds the files of a deploy that has not finished; they may be a mix of old and new. ${marker} says:\n\n${fs.readFileSync(marker, 'utf8')}`);
    return ExitCode.INCOMPLETE;
  }
  const files = readCertificateFiles(dir);
  if (files.length === 0) {
    error(`no certificates under ${dir} (no .crt, .pem or .cer file holds one); deploy first or check --dir`);
    return ExitCode.ERROR;
  }

  const inspection = inspect(dir, files, io.now);
  if (options.json) {
    io.stdout(`${JSON.stringify(toJson(inspection, options.warnDays), null, 2)}\n`);
  } else {
    context.say(using);
    io.stdout(formatTable(inspection, options.all));
  }
  if (!inspection.root) error(`warning: no root under ${dir}: ${NO_ROOT}, so no chain can be verified`);
  if (options.warnDays === undefined) return ExitCode.OK;
  const expiring = distinctCertificates(expiringWithin(inspection, options.warnDays));
  for (const { certificate: c, copies } of expiring) {
    const when = c.expired ? `expired ${c.notAfter.toISOString()}` : `expires ${c.notAfter.toISOString()} (${c.daysLeft} days left)`;
    error(`${c.subject} ${when}, within ${options.warnDays} days: ${copies.map((copy) => copy.label).join(', ')}`);
  }
  return expiring.length > 0 ? ExitCode.EXPIRING : ExitCode.OK;
}
