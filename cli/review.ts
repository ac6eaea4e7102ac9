import * as fs from 'node:fs';
import * as path from 'node:path';
import { allowedCaChanges, formatRefusal, refusedCaChanges } from '../app/ca-refusals';
import { reducePlan } from '../app/plan-facts';
import { reviewPlan } from '../app/plan-review';
import { formatSummary } from '../app/plan-summary';
import type { CliIo } from './chariot-tls';

/**
 * `chariot-tls review [PLAN.json] [--synth cdk.tf.json]`: the review our deploy does before it applies (app/plan-review.ts), for a pipeline that applies with its own engine: the summary on stdout, and exit 1 with the
 * refusal on stderr when a CA would get a new key or subject that `CHARIOT_TLS_ALLOW_CA_CHANGE` does not name.
 */
export function reviewCommand(file: string | undefined, options: { synth?: string }, io: CliIo): number {
  const source = file === undefined || file === '-' ? 'standard input' : path.resolve(io.cwd, file);
  const synthFile = options.synth === undefined ? undefined : path.resolve(io.cwd, options.synth);
  let plan: any;
  let synthesized: any;
  try {
    plan = parse(source === 'standard input' ? io.stdin() : fs.readFileSync(source, 'utf8'), source);
    if (!Array.isArray(plan?.resource_changes) && plan?.format_version === undefined) {
      throw new Error(`${source} is JSON but not a saved plan: give the output of \`tofu show -json PLAN\` (or terraform's)`);
    }
    synthesized = synthFile === undefined ? undefined : parse(fs.readFileSync(synthFile, 'utf8'), synthFile);
  } catch (e) {
    io.stderr(`chariot-tls review: ${(e as Error).message}\n`);
    return 1;
  }
  const changes = (plan.resource_changes ?? []).length;
  const paths = synthFile === undefined ? 'construct paths from the resource names' : `construct paths from ${synthFile}`;
  io.stdout(`chariot-tls review: plan from ${source} (${changes} resource changes), ${paths}\n`);
  // The same steps as the deploy's review (app/engine.ts), in the same words.
  const review = reviewPlan(reducePlan(plan, synthesized));
  io.stdout(formatSummary(review));
  const refused = refusedCaChanges(review, allowedCaChanges(io.env));
  if (refused.length === 0) return 0;
  io.stderr(`${formatRefusal(refused)}\n`);
  return 1;
}

function parse(text: string, source: string): any {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not JSON (${(e as Error).message}): give the output of \`tofu show -json PLAN\`, not the binary plan`);
  }
}
