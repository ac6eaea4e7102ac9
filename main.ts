import { App } from 'cdktf';
import { ChariotTlsStack } from './app/stack';
import { ConfigError, loadConfig } from './app/config';

/** The stack name: `cdktf deploy chariot-tls`, and state in `terraform.chariot-tls.tfstate`. */
const STACK = 'chariot-tls';

try {
  const app = new App();
  new ChariotTlsStack(app, STACK, loadConfig());
  app.synth();
} catch (e) {
  // Configuration and validation errors are for people: the message, not a stack trace.
  const error = e as Error;
  console.error(error instanceof ConfigError ? error.message : `chariot-tls: ${error.message}`);
  process.exit(1);
}
