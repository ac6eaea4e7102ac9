/**
 * lib/README.md is the package's README (tools/pack.js puts it at the tarball's root, so it is what npm shows):
 * it starts with the construct API, and its examples are code that type-checks and synthesizes against lib/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import * as ts from 'typescript';

const PROJECT = path.resolve(__dirname, '..');
const README = fs.readFileSync(path.join(PROJECT, 'lib', 'README.md'), 'utf8');
const SCRATCH = path.join(PROJECT, '.tmp', 'package-readme');

/** The README's TypeScript blocks, in order. */
const examples = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

/**
 * An example as a module of this project: the package name resolves to lib/, the app is not synthesized to disk,
 * and the stack is exported for the spec. A later block continues the first one (it uses its `stack`), so it gets
 * the first block's imports and stack as a preamble.
 */
function asModule(index: number): string {
  const preamble = index === 0 ? '' : "import * as path from 'node:path';\nimport { App, TerraformStack } from 'cdktf';\nconst stack = new TerraformStack(new App(), 'pki');\n";
  const code = (preamble + examples[index]).replace(/from 'chariot-tls'/g, "from '../../lib'").replace(/^app\.synth\(\);$/m, '');
  return `${code}\nexport { stack };\n`;
}

function write(index: number): string {
  fs.mkdirSync(SCRATCH, { recursive: true });
  const file = path.join(SCRATCH, `example-${index}.ts`);
  fs.writeFileSync(file, asModule(index));
  return file;
}

function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], { noEmit: true, strict: true, esModuleInterop: true, target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, skipLibCheck: true });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

function synthesized(file: string): { resource: Record<string, Record<string, unknown>> } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { stack } = require(file) as { stack: TerraformStack };
  return JSON.parse(Testing.synth(stack));
}

afterAll(() => fs.rmSync(SCRATCH, { recursive: true, force: true }));

describe('the package README (lib/README.md)', () => {
  test('starts with the constructs: its first command installs the package, its first code uses the API, before any ready-app command', () => {
    const firstCode = README.indexOf('```ts');
    expect(README.indexOf('npm install chariot-tls')).toBeGreaterThan(0);
    expect(README.indexOf('npm install chariot-tls')).toBeLessThan(firstCode);
    expect(examples[0]).toMatch(/from 'chariot-tls'/);
    expect(README).not.toMatch(/npm run (deploy|plan|synth|inspect)/);
  });

  test.each([0, 1])('example %i type-checks against lib/ and synthesizes a hierarchy with files', (index) => {
    expect(examples.length).toBeGreaterThan(index);
    const file = write(index);
    expect(typeErrors(file)).toEqual([]);
    const { resource } = synthesized(file);
    expect(Object.keys(resource.tls_self_signed_cert ?? {})).toHaveLength(1);
    expect(Object.keys(resource.tls_locally_signed_cert ?? {}).length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(resource.local_file ?? {}).length + Object.keys(resource.local_sensitive_file ?? {}).length).toBeGreaterThan(0);
  });
});
