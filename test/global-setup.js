// Integration tests that run the CLI need dist/ to match src/, and the browser tests need the
// console built: build both once before the suite. Type errors do not stop the emit;
// `npm run typecheck` is where they fail the build.
const { spawnSync } = require('node:child_process');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  const cwd = __dirname + '/..';
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore', cwd });
  spawnSync('npm', ['run', 'build:console'], { stdio: 'ignore', cwd });
  // Where the suite records secrets and log lines for the scan in global-teardown.js.
  process.env.KEYGATE_TEST_SCAN_DIR = mkdtempSync(join(tmpdir(), 'keygate-scan-'));
};
