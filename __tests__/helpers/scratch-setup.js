// The whole test run writes its temporary files (its own, cdktf's Testing outdirs, the engine's saved plans) under
// one scratch folder, removed at the end, so no run leaves thousands of folders in the system's tmp. Workers inherit
// TMPDIR because jest starts them after this runs; os.tmpdir() reads it on every call.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function scratchSetup() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chariot-tls-test-run-'));
  // As /tmp is: brokers and PostgreSQL that drop to their own users still reach their folders in it.
  fs.chmodSync(scratch, 0o1777);
  process.env.CHARIOT_TLS_TEST_SCRATCH = scratch;
  process.env.TMPDIR = scratch;
};
