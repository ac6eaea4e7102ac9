import { Construct } from 'constructs';
import { File } from '@cdktf/provider-local/lib/file';
import { SensitiveFile } from '@cdktf/provider-local/lib/sensitive-file';

/** Directories hold both public certificates and 0600 keys; others may list them. */
const DIRECTORY_MODE = '0755';

/** Writes a public PEM (certificate or bundle), readable by all. Returns its path. */
export function writePublicPem(scope: Construct, id: string, filename: string, content: string): string {
  new File(scope, id, { filename, content, filePermission: '0644', directoryPermission: DIRECTORY_MODE });
  return filename;
}

/** Writes a private key, readable by its owner only, and kept out of plans and logs. Returns its path. */
export function writePrivatePem(scope: Construct, id: string, filename: string, content: string): string {
  new SensitiveFile(scope, id, { filename, content, filePermission: '0600', directoryPermission: DIRECTORY_MODE });
  return filename;
}

/** Where a CA's certificate and key should be written; either may be left out. */
export interface CaFiles {
  readonly certFile?: string;
  readonly privateKeyFile?: string;
}

/** Writes the CA files asked for (ids `cert-file` and `key-file`) and returns the paths written. */
export function writeCaFiles(scope: Construct, wanted: CaFiles, certPem: string, privateKeyPem: string): CaFiles {
  return {
    certFile: wanted.certFile ? writePublicPem(scope, 'cert-file', wanted.certFile, certPem) : undefined,
    privateKeyFile: wanted.privateKeyFile ? writePrivatePem(scope, 'key-file', wanted.privateKeyFile, privateKeyPem) : undefined,
  };
}
