/**
 * What Terraform would evaluate in a synthesized stack: the `${...}` expressions and `%{...}` directives of its
 * strings, read as Terraform reads them (`$${` and `%%{` are escapes, a `//` key is a comment).
 */

/** The two payloads of issue 12: a reference to the root CA key, and a function that reads the engine's environment. */
export const KEY_REFERENCE = '${tls_private_key.pki_root-ca_key_DF61D2FB.private_key_pem}';
export const FILE_CALL = '${file("/proc/self/environ")}';
/** A directive, and a text that is already escaped once. */
export const DIRECTIVE = '%{ if true }x%{ endif }';
export const ESCAPED = '$${path.cwd}';
/** Every payload a field is tried with. */
export const TEMPLATE_PAYLOADS = [KEY_REFERENCE, FILE_CALL, DIRECTIVE, ESCAPED];

/** Every expression and directive in one string, as Terraform's template parser finds them. */
export function templateSequences(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      i += 3;
    } else if (text.startsWith('${', i) || text.startsWith('%{', i)) {
      const end = closingBrace(text, i + 2);
      found.push(text.slice(i, end + 1));
      i = end + 1;
    } else {
      i += 1;
    }
  }
  return found;
}

/** The index of the `}` that closes a sequence opened before `from` (nested braces and quoted strings skipped). */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  let quoted = false;
  for (let i = from; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i += 1;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '{') depth += 1;
    else if (c === '}' && (depth -= 1) === 0) return i;
  }
  return text.length - 1;
}

/** Every expression and directive in a synthesized stack, each as `where: expression` (`//` comments skipped). */
export function expressions(json: unknown, at = ''): string[] {
  if (typeof json === 'string') return templateSequences(json).map((e) => `${at}: ${e}`);
  if (json === null || typeof json !== 'object') return [];
  return Object.entries(json)
    .filter(([key]) => key !== '//')
    .flatMap(([key, value]) => expressions(value, `${at}.${key}`));
}
