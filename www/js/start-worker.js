// Starts the page's module workers under the page's Content-Security-Policy. A worker started from
// a URL of the page's origin is under the policy of its own response's headers alone: on a host
// that sends none it is under none, whatever the page's <meta> policy says, and could reach any
// origin. A worker started from a blob: URL is under the policy of what starts it. So each worker
// starts from a blob: URL of a one-line module that imports its script: the same script, under
// the page's policy (and a worker started by a worker, under that worker's, the page's).
// The single file (scripts/dist.mjs) has its own startWorker: a blob: URL of the worker's bundle.

/** A module worker running `script` (a file name in js/), under the policy of its caller. */
export function startWorker(script, options) {
  const url = new URL(script, import.meta.url);
  const source = `import ${JSON.stringify(url.href)};\n`;
  const entry = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    return new Worker(entry, { ...options, type: 'module' });
  } finally {
    // The worker holds its script from the constructor on.
    URL.revokeObjectURL(entry);
  }
}
