// Sums every test report under `<package>/.test-results/*.json` into one closing line
// `N passed, M failed`. Reports are vitest's JSON (numPassedTests/numFailedTests); native test
// runners write the same two fields. Exits 1 when any test failed or no report was found.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'apps'].flatMap((d) =>
  existsSync(d) ? readdirSync(d).map((p) => join(d, p)) : [],
);
roots.push('bench');
let passed = 0;
let failed = 0;
let reports = 0;
for (const root of roots) {
  const dir = join(root, '.test-results');
  if (!existsSync(dir)) continue;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    passed += report.numPassedTests ?? 0;
    const failedTests = report.numFailedTests ?? 0;
    // a suite that failed to load has no failed test of its own: count it once
    failed += failedTests > 0 ? failedTests : (report.numFailedTestSuites ?? 0);
    reports += 1;
    console.log(`${join(dir, file)}: ${report.numPassedTests ?? 0} passed, ${report.numFailedTests ?? 0} failed`);
  }
}
if (reports === 0) failed += 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
