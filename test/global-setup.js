// Integration tests that run the CLI need dist/ to match src/: build once before the suite.
// Type errors do not stop the emit; `npm run typecheck` is where they fail the build.
const { spawnSync } = require('node:child_process');

module.exports = async () => {
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'ignore', cwd: __dirname + '/..' });
};
