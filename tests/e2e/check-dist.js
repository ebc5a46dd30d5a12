// `npm test` runs this first (pretest): the end-to-end tests need a built dist/ (trunk, then
// `cargo xtask dist` for sw.js's precache list and authtrail.html) and never build it.
import { requireDist } from './harness.js';

try {
  requireDist();
} catch (e) {
  console.error(`authtrail e2e: ${e.message}`);
  process.exit(1);
}
