// Removes the run's scratch folder (see scratch-setup.js), whatever the tests left in it.
const fs = require('node:fs');

module.exports = async function scratchTeardown() {
  const scratch = process.env.CHARIOT_TLS_TEST_SCRATCH;
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
};
