// Integration tests that run the CLI need dist/ to match src/: build once before the suite.
// Type errors do not stop the emit; `npm run typecheck` is where they fail the build.
const { spawnSync } = require('node:child_process');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore', cwd: __dirname + '/..' });
  // Where the suite records secrets and log lines for the scan in global-teardown.js.
  process.env.KEYGATE_TEST_SCAN_DIR = mkdtempSync(join(tmpdir(), 'keygate-scan-'));
};
