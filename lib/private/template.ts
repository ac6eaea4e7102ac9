/**
 * Terraform reads every string in `cdk.tf.json` as a template: `${...}` is an expression (a reference, or a
 * function such as `file()`) and `%{...}` a directive. Text from a user is data, so it never reaches the
 * engine as either: names are refused (`hasTemplateSequence`), file paths and contents are escaped (`literalText`).
 * cdktf 0.21 passes a plain string through unchanged (it escapes `${` only inside its own function calls).
 */

/** The start of an expression or a directive. */
const TEMPLATE_START = /([$%])\{/g;
/** cdktf's marker for a token inside a string (`${TfToken[TOKEN.12]}`): resolved by cdktf, not by us. */
const STRING_TOKEN = /(\$\{TfToken\[[^\]]*\]\})/;

/** True when the text holds `${` or `%{`, which Terraform would evaluate. */
export function hasTemplateSequence(text: string): boolean {
  return /[$%]\{/.test(text);
}

/**
 * The text as Terraform must read it, literally: `${` and `%{` become `$${` and `%%{` (Terraform's escapes),
 * while the tokens our own code put in (a certificate's PEM, its expiry date) stay expressions.
 */
export function literalText(text: string): string {
  return text
    .split(STRING_TOKEN)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(TEMPLATE_START, '$1$1{')))
    .join('');
}
