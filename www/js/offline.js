// Registers the service worker (sw.js, beside index.html, so its scope is wherever the page is
// hosted, sub-path included) that keeps the page working offline after its first load. It registers
// once the page has loaded, so caching the page's files does not slow the first load down. Pages
// opened from disk (file://; the single-file build leaves this module out) have none.

if (location.protocol === 'https:' || location.protocol === 'http:') {
  if ('serviceWorker' in navigator) {
    addEventListener('load', () => {
      navigator.serviceWorker.register('sw.js').catch((e) => {
        console.warn(`authtrail: offline use is not available here (${e.message}); the page works while online.`);
      });
    });
  } else {
    console.warn('authtrail: this browser offers no service worker here (plain http on another host?); the page works while online.');
  }
}
