import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasObjectAfter, SseTap } from './sse-tap.js';

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
  it('finds a member whose value is an object, not null, whatever the spacing', () => {
    assert.equal(hasObjectAfter(Buffer.from('{"usage":null,"a":{"usage" : {"x":1}}}'), USAGE), true);
    assert.equal(hasObjectAfter(Buffer.from('{"usage": null}'), USAGE), false);
    assert.equal(hasObjectAfter(Buffer.from('{"usage":\n  {"prompt_tokens":1}}'), USAGE), true);
    assert.equal(hasObjectAfter(Buffer.from('{"other":{}}'), USAGE), false);
  });

  it('inspects only the events that carry a usage object, passes the rest byte for byte, and holds the terminal event', async () => {
    const inspected: string[] = [];
    let released = false;
    const tap = new SseTap({
      markers: [USAGE],
      objectMarkers: [USAGE],
      terminal: Buffer.from('data: [DONE]'),
      inspect(event) {
        inspected.push(event);
        return 'data: {"usage":{"rewritten":true}}\n\n';
      },
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
