import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Folders of the system whose whole tree is refused as an output directory. */
const SYSTEM_TREES = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr'];
/** Folders refused themselves (a folder below them is fine: `/srv/chariot-tls/pki`, `/var/lib/chariot-tls`). */
const SYSTEM_FOLDERS = ['/', '/home', '/media', '/mnt', '/opt', '/root', '/srv', '/tmp', '/var', '/var/lib', '/var/tmp'];
/** The raw path fields of a configuration file, as written. */
export interface ConfiguredPaths {
  readonly outputDirectory?: string;
  readonly inventoryDirectory?: string;
}

/**
 * What is wrong with the configured paths, one line per problem (field, value, fix). Relative paths are taken
 * from `baseDir`, the configuration file's folder, and must stay inside it; `outputDirectory` may also be an
 * absolute path anywhere but a system folder or the home folder itself; `inventoryDirectory`, which synth
 * writes, stays inside the configuration's folder.
 */
export function pathProblems(paths: ConfiguredPaths, baseDir: string, home = os.homedir()): string[] {
  const problems: string[] = [];
  const { outputDirectory, inventoryDirectory } = paths;
  if (outputDirectory !== undefined) {
    const resolved = path.resolve(baseDir, outputDirectory);
    if (!path.isAbsolute(outputDirectory) && !isInside(baseDir, resolved)) {
      problems.push(`outputDirectory ${JSON.stringify(outputDirectory)}: leaves the configuration's folder (${baseDir}); name a folder inside it, such as "pki", or an absolute path such as "/srv/chariot-tls/pki"`);
    } else if (isSystemFolder(realPathSoFar(resolved), home)) {
      problems.push(`outputDirectory ${JSON.stringify(outputDirectory)}: is ${realPathSoFar(resolved)}, a system folder or the home folder itself; name a folder of its own, such as "pki" or "/srv/chariot-tls/pki"`);
    }
  }
  if (inventoryDirectory !== undefined && !isInside(baseDir, path.resolve(baseDir, inventoryDirectory))) {
    problems.push(`inventoryDirectory ${JSON.stringify(inventoryDirectory)}: leaves the configuration's folder (${baseDir}); name a folder inside it, such as "." or "docs"`);
  }
  return problems;
}

function isInside(dir: string, candidate: string): boolean {
  const relative = path.relative(path.resolve(dir), candidate);
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}

function isSystemFolder(dir: string, home: string): boolean {
  return SYSTEM_FOLDERS.includes(dir) || dir === path.resolve(home) || SYSTEM_TREES.some((tree) => dir === tree || dir.startsWith(`${tree}/`));
}

/** `dir` with symbolic links resolved as far as it exists (`/tmp/link/new` becomes `/real/new`). */
function realPathSoFar(dir: string): string {
  const missing: string[] = [];
  let existing = dir;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) {
    missing.unshift(path.basename(existing));
    existing = path.dirname(existing);
  }
  return path.join(fs.realpathSync(existing), ...missing);
}
