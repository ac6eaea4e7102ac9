import { App } from 'cdktf';
import { ChariotTlsStack } from './app/stack';
import { ConfigError, loadConfig } from './app/config';
import { writeInventory } from './app/inventory';

/** The stack name: `cdktf deploy chariot-tls`, and state in `terraform.chariot-tls.tfstate`. */
const STACK = 'chariot-tls';

try {
  const config = loadConfig();
  const app = new App();
  const stack = new ChariotTlsStack(app, STACK, config);
  app.synth();
  // Only a hierarchy that synthesized is described; the inventory sits next to the configuration, for review.
  writeInventory(stack.pki, config.inventoryDirectory);
} catch (e) {
  // Configuration and validation errors are for people: the message, not a stack trace.
  const error = e as Error;
  console.error(error instanceof ConfigError ? error.message : `chariot-tls: ${error.message}`);
  process.exit(1);
}
