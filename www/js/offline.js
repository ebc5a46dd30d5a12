// Registers the service worker (sw.js, beside index.html, so its scope is wherever the page is
// hosted, sub-path included) that keeps the page working offline after its first load. Pages
// opened from disk (file://, the single-file build leaves this module out) have none.

if (location.protocol === 'https:' || location.protocol === 'http:') {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('sw.js').catch((e) => {
      console.warn(`authtrail: offline use is not available here (${e.message}); the page works while online.`);
    });
  } else {
    console.warn('authtrail: this browser offers no service worker here (plain http on another host?); the page works while online.');
  }
}
