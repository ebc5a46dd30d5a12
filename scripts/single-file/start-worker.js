// js/start-worker.js in the single file (scripts/dist.mjs): a file:// page has no URL to start a
// worker from, and Chromium refuses module workers from the blob: URLs it makes, so each worker is
// its script bundled as a classic one (`WORKERS`, filled in by the build), from a blob: URL.

import { WORKERS } from 'authtrail:workers';

/** A classic worker running the bundle of `script` (a file name in js/), under the policy of its caller. */
export function startWorker(script, options) {
  const source = WORKERS[script];
  if (source === undefined) throw new Error(`the single file carries no worker ${script}`);
  const entry = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    return new Worker(entry, { ...options, type: 'classic' });
  } finally {
    // The worker holds its script from the constructor on.
    URL.revokeObjectURL(entry);
  }
}
