import { TerminalDisplay } from './engine-display';
import { EnvironmentLock } from './environment-lock';
import { ExistingPki } from './existing-pki';
import { synthesizeForCommand } from './synth';

/** The configuration as synthesized for the deploy. */
export type SynthesizedForDeploy = ReturnType<typeof synthesizeForCommand>;

/** Where the engine's output goes, and what stops it, during a deploy (app/deploy-run.ts, app/deploy-every-site.ts). */
export interface EngineHooks {
  /** The local state file, if the state is local: its `.backup` loses the keys a deploy destroyed. */
  readonly localStateFile?: string;
  readonly onOutput: (text: string) => void;
  readonly signal: AbortSignal;
  readonly existingPki: ExistingPki;
  readonly display: TerminalDisplay;
  /** The environment's lock, held on entry: let go of while the sites deploy in their own state. */
  readonly environment: EnvironmentLock;
}
