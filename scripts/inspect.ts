/**
 * `npm run inspect -- [--dir DIR] [--json] [--warn-days N]`: what is deployed, when it expires, and
 * whether it chains to the root. The logic lives in app/inspect.ts; this only wires it to the process.
 */
import { main } from '../app/inspect';

process.exitCode = main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  // npm runs scripts in the project root; INIT_CWD is where the user typed the command.
  cwd: process.env.INIT_CWD ?? process.cwd(),
  projectDir: process.cwd(),
  now: new Date(),
});
