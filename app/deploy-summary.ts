import * as path from 'node:path';
import { InventoryCertificate, PkiInventory } from '../lib';
import { CertificateChange } from './certificate-change';
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
}

/** What a deploy did, for the lines it prints at the end. */
export interface DeploySummary {
  readonly outputDirectory: string;
  readonly certificates: SummarizedCertificate[];
  /** PKCS#12 files by outcome, when PKCS#12 output is on. */
  readonly pkcs12?: Pkcs12Outcome[];
  /**
   * The PEM files that were empty or cut short before the deploy and are whole again, relative.
   * @default - none
   */
  readonly restored?: string[];
  /** The log of the engine's full output, when there is one. */
  readonly logFile?: string;
}

/**
 * Compares the certificates before and after a deploy; `damaged` ({@link damagedPemFiles} before the deploy)
 * names the files that were empty or cut short, whose certificates are restored rather than created.
 */
export function summarize(inventory: PkiInventory, outputDirectory: string, before: Snapshot, after: Snapshot, damaged: string[] = []): DeploySummary {
  const certificates = certFiles(inventory, outputDirectory).flatMap(([c, file]) => {
    const now = after.get(c.constructPath);
    if (now === undefined) return [];
    const relative = path.relative(outputDirectory, file).split(path.sep).join('/');
    const was = before.get(c.constructPath);
    return [{
      certificate: c,
      file: relative,
      change: was === undefined && damaged.includes(relative) ? CertificateChange.RESTORED : changeOf(was, now),
      notAfter: now.notAfter,
      renewableFrom: c.earlyRenewalHours > 0 ? new Date(now.notAfter.getTime() - c.earlyRenewalHours * HOUR_MS) : undefined,
    }];
  });
  const restored = damaged.filter((f) => !damagedPemFiles(inventory, outputDirectory).includes(f));
  return { outputDirectory, certificates, restored };
}

function changeOf(was: CertificateState | undefined, now: CertificateState): CertificateChange {
  if (was === undefined) return CertificateChange.CREATED;
  if (was.fingerprint256 === now.fingerprint256) return CertificateChange.UNCHANGED;
  return was.publicKey256 === now.publicKey256 ? CertificateChange.RENEWED : CertificateChange.REKEYED;
}
