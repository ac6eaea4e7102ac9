import { ConfigError } from './config';
import { Pkcs12Error } from './pkcs12';
import { PreflightError } from './preflight';

/** Errors whose message already says, in full, what to change. */
const USER_ERRORS = [ConfigError, Pkcs12Error, PreflightError];

/**
 * Runs an entry point (scripts/*.ts) and sets the exit status from what it returns. An error is printed as its
 * message, not a stack trace: the people running a deploy need what to change, not where the code was.
 */
export function runMain(main: () => number): void {
  try {
    process.exitCode = main();
  } catch (e) {
    const error = e as Error;
    process.stderr.write(USER_ERRORS.some((type) => error instanceof type) ? `${error.message}\n` : `chariot-tls: ${error.message}\n`);
    process.exitCode = 1;
  }
}
