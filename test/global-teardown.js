// The whole-suite secret scan, part two: no secret any test sent or received (recorded by
// test/support/suite-scan.ts) appears in any log line any gateway wrote during the run.
const { readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const DELIMITERS = /[\s"'`,;:=&{}()[\]<>\\]+/;

module.exports = async () => {
  const dir = process.env.KEYGATE_TEST_SCAN_DIR;
  if (!dir) return;
  const files = readdirSync(dir);
  const secrets = new Set();
  for (const file of files.filter((f) => f.startsWith('secrets-')))
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) if (line) secrets.add(JSON.parse(line));
  const leaks = [];
  let lines = 0;
  for (const file of files.filter((f) => f.startsWith('logs-'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    lines += text.split('\n').length - 1;
    // Most secrets are single words: one set lookup each. The rest are searched for as they are.
    const words = new Set(text.split(DELIMITERS));
    for (const secret of secrets) {
      const found = DELIMITERS.test(secret) ? text.includes(secret) : words.has(secret);
      if (found) leaks.push({ file, secret });
    }
  }
  rmSync(dir, { recursive: true, force: true });
  if (leaks.length) {
    const shown = leaks.slice(0, 20).map(({ file, secret }) => `  ${secret.slice(0, 6)}… (${secret.length} chars) in ${file}`);
    throw new Error(`Secret scan: ${leaks.length} known secret(s) appear in log lines:\n${shown.join('\n')}`);
  }
  process.stdout.write(`secret scan: ${secrets.size} known secrets, ${lines} log lines, no leak\n`);
};
