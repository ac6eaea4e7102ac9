import * as path from 'node:path';
import { FileKind, InventoryCertificate, PkiInventory } from '../lib';
import { CertificateChange } from './certificate-change';
import type { CertificateReview } from './plan-review';
import { CertificateState, Snapshot, certFiles, damagedPemFiles } from './certificates-on-disk';
import { Pkcs12Outcome } from './pkcs12';

const HOUR_MS = 60 * 60 * 1000;

/** One certificate after the deploy. */
export interface SummarizedCertificate {
  readonly certificate: InventoryCertificate;
  /** Its certificate file, relative to the output directory. */
  readonly file: string;
  readonly change: CertificateChange;
  readonly notAfter: Date;
  /** From when a deploy re-issues it; none when it is not renewed early. */
  readonly renewableFrom?: Date;
  /**
   * Its file held another key's certificate before the deploy, which the engine did not re-key: another PKI's
   * files had been written over this one's, and the deploy wrote this PKI's own again (`FILES_REWRITTEN`).
   * @default false
   */
  readonly wasForeign?: boolean;
}

/** What a deploy did, for the lines it prints at the end. */
export interface DeploySummary {
  readonly outputDirectory: string;
  readonly certificates: SummarizedCertificate[];
  /** PKCS#12 files by outcome, when PKCS#12 output is on. */
  readonly pkcs12?: Pkcs12Outcome[];
  /** The servers' PKCS#12 trust stores (`client-truststore.p12`) by outcome, when PKCS#12 output is on. */
  readonly trustStores?: Pkcs12Outcome[];
  /**
   * The PEM files that were empty or cut short before the deploy and are whole again, relative.
   * @default - none
   */
  readonly restored?: string[];
  /** The log of the engine's full output, when there is one. */
  readonly logFile?: string;
  /**
   * The certificates the deploy destroyed (no longer in the configuration), by construct path.
   * @default - none
   */
  readonly destroyed?: string[];
  /**
   * What to give which product now, in order (app/hand-outs.ts).
   * @default - nothing to hand out
   */
  readonly handOuts?: string[];
}

/** What {@link summarize} knows besides the certificates on disk. */
export interface SummaryFacts {
  /**
   * The PEM files that were empty or cut short before the deploy ({@link damagedPemFiles}): their certificates are
   * restored rather than created.
   * @default - none
   */
  readonly damaged?: string[];
  /**
   * The files the deploy changed (app/hand-outs.ts): a certificate that stays while some of its files change has
   * its files rewritten.
   * @default - none
   */
  readonly changedFiles?: ReadonlySet<string>;
  /**
   * The review of the plan the deploy applied: the same words as the plan for what happened to each certificate
   * (renewed or re-issued), and the certificates destroyed.
   * @default - judged from the files alone
   */
  readonly review?: CertificateReview[];
  /**
   * When the deploy ran: a certificate re-signed for its old key is renewed when it had entered its renewal window.
   * @default - now
   */
  readonly now?: Date;
}

/** What the plan did to the certificate itself, beyond writing its files: the only changes that make new keys or certificates. */
const SIGNING_CHANGES = [CertificateChange.CREATED, CertificateChange.RENEWED, CertificateChange.REISSUED, CertificateChange.REPLACED];

/**
 * Compares the certificates before and after a deploy, naming each change as the plan does
 * (app/certificate-change.ts): created, renewed or re-issued (same key), replaced (new key), files rewritten,
 * restored, unchanged; and the certificates destroyed. With the review, a certificate the engine did not sign but
 * whose file held another PKI's certificate is rewritten from the state, not replaced.
 */
export function summarize(inventory: PkiInventory, outputDirectory: string, before: Snapshot, after: Snapshot, facts: SummaryFacts = {}): DeploySummary {
  const damaged = facts.damaged ?? [];
  const planned = new Map((facts.review ?? []).map((r) => [r.construct, r.action]));
  const certificates = certFiles(inventory, outputDirectory).flatMap(([c, file]) => {
    const now = after.get(c.constructPath);
    if (now === undefined) return [];
    const relative = path.relative(outputDirectory, file).split(path.sep).join('/');
    const was = before.get(c.constructPath);
    // A README is rewritten with its servers' names; the plan does not count it as the certificate's file either.
    const files = c.files.filter((f) => f.kind !== FileKind.README).map((f) => f.path);
    const filesChanged = files.some((f) => facts.changedFiles?.has(f));
    const renewal = { earlyRenewalHours: c.earlyRenewalHours, planned: planned.get(stackRelative(c.constructPath)), now: facts.now ?? new Date() };
    const change = changeOf(was, now, filesChanged, renewal);
    const restored = (was === undefined && damaged.includes(relative)) || (change === CertificateChange.FILES_REWRITTEN && files.some((f) => damaged.includes(f)));
    const onlyWritten = facts.review !== undefined && !restored && ![CertificateChange.UNCHANGED, CertificateChange.FILES_REWRITTEN].includes(change)
      && !SIGNING_CHANGES.includes(planned.get(stackRelative(c.constructPath)) ?? CertificateChange.UNCHANGED);
    return [{
      certificate: c,
      file: relative,
      change: restored ? CertificateChange.RESTORED : onlyWritten ? CertificateChange.FILES_REWRITTEN : change,
      notAfter: now.notAfter,
      renewableFrom: c.earlyRenewalHours > 0 ? new Date(now.notAfter.getTime() - c.earlyRenewalHours * HOUR_MS) : undefined,
      wasForeign: onlyWritten && was !== undefined && was.publicKey256 !== now.publicKey256,
    }];
  });
  const restored = damaged.filter((f) => !damagedPemFiles(inventory, outputDirectory).includes(f));
  const destroyed = (facts.review ?? []).filter((r) => r.action === CertificateChange.DESTROYED).map((r) => r.construct);
  return { outputDirectory, certificates, restored, destroyed };
}

/** A construct path without its stack (`chariot-tls/pki/server` as `pki/server`), as the plan review names it. */
function stackRelative(constructPath: string): string {
  return constructPath.split('/').slice(1).join('/');
}

/** What the plan said and what a re-signed certificate's renewal window was. */
interface RenewalFacts {
  readonly earlyRenewalHours: number;
  readonly planned?: CertificateChange;
  readonly now: Date;
}

function changeOf(was: CertificateState | undefined, now: CertificateState, filesChanged: boolean, renewal: RenewalFacts): CertificateChange {
  if (was === undefined) return CertificateChange.CREATED;
  if (was.fingerprint256 === now.fingerprint256) return filesChanged ? CertificateChange.FILES_REWRITTEN : CertificateChange.UNCHANGED;
  if (was.publicKey256 !== now.publicKey256) return CertificateChange.REPLACED;
  if (renewal.planned === CertificateChange.RENEWED || renewal.planned === CertificateChange.REISSUED) return renewal.planned;
  const due = renewal.earlyRenewalHours > 0 && was.notAfter.getTime() - renewal.earlyRenewalHours * HOUR_MS <= renewal.now.getTime();
  return due ? CertificateChange.RENEWED : CertificateChange.REISSUED;
}
