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
  /**
   * The PEM files that were empty or cut short before the deploy and are whole again, relative.
   * @default - none
   */
  readonly restored?: string[];
  /** The log of the engine's full output, when there is one. */
  readonly logFile?: string;
}

/** What the engine was to do to each certificate, by construct path below the stack (`pki/server`), from its plan. */
export type PlannedChanges = ReadonlyMap<string, CertificateChange>;

/** What the plan did to the certificate itself, beyond writing its files: the only changes that make new keys or certificates. */
const SIGNING_CHANGES = [CertificateChange.CREATED, CertificateChange.RENEWED, CertificateChange.REISSUED, CertificateChange.REPLACED];

/**
 * Compares the certificates before and after a deploy; `damaged` ({@link damagedPemFiles} before the deploy)
 * names the files that were empty or cut short, whose certificates are restored rather than created. `planned`
 * (the reviewed plan, when the deploy applied one) tells a certificate the engine signed from one it only wrote
 * again: a file that held another PKI's certificate is rewritten from the state, not re-keyed.
 */
export function summarize(inventory: PkiInventory, outputDirectory: string, before: Snapshot, after: Snapshot, damaged: string[] = [], planned?: PlannedChanges): DeploySummary {
  const certificates = certFiles(inventory, outputDirectory).flatMap(([c, file]): SummarizedCertificate[] => {
    const now = after.get(c.constructPath);
    if (now === undefined) return [];
    const relative = path.relative(outputDirectory, file).split(path.sep).join('/');
    const was = before.get(c.constructPath);
    const onDisk = was === undefined && damaged.includes(relative) ? CertificateChange.RESTORED : changeOf(was, now);
    const onlyWritten = planned !== undefined && onDisk !== CertificateChange.UNCHANGED && onDisk !== CertificateChange.RESTORED
      && !SIGNING_CHANGES.includes(planned.get(belowStack(c.constructPath)) ?? CertificateChange.UNCHANGED);
    return [{
      certificate: c,
      file: relative,
      change: onlyWritten ? CertificateChange.FILES_REWRITTEN : onDisk,
      notAfter: now.notAfter,
      renewableFrom: c.earlyRenewalHours > 0 ? new Date(now.notAfter.getTime() - c.earlyRenewalHours * HOUR_MS) : undefined,
      wasForeign: onlyWritten && was !== undefined && was.publicKey256 !== now.publicKey256,
    }];
  });
  const restored = damaged.filter((f) => !damagedPemFiles(inventory, outputDirectory).includes(f));
  return { outputDirectory, certificates, restored };
}

/** `chariot-tls/pki/server` as the plan names it: `pki/server`. */
function belowStack(constructPath: string): string {
  return constructPath.split('/').slice(1).join('/');
}

function changeOf(was: CertificateState | undefined, now: CertificateState): CertificateChange {
  if (was === undefined) return CertificateChange.CREATED;
  if (was.fingerprint256 === now.fingerprint256) return CertificateChange.UNCHANGED;
  return was.publicKey256 === now.publicKey256 ? CertificateChange.RENEWED : CertificateChange.REKEYED;
}
