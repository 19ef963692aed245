/**
 * The wake gateway as it runs: staging's rendered HAProxy configuration and "model starting"
 * answer, started with a real haproxy in front of a stand-in Ollama on loopback. While Ollama is
 * down every request gets the 409 with the environment's message; once Ollama answers its health
 * check the requests pass, streamed; the request counter KEDA's query reads counts them and not the
 * probes. Needs helm (RENDER_HELM) and haproxy (.ci/run installs Debian's); skipped with a
 * warning without them.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { OLLAMA } from '../../apps/catalog';
import { GATEWAY_FRONTEND, gatewayName, startingMessage } from '../../apps/ollama-scaling';
import { findHelm } from '../../tools/render/helm';
import { environment } from '../support/environments';

const helm = findHelm();
const haproxy = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'].find((p) => fs.existsSync(p));
if (!helm || !haproxy)
  console.warn(
    `SKIPPED test/render/gateway: ${[!helm && 'no helm (RENDER_HELM)', !haproxy && 'no haproxy (apt-get install haproxy)'].filter(Boolean).join(', ')}`,
  );

/** The gateway's ConfigMap for `env`, rendered from the ollama wrapper chart's own templates and values. */
function renderedGateway(env: string): Record<string, string> {
  const chart = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-chart-'));
  try {
    const app = path.join('apps', OLLAMA.name);
    fs.mkdirSync(path.join(chart, 'templates'));
    // Only the gateway's templates: the otwld dependency and the isolation chart play no part here.
    fs.writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: ollama\nversion: 1.0.0\n');
    for (const file of ['gateway.yaml', '_gateway.tpl']) fs.copyFileSync(path.join(app, 'templates', file), path.join(chart, 'templates', file));
    const values = ['values.yaml', `values-${env}.yaml`, path.join('generated', `${env}.yaml`)].flatMap((f) => ['-f', path.join(app, f)]);
    const out = execFileSync(helm!, ['template', OLLAMA.name, chart, '-n', OLLAMA.namespace, ...values, '--show-only', 'templates/gateway.yaml'], {
      encoding: 'utf8',
    });
    const config = parseAllDocuments(out)
      .map((d) => d.toJS())
      .find((o) => o?.kind === 'ConfigMap' && o.metadata.name === gatewayName(OLLAMA.name));
    return config.data;
  } finally {
    fs.rmSync(chart, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Answer {
  status: number;
  body: string;
  contentType?: string;
}

function request(port: number, urlPath: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: urlPath, method: body ? 'POST' : 'GET', headers: { 'content-type': 'application/json' } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: data, contentType: res.headers['content-type'] }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A stand-in Ollama: its health endpoint and a streamed OpenAI-style chat completion. */
function standInOllama(): http.Server {
  return http.createServer((req, res) => {
    if (req.url === '/api/version') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"version":"stand-in"}');
    } else if (req.url === '/v1/chat/completions') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n');
      setTimeout(() => res.end('data: {"choices":[{"delta":{"content":"lo"}}]}\n\ndata: [DONE]\n\n'), 50);
    } else {
      res.writeHead(404).end();
    }
  });
}

const CHAT = JSON.stringify({ model: 'llama3.2:3b', stream: true, messages: [{ role: 'user', content: 'hi' }] });

