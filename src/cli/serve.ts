import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** A URL prefix served from a folder: every file under it, or only the names `only` lists. */
export interface Mount {
  readonly prefix: string;
  readonly dir: string;
  readonly only?: ReadonlySet<string>;
}

/** The file a request names under one of the mounts, or null (never outside a mount's folder). */
function resolveRequest(mounts: readonly Mount[], url: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://x').pathname);
  } catch {
    return null;
  }
  for (const m of mounts) {
    if (!path.startsWith(m.prefix)) continue;
    let rest = path.slice(m.prefix.length);
    if (rest === '' || rest.endsWith('/')) rest += 'index.html';
    if (m.only && !m.only.has(rest)) return null;
    const root = resolve(m.dir);
    const file = resolve(root, rest);
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) return null;
    return file;
  }
  return null;
}

/** Serves the mounts' files (GET and HEAD only) on 127.0.0.1:`port` (0: any free port); resolves once listening. */
export function serveFiles(mounts: readonly Mount[], port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const file = req.method === 'GET' || req.method === 'HEAD' ? resolveRequest(mounts, req.url ?? '/') : null;
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', rej);
      res({ server, port: (server.address() as { port: number }).port });
    });
  });
}
