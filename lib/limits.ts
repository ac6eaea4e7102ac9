/**
 * The bounds every construct enforces, exported so that a configuration schema can say them too.
 */

/** The smallest RSA key we issue: NIST and the CA/Browser Forum floor. */
export const MIN_RSA_BITS = 2048;

/**
 * The largest RSA key we issue. Generating one takes time that grows with the fourth power of its size: 8192
 * bits take seconds to minutes, 65536 bits hours, during which the deploy seems to hang.
 */
export const MAX_RSA_BITS = 8192;

/**
 * The longest validity and renewal window, in hours: 100 years (876,000 hours). The tls provider turns hours into a
 * Go `time.Duration`, which overflows past 2,562,047 hours (292 years) into a certificate that expired before it
 * was issued; 100 years is longer than any CA needs, and far inside that limit and X.509's (the year 9999).
 */
export const MAX_VALIDITY_HOURS = 876_000;
