import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILE_TYPES } from './declared-files';

/**
 * The engine runs under umask 077 (app/engine.ts), so every file and folder it creates is its owner's only
 * from the first byte. Once it has finished, this gives the public files (certificates, bundles, README.txt)
 * and the folders under the output directory the modes the stack declares (`file_permission`,
 * `directory_permission`: 0644 and 0755 in this app). Files not there are skipped. Returns the paths changed.
 */
export function applyDeclaredModes(synthesized: any, outputDirectory: string): string[] {
  const changed: string[] = [];
  const setMode = (file: string, mode: string | undefined) => {
    const stat = mode === undefined ? undefined : fs.lstatSync(file, { throwIfNoEntry: false });
    if (stat === undefined || stat.isSymbolicLink() || (stat.mode & 0o777) === parseInt(mode!, 8)) return;
    fs.chmodSync(file, parseInt(mode!, 8));
    changed.push(file);
  };
  for (const type of FILE_TYPES) {
    for (const resource of Object.values<any>(synthesized?.resource?.[type] ?? {})) {
      if (typeof resource.filename !== 'string') continue;
      const file = path.resolve(resource.filename);
      for (const dir of foldersBetween(outputDirectory, file)) setMode(dir, resource.directory_permission);
      // Sensitive files keep the 0600 they were created with.
      if (type === 'local_file') setMode(file, resource.file_permission);
    }
  }
  return changed;
}

/** The folders below `root` that hold `file`, outermost first; none when it is not under `root`. */
function foldersBetween(root: string, file: string): string[] {
  const relative = path.relative(path.resolve(root), path.dirname(file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return [];
  const parts = relative.split(path.sep);
  return parts.map((_, i) => path.join(path.resolve(root), ...parts.slice(0, i + 1)));
}
