import * as fs from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from './config';
import { SiteFacts, readRecords, recordOf, whyPlan, writeRecords } from './site-changes';

/**
 * With `siteStates`, a deploy that changes a site need not plan the CAs' stack as well (a second of the engine at
 * 2,000 clients, each deploy): it is judged as a site is (app/site-changes.ts), from what was recorded after its
 * last good deploy: its `cdk.tf.json`, its state file, its files and the date its first certificate enters its
 * renewal window. Only where those see every change: a local, unencrypted state (an encrypted one must be opened
 * by the engine to prove the passphrase), without CA key files or an enterprise root (their inputs live outside the
 * stack). The record is dropped before the CAs' stack is planned, and written once it is applied.
 */
export class CaStackRecord {
  /** The record of the CAs' stack in `stackDir`; `undefined` (and any record removed) where it may not decide. */
  static of(config: AppConfig, stackDir: string): CaStackRecord | undefined {
    const file = path.join(stackDir, RECORD_FILE);
    const { backend, stateEncryption, caKeyFiles, externalRoot, siteStates } = config;
    if (siteStates && backend.type === 'local' && !stateEncryption.enabled && caKeyFiles === undefined && externalRoot === undefined) {
      const synthesizedText = fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8');
      return new CaStackRecord(file, { site: path.basename(stackDir), inputs: '', stateFile: backend.path, synthesizedText });
    }
    fs.rmSync(file, { force: true });
    return undefined;
  }

  private constructor(private readonly file: string, private readonly facts: SiteFacts & { readonly synthesizedText: string }) {}

  /** Why the CAs' stack must be planned; `undefined` when nothing can have changed there since its last good deploy. */
  whyPlan(now: Date): string | undefined {
    return whyPlan(this.facts, readRecords(this.file)[this.facts.site], now);
  }

  /** Forgets the last good deploy: a plan of the CAs' stack is about to change what it recorded. */
  forget(): void {
    fs.rmSync(this.file, { force: true });
  }

  /** Records the stack as just deployed (applied, its files given their modes), as the sites' records are kept. */
  record(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    writeRecords(this.file, { [this.facts.site]: recordOf(this.facts) });
  }
}

/** Beside the engine's own files in the stack: removing `.terraform` removes it too. */
const RECORD_FILE = path.join('.terraform', 'chariot-tls-deployed.json');
