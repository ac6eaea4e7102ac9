import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { REVOCATION_REASONS, RevocationReason } from './revocation-config';

/** The revocation record, beside the configuration and the inventory, committed: every serial ever revoked. */
export const REVOCATION_RECORD_FILE = 'pki-revocations.json';
/** Bumped when a field of the record changes meaning or is removed. */
const RECORD_FORMAT_VERSION = 1;

/** One revoked certificate, as recorded before its resources were destroyed. */
export interface RevokedCertificate {
  /** The client it was issued to. */
  readonly name: string;
  /** `engine` or `transmission`: the client's group (the OU of its subject). */
  readonly kind: string;
  /** The serial number, lower-case hex without separators. */
  readonly serial: string;
  /** The issuing CA's subject, for people. */
  readonly issuer: string;
  /** The issuing CA's key identifier (the certificate's authority key identifier), lower-case hex: which CRL lists it. */
  readonly authorityKeyId: string;
  /** When it was revoked (recorded), ISO 8601 UTC to the second. */
  readonly revokedAt: string;
  readonly reason: RevocationReason;
}

const RecordSchema = z.object({
  formatVersion: z.literal(RECORD_FORMAT_VERSION),
  revoked: z.array(z.object({
    name: z.string(),
    kind: z.string(),
    serial: z.string().regex(/^[0-9a-f]+$/),
    issuer: z.string(),
    authorityKeyId: z.string().regex(/^[0-9a-f]*$/),
    revokedAt: z.string().datetime(),
    reason: z.enum(REVOCATION_REASONS),
  }).strict()),
}).strict();

/** The record in `directory`; empty when there is none. Throws, naming the file, when it is not a valid record. */
export function readRevocationRecord(directory: string): RevokedCertificate[] {
  const file = path.join(directory, REVOCATION_RECORD_FILE);
  if (!fs.existsSync(file)) return [];
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}); restore it from version control`);
  }
  const parsed = RecordSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${file}: not a revocation record (${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}); restore it from version control`);
  }
  return parsed.data.revoked;
}

/**
 * Writes the record, oldest revocation first, one entry per line: adding a revocation is a one-line diff.
 * Leaves the file alone when the content is unchanged.
 */
export function writeRevocationRecord(directory: string, revoked: RevokedCertificate[]): void {
  const sorted = [...revoked].sort((a, b) => a.revokedAt.localeCompare(b.revokedAt) || a.serial.localeCompare(b.serial));
  const entries = sorted.map((r) => `    ${JSON.stringify(r)}`).join(',\n');
  const content = `{\n  "formatVersion": ${RECORD_FORMAT_VERSION},\n  "revoked": [${entries ? `\n${entries}\n  ` : ''}]\n}\n`;
  const file = path.join(directory, REVOCATION_RECORD_FILE);
  if (fs.lstatSync(file, { throwIfNoEntry: false })?.isFile() && fs.readFileSync(file, 'utf8') === content) return;
  fs.mkdirSync(directory, { recursive: true });
  // Written by rename, as the inventory is: a symbolic link in its place is replaced, never followed.
  const temporary = `${file}.${process.pid}.tmp`;
  fs.rmSync(temporary, { force: true });
  fs.writeFileSync(temporary, content, { flag: 'wx' });
  fs.renameSync(temporary, file);
}
