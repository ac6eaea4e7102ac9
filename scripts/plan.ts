/**
 * `npm run plan [-- --output DIR]`: synthesizes, has the engine plan into a private temporary file, prints the
 * engine's plan and then a summary in words (app/plan-review.ts). With `--apply` (what `npm run deploy` runs)
 * it then applies exactly that plan. Either way it stops, changing nothing, when the plan would give a CA a
 * new key or subject. Run through scripts/engine/run.sh, which chooses the engine.
 */
import { SpawnSyncOptions, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  allowedCaChanges, formatProtectedKeyRefusal, formatRefusal, formatSummary, keyChange, keyFactsInState,
  keyFactsInSynthesized, constructPaths, preventDestroyAddresses, reducePlan, refusedCaChanges, reviewPlan,
} from '../app/plan-review';
import { loadConfig } from '../app/config';

/** The app's stack (main.ts). */
const STACK = 'chariot-tls';
/** Where to also write the reduced, secret-free plan as JSON (for CI artefacts and test fixtures). */
const PLAN_JSON_ENV = 'CHARIOT_TLS_PLAN_JSON';

function main(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { output: { type: 'string', default: 'cdktf.out' }, apply: { type: 'boolean', default: false } } });
  const outDir = path.resolve(values.output!);
  const engine = process.env.CHARIOT_TLS_ENGINE_BIN ?? 'tofu';
  // Logs and CI get plain text; a terminal gets the engine's colours.
  const color = process.stdout.isTTY ? [] : ['-no-color'];
  const synth = run('npx', ['--no-install', 'cdktf', 'synth', '--output', outDir], { stdio: ['inherit', 'pipe', 'pipe'] });
  process.stdout.write(withoutSpinner(synth.stdout));
  process.stderr.write(withoutSpinner(synth.stderr));
  if (synth.status !== 0) return 1;
  const stackDir = path.join(outDir, 'stacks', STACK);
  const synthesized = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
  const init = run(engine, ['init', '-input=false', '-no-color'], { cwd: stackDir });
  if (init.status !== 0) return fail(`${init.stdout}${init.stderr}`);

  // The saved plan holds private keys: it lives in a 0700 directory and is removed at the end.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-plan-'));
  try {
    const planFile = path.join(tmp, 'plan');
    const plan = run(engine, ['plan', '-input=false', ...color, `-out=${planFile}`], { cwd: stackDir, stdio: ['inherit', 'pipe', 'pipe'] });
    // The engine's advice to `apply` the saved plan is not ours to give: the file is removed below.
    process.stdout.write(plan.stdout.replace(/\n*(\x1b\[[0-9;]*m)*Saved the plan to:[\s\S]*$/, '\n'));
    if (plan.status !== 0) return planFailed(engine, stackDir, synthesized, plan.stderr);
    // `show -json` prints secrets: it is parsed here and never printed.
    const shown = run(engine, ['show', '-json', planFile], { cwd: stackDir });
    if (shown.status !== 0) return fail(shown.stderr);
    const reduced = reducePlan(JSON.parse(shown.stdout), synthesized, loadConfig().pki.outputDirectory);
    if (process.env[PLAN_JSON_ENV]) fs.writeFileSync(process.env[PLAN_JSON_ENV]!, `${JSON.stringify(reduced, null, 2)}\n`);
    const review = reviewPlan(reduced);
    process.stdout.write(`\n${formatSummary(review)}`);
    const refused = refusedCaChanges(review, allowedCaChanges(process.env));
    if (refused.length > 0) return fail(formatRefusal(refused));
    if (!values.apply) return 0;
    return run(engine, ['apply', '-input=false', ...color, planFile], { cwd: stackDir, stdio: 'inherit' }).status;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Translates the engine's `prevent_destroy` errors into the CA's name and change; other errors pass through. */
function planFailed(engine: string, stackDir: string, synthesized: any, stderr: string): number {
  const addresses = preventDestroyAddresses(stderr);
  if (addresses.length === 0) return fail(stderr);
  const state = run(engine, ['show', '-json'], { cwd: stackDir });
  const stateJson = state.status === 0 ? JSON.parse(state.stdout) : undefined;
  const paths = constructPaths(synthesized);
  return fail(formatProtectedKeyRefusal(addresses.map((address) => ({
    construct: path.posix.dirname(paths.get(address) ?? address),
    change: keyChange(keyFactsInState(stateJson, address), keyFactsInSynthesized(synthesized, address)),
  }))));
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, ...options });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

/** cdktf's output without its progress spinner (frames redrawn with escape codes): warnings and errors stay. */
function withoutSpinner(text: string): string {
  const lines = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\n');
  return lines.filter((line) => line.trim() !== '' && !/^\s*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]\s/.test(line)).map((line) => `${line}\n`).join('');
}

function fail(message: string): number {
  process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
  return 1;
}

process.exitCode = main(process.argv.slice(2));
