/** The resource types that write a file: the stack declares every file the engine writes as one of them. */
export const FILE_TYPES: readonly string[] = ['local_file', 'local_sensitive_file'];

/** The files a synthesized stack declares (their `filename`), of the given types, sorted. */
export function declaredFiles(synthesized: any, types: readonly string[] = FILE_TYPES): string[] {
  return types.flatMap((type) => Object.values<any>(synthesized?.resource?.[type] ?? {}).map((f) => f.filename as string)).sort();
}
