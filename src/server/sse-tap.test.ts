import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseTap, sseMarkers } from './sse-tap.js';

const USAGE = Buffer.from('"usage"');

/** What the client is sent before the end, and what `end()` releases. */
function run(tap: SseTap, chunks: string[]): { streamed: string; closing: string } {
  let streamed = '';
  for (const chunk of chunks) streamed += tap.push(Buffer.from(chunk))?.toString() ?? '';
  return { streamed, closing: tap.end()?.toString() ?? '' };
}

describe('SseTap', () => {
  it('counts a member as marked only when an object follows it, whatever the spacing', () => {
    const seen: string[] = [];
    const tap = new SseTap(sseMarkers({ markers: [USAGE], objectMarkers: [USAGE], terminal: Buffer.from('data: [DONE]') }), (event) => {
      seen.push(event.trim());
      return undefined;
    });
    run(tap, [
      'data: {"usage":null}\n\n',
      'data: {"usage": null}\n\n',
      'data: {"other":{}}\n\n',
      'data: {"a":1,"usage" : {"x":1}}\n\n',
      'data: {"usage":\t{"y":2}}\n\ndata: [DONE]\n\n',
    ]);
    assert.deepEqual(seen, ['data: {"a":1,"usage" : {"x":1}}', 'data: {"usage":\t{"y":2}}']);
  });

  it('inspects only the events that carry a usage object, passes the rest byte for byte, and holds the terminal event for end()', () => {
    const inspected: string[] = [];
    const tap = new SseTap(sseMarkers({ markers: [USAGE], objectMarkers: [USAGE], terminal: Buffer.from('data: [DONE]') }), (event) => {
      inspected.push(event);
      return 'data: {"usage":{"rewritten":true}}\n\n';
    });
    const chunks = [
      'data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\n\n',
      'data: {"choices":[{"delta":{"content":"b"}}],"usage":null}\n\ndata: {"choices":[],"usa',
      'ge":{"prompt_tokens":3}}\n\ndata: [DONE]\n\n',
    ];
    const { streamed, closing } = run(tap, chunks);
    assert.equal(inspected.length, 1);
    assert.match(inspected[0]!, /"prompt_tokens":3/);
    assert.equal(
      streamed,
      'data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\n\ndata: {"choices":[{"delta":{"content":"b"}}],"usage":null}\n\n' +
        'data: {"usage":{"rewritten":true}}\n\n',
    );
    // The terminal event waits for end(), which the relay calls once the usage record is durable.
    assert.equal(closing, 'data: [DONE]\n\n');
  });
});
