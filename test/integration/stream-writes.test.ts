import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { startGatewayWithMock, type GatewayUnderTest } from '../helpers/gateway.js';

/** A whole chunked SSE answer (20 text events, the usage event, `[DONE]`) as one block of bytes. */
function wholeStreamResponse(): Buffer {
  const events: string[] = [];
  const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'claude-sonnet-4-5', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
  for (let index = 0; index < 20; index++) events.push(chunk({ content: `word${index} ` }));
  events.push(`data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'claude-sonnet-4-5', choices: [], usage: { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 } })}\n\n`);
  events.push('data: [DONE]\n\n');
  let body = '';
  for (const event of events) body += `${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`;
  body += '0\r\n\r\n';
  return Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n${body}`);
}

/** An upstream that answers every request with `answer` in a single socket write, as a fast provider's short answer arrives. */
function startOneWriteUpstream(answer: Buffer): Promise<{ server: Server; url: string }> {
  const server = createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const headerEnd = pending.indexOf('\r\n\r\n');
        if (headerEnd === -1) return;
        const length = Number(/content-length:\s*(\d+)/i.exec(pending.toString('latin1', 0, headerEnd))?.[1] ?? 0);
        if (pending.length < headerEnd + 4 + length) return;
        pending = pending.subarray(headerEnd + 4 + length);
        socket.write(answer);
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address() as { port: number };
    resolve({ server, url: `http://127.0.0.1:${address.port}` });
  }));
}

/**
 * A stream that reaches the gateway in one read leaves it in one write: the events of one event-loop turn are coalesced,
 * and the closing events, held until the usage record is durable, join them. One send instead of three halves the
 * kernel work of relaying a short answer (the bare proxy needs two).
 */
describe('stream relay: writes to the client are coalesced per event-loop turn', () => {
  let upstream: { server: Server; url: string };
  let gateway: RunningGateway;
  let directory: string;
  const writesByConnection: number[] = [];

  before(async () => {
    upstream = await startOneWriteUpstream(wholeStreamResponse());
    directory = mkdtempSync(join(tmpdir(), 'automodel-writes-'));
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      env: { OPENAI_API_KEY: 'sk-test-0123456789', OPENAI_BASE_URL: `${upstream.url}/v1`, AUTOMODEL_DB: join(directory, 'usage.db') },
      logger: pino({ level: 'silent' }),
    });
    gateway.server.on('connection', (socket: Socket) => {
      const slot = writesByConnection.push(0) - 1;
      const counted = socket as Socket & { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };
      const write = counted._write.bind(socket);
      const writev = counted._writev.bind(socket);
      counted._write = (...args) => {
        writesByConnection[slot]!++;
        write(...args);
      };
      counted._writev = (...args) => {
        writesByConnection[slot]!++;
        writev(...args);
      };
    });
  });
  after(async () => {
    await gateway.close();
    await new Promise((resolve) => upstream.server.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  });

  it('a whole stream read at once goes out in one write, usage (with cost) and [DONE] included', async () => {
    for (let round = 0; round < 3; round++) {
      writesByConnection.length = 0;
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-kilocode-mode': 'code', connection: 'close' },
        body: JSON.stringify({ model: 'kilo/auto', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }),
      });
      const text = await response.text();
      assert.equal(response.status, 200);
      assert.match(text, /word19 /);
      assert.match(text, /"usage":\{"prompt_tokens":12,"completion_tokens":20,"total_tokens":32,"cost":[\d.e-]+\}/);
      assert.ok(text.endsWith('data: [DONE]\n\n'));
      assert.deepEqual(writesByConnection, [1], `writes to the client per connection: ${writesByConnection.join(', ')}`);
    }
  });
});

/** Coalescing is per event-loop turn only: a stream that trickles in goes out as it comes, each event in its own turn. */
describe('stream relay: a slow stream reaches the client as it arrives', () => {
  let env: GatewayUnderTest;
  before(async () => {
    env = await startGatewayWithMock(['openrouter']);
  });
  after(async () => {
    await env.close();
  });

  it('the first token is at the client long before the upstream finishes', async () => {
    env.mock.enqueue({ fault: 'slow-drip', delayMs: 80, chunks: 6 });
    const started = performance.now();
    const response = await fetch(`${env.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kilocode-mode': 'code' },
      body: JSON.stringify({ model: 'kilo/auto', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let firstContentAt: number | null = null;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (firstContentAt === null && text.includes('"content":"mock')) firstContentAt = performance.now() - started;
    }
    const endedAt = performance.now() - started;
    assert.ok(text.includes('data: [DONE]'));
    assert.ok(firstContentAt !== null);
    // Six frames 80 ms apart: the stream takes about half a second; the first token must not wait for the rest.
    assert.ok(endedAt - firstContentAt > 250, `first content at ${firstContentAt.toFixed(0)} ms, end at ${endedAt.toFixed(0)} ms`);
  });
});

