/**
 * The CLI: `scripts/chariot-tls.ts COMMAND [options]`, which the npm scripts run (`npm run deploy -- --help`);
 * deploy and plan through scripts/engine/run.sh, which chooses the engine. The commands are in app/commands/.
 */
import { runMain } from '../app/cli';
import { processIo, runCli } from '../app/command-line';
import { COMMANDS } from '../app/commands';

runMain(() => runCli(process.argv.slice(2), COMMANDS, processIo()));
