/**
 * The file `npm run deploy` writes into the output directory before the engine may touch a file. While it
 * exists, the files may be a mix of old and new, and `inspect` refuses them. A file of its own, so the package's
 * CLI (cli/) reads the name without the deploy's locking.
 */
export const INCOMPLETE_MARKER = 'DEPLOY-INCOMPLETE';
