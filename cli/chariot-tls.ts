#!/usr/bin/env node
/**
 * `npx chariot-tls COMMAND`: the package's CLI (package.json `bin`), for any cdktf app that uses the constructs, in
 * the pipeline of the repo that holds it: `review` a saved plan before `tofu apply`, `inspect` what was deployed,
 * print the `inventory` of a synthesized stack. Each command says first what it read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../app/inspect';
import { connectOptions } from '../app/inspect-connect';
import { CRL_WARN_DAYS_OPTION, EXIT_CODES_HELP, InspectOptions, READS_HELP, inspectDirectory, rootFiles, wholeCrlDays, wholeDays } from '../app/inspect-directory';
import { inventoryCommand } from './inventory';
import { reviewCommand } from './review';

/** Where a command prints, and what it sees. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads standard input to its end. */
  readonly stdin: () => string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly now: Date;
}

/** Runs `argv` (`COMMAND [options] [arguments]`) and resolves to the exit status; a bad command line exits 1. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let status = 0;
  const program = new Command('chariot-tls')
    .description('Review, inspect and list the PKI of a cdktf app built from the chariot-tls constructs.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(add --help for usage)');
  program
    .command('review')
    .description('review a saved plan (`tofu show -json PLAN`) as our deploy does: refuse a new CA key or subject')
    .argument('[plan.json]', 'the JSON of the saved plan; - or nothing: standard input')
    .option('--synth <cdk.tf.json>', "the stack's cdk.tf.json, for the construct path of every resource (default: read from resource names)")
    .addHelpText('after', [
      '',
      'Prints one line per certificate that changes, and a loud "!!! CA CHANGE" line first when a CA would change.',
      'Refuses (exit 1, naming the CA, what changes and how to rotate) a plan that gives a CA a new key or subject,',
      'unless CHARIOT_TLS_ALLOW_CA_CHANGE names it. Exit codes: 0 the plan may be applied, 1 refused or unreadable.',
      '',
      'Example: tofu plan -out=plan && tofu show -json plan | npx chariot-tls review --synth cdk.tf.json && tofu apply plan',
    ].join('\n'))
    .action((file: string | undefined, options: { synth?: string }) => {
      status = reviewCommand(file, options, io);
    });
  connectOptions(program
    .command('inspect')
    .description('list the certificates and CRLs under DIR: expiry, key, fingerprint, whether each chains to a root, revoked serials')
    .argument('<dir>', 'the directory the certificates were written to')
    .option('--json', 'print JSON instead of a table: every certificate of every file, and every problem')
    .option('--all', 'list every certificate of every file in the table, bundles included')
    .option('--wide', 'add the SHA-256 fingerprint and why a chain fails; shorten nothing')
    .option('--root <file>', 'a root file (trust anchor), relative to DIR; repeat for several, newest first (default: ca/ca.crt, ca/ca-gN.crt)', rootFiles)
    .option('--warn-days <n>', 'exit 2 when a certificate expires within N days (or has expired), naming it on stderr', wholeDays)
    .option(...CRL_WARN_DAYS_OPTION, wholeCrlDays))
    .addHelpText('after', `\n${READS_HELP}\nChains are checked up to the root files as ChariotPki writes them, or those named with --root.\n\n${EXIT_CODES_HELP}`)
    .action(async (dir: string, options: InspectOptions) => {
      const directory = path.resolve(io.cwd, dir);
      const out = { stdout: io.stdout, stderr: io.stderr, using: `chariot-tls inspect: directory ${directory}`, say: (text: string) => io.stdout(`${text}\n`), dirArgument: 'DIR', deployCommand: 'cdktf deploy' };
      status = await inspectDirectory(directory, options, out, io.now);
    });
  program
    .command('inventory')
    .description('the certificates a synthesized stack declares (cdktf.out): subjects, keys, issuers, path lengths, files')
    .argument('[cdktf.out]', 'the output of `cdktf synth`', 'cdktf.out')
    .option('--json', 'print JSON instead of Markdown')
    .action((dir: string, options: { json?: boolean }) => {
      status = inventoryCommand(dir, options, io);
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : ExitCode.ERROR;
    throw e;
  }
  return status;
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: () => fs.readFileSync(0, 'utf8'),
    env: process.env,
    cwd: process.cwd(),
    now: new Date(),
  }).then(
    (status) => { process.exitCode = status; },
    (e) => { process.stderr.write(`chariot-tls: ${(e as Error).message}\n`); process.exitCode = 1; },
  );
}
