import { Construct } from 'constructs';
import { File } from '@cdktf/provider-local/lib/file';
import { SensitiveFile } from '@cdktf/provider-local/lib/sensitive-file';
import { literalText } from './template';

/** Directories hold both public certificates and 0600 keys; others may list them. */
const DIRECTORY_MODE = '0755';

/**
 * Every file the library writes is declared here. Its path and content are data: `literalText` keeps a `${`
 * in either (an output directory, a README line) from becoming an expression the engine evaluates.
 */
function fileProps(filename: string, content: string, filePermission: string) {
  return { filename: literalText(filename), content: literalText(content), filePermission, directoryPermission: DIRECTORY_MODE };
}

/** Writes a public PEM (certificate or bundle) or text, readable by all. Returns its path. */
export function writePublicPem(scope: Construct, id: string, filename: string, content: string): string {
  new File(scope, id, fileProps(filename, content, '0644'));
  return filename;
}

/** Writes a private key, readable by its owner only, and kept out of plans and logs. Returns its path. */
export function writePrivatePem(scope: Construct, id: string, filename: string, content: string): string {
  new SensitiveFile(scope, id, fileProps(filename, content, '0600'));
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
