/**
 * A loopback Helm chart repository for the Argo CD e2e stage: serves the files of one directory
 * (index.yaml and the packaged stand-in charts) over HTTPS on 127.0.0.1. HTTPS, not HTTP: Argo
 * CD's repo-server only registers (`helm repo add`) dependency repositories with an https:// or
 * oci:// URL, so `helm dependency build` cannot resolve a plain http:// one.
 *
 *   node tools/run-ts.js tools/e2e/argocd/helm-repo-server.ts <dir> <cert.pem> <key.pem> <port file>
 *
 * Listens on a port the kernel picks and writes it to <port file> once listening.
 */
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';

const [root, certFile, keyFile, portFile] = process.argv.slice(2);
if (!portFile) {
  console.error('usage: helm-repo-server.ts <dir> <cert.pem> <key.pem> <port file>');
  process.exit(2);
}

const server = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, (req, res) => {
  const name = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname).replace(/^\/+/, '');
  const file = path.join(root, name);
  const ok = req.method === 'GET' && name !== '' && !name.includes('/') && fs.existsSync(file) && fs.statSync(file).isFile();
  if (!ok) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
  } else {
    const type = name.endsWith('.yaml') ? 'application/x-yaml' : 'application/gzip';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  }
  console.error(`${req.method} ${req.url} -> ${res.statusCode}`);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected server address');
  fs.writeFileSync(`${portFile}.tmp`, `${address.port}\n`);
  fs.renameSync(`${portFile}.tmp`, portFile);
  console.error(`helm-repo-server: serving ${root} on https://127.0.0.1:${address.port}/`);
});
function stop(): void {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
