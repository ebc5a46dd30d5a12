// The service worker that keeps the page working offline (registered by js/offline.js, never from
// file://). On install it caches every file of dist/ the page loads; it then answers those URLs from
// that cache first, so after one load the page boots and reads files with the network off. It only
// ever fetches the page's own files: dropped files are read from disk by the tab and never pass here.
//
// Updates: the browser re-checks this script on every load; a new build changes the version below
// (a hash of dist/'s contents), so the new worker caches the new files, takes over and deletes the
// old cache. The load after that shows the new build.

// Filled in by `cargo xtask dist` (scripts/build-dist.sh): dist/'s files and a hash of their contents.
const PRECACHE = { version: 'unbuilt', files: [] };

const CACHE = `authtrail-${PRECACHE.version}`;
const scope = self.registration.scope;
const urls = new Set(PRECACHE.files.map((f) => new URL(f, scope).href));
const index = new URL('index.html', scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll([...urls].map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('authtrail-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

/** The cached URL answering `request`, or null: the page itself (any query) or one of its files. */
function cachedUrl(request) {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  url.hash = '';
  if (request.mode === 'navigate' && (url.origin + url.pathname === scope || url.origin + url.pathname === index)) return index;
  url.search = '';
  return urls.has(url.href) ? url.href : null;
}

self.addEventListener('fetch', (event) => {
  const url = cachedUrl(event.request);
  if (!url) return;
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(url))
      .then((hit) => hit || fetch(event.request)),
  );
});
