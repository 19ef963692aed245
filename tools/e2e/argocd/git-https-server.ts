/**
 * A read-only loopback Git server over HTTPS for the Argo CD e2e stage: `git http-backend` (Git's
 * smart HTTP protocol, run as CGI) behind node's https server, with a throw-away certificate.
 *
 *   node tools/run-ts.js tools/e2e/argocd/git-https-server.ts <project root> <cert.pem> <key.pem> <port file>
 *
 * Serves every repository under <project root> at https://127.0.0.1:<port>/<name>.git (pushes are
 * refused: the stage commits to the bare repository directly). Listens on a port the kernel picks
 * and writes it to <port file> once listening. Logs one line per request to stderr.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';

const [projectRoot, certFile, keyFile, portFile] = process.argv.slice(2);
if (!portFile) {
  console.error('usage: git-https-server.ts <project root> <cert.pem> <key.pem> <port file>');
  process.exit(2);
}

/** CGI/1.1 environment of one request for git http-backend. */
function cgiEnvironment(req: http.IncomingMessage): NodeJS.ProcessEnv {
  const url = new URL(req.url ?? '/', 'https://127.0.0.1');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') env[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = value;
  }
  return env;
}

/** Splits a CGI response head into the HTTP status and headers. */
function parseCgiHead(head: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const started = Date.now();
  const backend = spawn('git', ['http-backend'], { env: cgiEnvironment(req), stdio: ['pipe', 'pipe', 'pipe'] });
  let pending: Buffer = Buffer.alloc(0);
  let headSent = false;
  backend.stdout.on('data', (chunk: Buffer) => {
    if (headSent) {
      res.write(chunk);
      return;
    }
    pending = Buffer.concat([pending, chunk]);
    const text = pending.toString('latin1');
    const match = /\r?\n\r?\n/.exec(text);
    if (!match) return;
    const { status, headers } = parseCgiHead(text.slice(0, match.index));
    res.writeHead(status, headers);
    headSent = true;
    res.write(pending.subarray(match.index + match[0].length));
  });
  backend.stderr.on('data', (chunk: Buffer) => process.stderr.write(`git http-backend: ${chunk}`));
  backend.on('close', (code) => {
    if (!headSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end();
    console.error(`${req.method} ${req.url} -> ${res.statusCode} (backend exit ${code}, ${Date.now() - started} ms)`);
  });
  backend.stdin.on('error', () => undefined);
  req.pipe(backend.stdin);
}

const server = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, (req, res) => {
  if (req.method === 'POST' && (req.url ?? '').includes('git-receive-pack')) {
    res.writeHead(403).end('read-only\n');
    return;
  }
  handle(req, res);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected server address');
  fs.writeFileSync(`${portFile}.tmp`, `${address.port}\n`);
  fs.renameSync(`${portFile}.tmp`, portFile);
  console.error(`git-https-server: serving ${projectRoot} on https://127.0.0.1:${address.port}/`);
});
function stop(): void {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
