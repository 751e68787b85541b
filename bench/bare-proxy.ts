/**
 * The bare proxy: the least a Node reverse proxy can do. Each request is piped to the upstream with `http.request` on a
 * keep-alive agent and the response is piped back untouched; no parsing, no logging. The benchmark compares the gateway
 * with this to show what the gateway's own work costs on top of the physical limit of a Node proxy.
 *
 *   node dist/bench/bare-proxy.js --port 0 --upstream http://127.0.0.1:4200
 *
 * Prints `bare proxy listening on http://127.0.0.1:PORT`. `GET /healthz` answers locally so the benchmark can also use
 * this process in the gateway slot (`--gateway-cmd`) while the gateway does not exist yet.
 */
import { Agent, createServer, request as httpRequest } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    upstream: { type: 'string' },
  },
});
if (!values.upstream) {
  console.error('bare proxy: --upstream http://HOST:PORT is required');
  process.exit(2);
}
const upstream = new URL(values.upstream);
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/healthz') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  const upstreamRequest = httpRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: request.method,
      path: request.url,
      headers: request.headers,
      agent,
    },
    (upstreamResponse) => {
      response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
      upstreamResponse.pipe(response);
    },
  );
  upstreamRequest.on('error', () => {
    if (!response.headersSent) response.writeHead(502).end();
    else response.destroy();
  });
  // A client that leaves mid-response must not keep the upstream busy.
  response.on('close', () => {
    if (!response.writableFinished) upstreamRequest.destroy();
  });
  request.pipe(upstreamRequest);
});
server.keepAliveTimeout = 30_000;

server.listen(Number(values.port), values.host, () => {
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : values.port;
  console.log(`bare proxy listening on http://${values.host}:${port}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
