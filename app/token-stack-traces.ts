/**
 * Runs `build` with V8's stack traces formatted as nothing. cdktf captures a full stack trace for every token it
 * creates (`Intrinsic` and `Lazy` call `captureStackTrace` with no depth limit, and there is no switch to turn it
 * off), kept only to say where a token that fails to resolve was made; formatting them was half the CPU of a synth
 * of 2,000 clients (bench/RESULTS.md, "Synth at scale"). V8 formats a stack when it is first read, with the hook of
 * that moment: an error thrown by `build` keeps its full stack once read after it.
 */
export function withoutTokenStackTraces<T>(build: () => T): T {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = () => '';
  try {
    return build();
  } finally {
    Error.prepareStackTrace = previous;
  }
}
