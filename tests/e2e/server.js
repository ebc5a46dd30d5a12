// A tiny static file server for the end-to-end tests (node:http, no dependencies).
//
// Serves one directory (normally dist/) on 127.0.0.1, on a free port chosen by the OS, optionally under a
// sub-path such as "/some/deep/path/" (everything outside it is a 404), with the MIME types a browser needs
// for ES modules and WebAssembly streaming compilation. Every request it receives is logged (time, method,
// path, status), so a test can prove which requests reached the server and when, independently of what the
// browser reports. Responses carry `Cache-Control: no-store` so every asset fetch really reaches the server,
// and the headers the README asks hosts to set (`securityHeaders`): an HTML file's own meta CSP is also sent
// as a header, with `frame-ancestors 'none'` (which a meta tag cannot express). With `headers: false` it
// sends none of those: a host that cannot set headers, where the page's meta tag is all its policy.
//
//   const srv = await startServer({ root: '/path/to/dist', base: '/some/deep/path/' }); // port: 0 = any free one
//   const bare = await startServer({ root: '/path/to/dist', headers: false });
//   srv.url      // 'http://127.0.0.1:PORT/some/deep/path/'
//   srv.origin   // 'http://127.0.0.1:PORT'
//   srv.log      // [{ t, method, path, status }]
//   await srv.close();

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.gz': 'application/gzip',
};

/** The policy of an HTML text's Content-Security-Policy meta tag, or null. */
export function metaPolicy(html) {
  const tag = html.match(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i);
  return tag ? tag[1] : null;
}

/** The headers the README's "Hosting" section lists, for a file with the given text (HTML) or none. */
export function securityHeaders(html = null) {
  const policy = html == null ? null : metaPolicy(html);
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...(policy ? { 'Content-Security-Policy': `${policy}; frame-ancestors 'none'` } : {}),
  };
}

/** Normalises a base path to "/" or "/a/b/". */
function normaliseBase(base) {
  let b = base || '/';
  if (!b.startsWith('/')) b = `/${b}`;
  if (!b.endsWith('/')) b += '/';
  return b;
}

export function startServer({ root, base = '/', port = 0, headers = true } = {}) {
  const rootDir = path.resolve(root);
  const prefix = normaliseBase(base);
  const log = [];

  const server = http.createServer((req, res) => {
    const entry = { t: Date.now(), method: req.method, path: req.url, status: 0 };
    log.push(entry);
    const send = (status, extra, body) => {
      entry.status = status;
      res.writeHead(status, {
        'Cache-Control': 'no-store',
        ...(headers ? securityHeaders() : {}),
        ...extra,
      });
      res.end(body);
    };

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }, 'method not allowed\n');
      return;
    }
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      send(400, { 'Content-Type': 'text/plain' }, 'bad request\n');
      return;
    }
    if (`${pathname}/` === prefix) {
      // "/some/deep/path" -> "/some/deep/path/" so that relative URLs resolve under the sub-path.
      send(301, { Location: prefix }, '');
      return;
    }
    if (!pathname.startsWith(prefix) || pathname.includes('\0')) {
      send(404, { 'Content-Type': 'text/plain' }, 'not found\n');
      return;
    }
    let rel = pathname.slice(prefix.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(rootDir, rel);
    if (file !== rootDir && !file.startsWith(rootDir + path.sep)) {
      send(404, { 'Content-Type': 'text/plain' }, 'not found\n');
      return;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        send(404, { 'Content-Type': 'text/plain' }, 'not found\n');
        return;
      }
      const type = MIME[path.extname(file).toLowerCase()] || 'application/octet-stream';
      const html = type.startsWith('text/html') ? fs.readFileSync(file, 'utf8') : null;
      entry.status = 200;
      res.writeHead(200, {
        'Content-Type': type,
        'Content-Length': st.size,
        'Cache-Control': 'no-store',
        ...(headers ? securityHeaders(html) : {}),
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      if (html != null) {
        res.end(html);
        return;
      }
      fs.createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
    });
  });

  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port } = server.address();
      const origin = `http://127.0.0.1:${port}`;
      resolve({
        origin,
        base: prefix,
        url: origin + prefix,
        root: rootDir,
        log,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

// `node server.js [DIR] [BASE] [PORT]` serves a directory by hand (scripts/serve.sh uses it).
if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] || new URL('../../dist/', import.meta.url).pathname;
  const srv = await startServer({ root: dir, base: process.argv[3] || '/', port: Number(process.argv[4] || 0) });
  console.log(`serving ${srv.root} at ${srv.url} (Ctrl-C to stop)`);
}
