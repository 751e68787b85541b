import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseTap, sseMarkers } from './sse-tap.js';

const USAGE = Buffer.from('"usage"');

async function run(tap: SseTap, chunks: string[]): Promise<string> {
  const out: Buffer[] = [];
  tap.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => tap.on('end', resolve));
  for (const chunk of chunks) tap.write(chunk);
  tap.end();
  await ended;
  return Buffer.concat(out).toString();
}

describe('SseTap', () => {
  it('counts a member as marked only when an object follows it, whatever the spacing', async () => {
    const seen: string[] = [];
    const tap = new SseTap(sseMarkers({ markers: [USAGE], objectMarkers: [USAGE], terminal: Buffer.from('data: [DONE]') }), (event) => {
      seen.push(event.trim());
      return undefined;
    });
    await run(tap, [
      'data: {"usage":null}\n\n',
      'data: {"usage": null}\n\n',
      'data: {"other":{}}\n\n',
      'data: {"a":1,"usage" : {"x":1}}\n\n',
      'data: {"usage":\t{"y":2}}\n\ndata: [DONE]\n\n',
    ]);
    assert.deepEqual(seen, ['data: {"a":1,"usage" : {"x":1}}', 'data: {"usage":\t{"y":2}}']);
  });

  it('inspects only the events that carry a usage object, passes the rest byte for byte, and holds the terminal event', async () => {
    const inspected: string[] = [];
    let released = false;
    const tap = new SseTap(sseMarkers({ markers: [USAGE], objectMarkers: [USAGE], terminal: Buffer.from('data: [DONE]') }), (event) => {
      inspected.push(event);
      return 'data: {"usage":{"rewritten":true}}\n\n';
    });
    tap.beforeEnd = async () => {
      released = true;
    };
    const chunks = [
      'data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\n\n',
      'data: {"choices":[{"delta":{"content":"b"}}],"usage":null}\n\ndata: {"choices":[],"usa',
      'ge":{"prompt_tokens":3}}\n\ndata: [DONE]\n\n',
    ];
    const out = await run(tap, chunks);
    assert.equal(inspected.length, 1);
    assert.match(inspected[0]!, /"prompt_tokens":3/);
    assert.equal(
      out,
      'data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\n\ndata: {"choices":[{"delta":{"content":"b"}}],"usage":null}\n\n' +
        'data: {"usage":{"rewritten":true}}\n\ndata: [DONE]\n\n',
    );
    assert.equal(released, true);
  });
});
