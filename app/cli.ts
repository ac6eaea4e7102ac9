import { UserError } from './user-error';

/**
 * Runs an entry point (scripts/*.ts) and sets the exit status from what it returns (or resolves to). An error is
 * printed as its message, not a stack trace: the people running a deploy need what to change, not where the code was.
 */
export function runMain(main: () => number | Promise<number>): void {
  Promise.resolve()
    .then(main)
    .then(
      (status) => {
        process.exitCode = status;
      },
      (e) => {
        printError(e);
        process.exitCode = 1;
      },
    );
}

/** Prints an error as {@link runMain} does: a user error as its message, any other with a `chariot-tls:` prefix. */
export function printError(e: unknown): void {
  const error = e as Error;
  process.stderr.write(error instanceof UserError ? `${error.message}\n` : `chariot-tls: ${error.message}\n`);
}

/**
 * Resolves once a signal that came during synchronous work (synth, a review) has reached its handler. Node
 * handles signals in the event loop's poll phase, which one `setImmediate` may come before; two turns always
 * have one between them.
 */
export async function pendingSignalsHandled(): Promise<void> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
}
