import { KeyObject, X509Certificate, createPublicKey } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n?/g;

/** The certificates of a PEM bundle, in order. */
export function certificates(pem: string): X509Certificate[] {
  return (pem.match(PEM_BLOCK) ?? []).map((block) => new X509Certificate(block));
}

/** The subjects' common names of a PEM bundle, in order. */
export function commonNames(pem: string): string[] {
  return certificates(pem).map((c) => /CN=([^\n]+)/.exec(c.subject)?.[1] ?? c.subject);
}

/**
 * How many of the key's full base64 lines, in PKCS#1 and PKCS#8, occur in `text`: 0 when no trace of it is there.
 * Lines whose bytes all sit in the public key (the modulus) are left out: the CA's certificate and request in the
 * state hold those bytes too, and at the same base64 alignment once in 48 keys, which made this count 4 by chance.
 */
export function keyLinesIn(text: string, key: KeyObject): number {
  const publicKey = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const lines = [key.export({ type: 'pkcs1', format: 'pem' }), key.export({ type: 'pkcs8', format: 'pem' })]
    .flatMap((pem) => String(pem).split('\n').filter((line) => line.length === 64))
    .filter((line) => !publicKey.includes(Buffer.from(line, 'base64')));
  // A 2048-bit key has about 50 such lines; most of them are its private part.
  expect(lines.length).toBeGreaterThan(30);
  return lines.filter((line) => text.includes(line)).length;
}