(helm && haproxy ? describe : describe.skip)('the wake gateway (haproxy) in front of Ollama', () => {
  let dir: string;
  let proxy: ChildProcess | undefined;
  let ollama: http.Server | undefined;
  let ports: { chat: number; metrics: number; ollama: number };
  let log = '';

  beforeAll(async () => {
    const data = renderedGateway('staging');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-'));
    ports = { chat: await freePort(), metrics: await freePort(), ollama: await freePort() };
    // Loopback ports, this folder instead of the pod's and health checks every 100 ms instead of
    // every 2 s (the test waits for them); everything else as rendered.
    const serverLine = /^( {2}server ollama )\S+:\d+( check .*)$/m;
    expect(data['haproxy.cfg']).toMatch(serverLine);
    expect(data['haproxy.cfg']).toContain('\n  default-server inter 2s fall 2 rise 1\n');
    const cfg = data['haproxy.cfg']
      .replace('\n  default-server inter 2s ', '\n  default-server inter 100ms ')
      .replace(/^ {2}bind :8080$/m, `  bind 127.0.0.1:${ports.chat}`)
      .replace(/^ {2}bind :8405$/m, `  bind 127.0.0.1:${ports.metrics}`)
      .replace(serverLine, `$1127.0.0.1:${ports.ollama}$2`)
      .replace('/usr/local/etc/haproxy/starting.http', path.join(dir, 'starting.http'));
    fs.writeFileSync(path.join(dir, 'haproxy.cfg'), cfg);
    fs.writeFileSync(path.join(dir, 'starting.http'), data['starting.http']);
    execFileSync(haproxy!, ['-c', '-q', '-f', path.join(dir, 'haproxy.cfg')]);
    proxy = spawn(haproxy!, ['-db', '-f', path.join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] });
    proxy.stdout!.on('data', (d) => (log += d));
    proxy.stderr!.on('data', (d) => (log += d));
    await until('haproxy to listen', async () => ((await request(ports.metrics, '/healthz')).status === 200 ? true : undefined));
  });

  afterAll(async () => {
    proxy?.kill();
    await new Promise<void>((resolve) => (ollama ? ollama.close(() => resolve()) : resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const requestsCounted = async () => {
    const metrics = (await request(ports.metrics, '/metrics')).body;
    const line = metrics.split('\n').find((l) => l.startsWith(`haproxy_frontend_http_requests_total{proxy="${GATEWAY_FRONTEND}"}`));
    if (!line) throw new Error(`no request counter of frontend ${GATEWAY_FRONTEND} in:\n${metrics}\n${log}`);
    return Number(line.split(' ').pop());
  };

  test("while Ollama is down, a chat gets at once the 409 with the environment's message in the OpenAI error format", async () => {
    const started = Date.now();
    const answer = await request(ports.chat, '/v1/chat/completions', CHAT);
    expect(answer.status).toBe(409);
    expect(answer.contentType).toBe('application/json');
    expect(JSON.parse(answer.body)).toEqual({
      error: { message: startingMessage((environment('staging').apps as any).ollama), type: 'model_starting', code: 'model_starting' },
    });
    // No connection attempt keeps the user waiting (timeout connect is 3 s).
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('once Ollama answers its health check, chats pass through, streamed', async () => {
    ollama = standInOllama();
    await new Promise<void>((resolve) => ollama!.listen(ports.ollama, '127.0.0.1', resolve));
    const answer = await until('the gateway to pass requests', async () => {
      const a = await request(ports.chat, '/v1/chat/completions', CHAT);
      return a.status === 200 ? a : undefined;
    });
    expect(answer.contentType).toBe('text/event-stream');
    expect(answer.body).toBe('data: {"choices":[{"delta":{"content":"Hel"}}]}\n\ndata: {"choices":[{"delta":{"content":"lo"}}]}\n\ndata: [DONE]\n\n');
  });

  test('the request counter KEDA reads counts the chats, not the probes or scrapes', async () => {
    const before = await requestsCounted();
    await request(ports.metrics, '/healthz');
    await request(ports.chat, '/v1/chat/completions', CHAT);
    await request(ports.chat, '/v1/models');
    expect(await requestsCounted()).toBe(before + 2);
  });

  test('when Ollama goes away again (scaled to zero), the 409 comes back', async () => {
    await new Promise<void>((resolve) => {
      ollama!.close(() => resolve());
      ollama!.closeAllConnections();
    });
    ollama = undefined;
    // Two failed health checks mark Ollama down (a request before that waits out HAProxy's connection retries).
    await new Promise((r) => setTimeout(r, 400));
    const answer = await until('the gateway to mark Ollama down', async () => {
      const a = await request(ports.chat, '/v1/chat/completions', CHAT);
      return a.status === 409 ? a : undefined;
    });
    expect(JSON.parse(answer.body).error.code).toBe('model_starting');
  });
});
