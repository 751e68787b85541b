import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { eventData, eventName, SseTap, sseMarkers } from './sse-tap.js';

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

  it('in a batch of events: replaces one, drops another, keeps a third, with UTF-8 text before them and CRLF framing', () => {
    const ERROR = Buffer.from('"error"');
    const tap = new SseTap(sseMarkers({ markers: [USAGE, ERROR], objectMarkers: [USAGE], terminal: Buffer.from('event: message_stop') }), (event) => {
      if (event.includes('"drop"')) return null;
      if (event.includes('"keep"')) return undefined;
      return event.replace('"in":1', '"in":1,"cost":0.5');
    });
    const batch =
      'event: delta\r\ndata: {"text":"héllo — ünïcode"}\r\n\r\n' +
      'event: start\r\ndata: {"usage":{"in":1}}\r\n\r\n' +
      'event: delta\r\ndata: {"text":"more ✓"}\r\n\r\n' +
      'event: error\r\ndata: {"error":{"type":"keep"}}\r\n\r\n' +
      'event: ping\r\ndata: {"usage":{"drop":true}}\r\n\r\n' +
      'event: message_stop\r\ndata: {}\r\n\r\n';
    const { streamed, closing } = run(tap, [batch]);
    assert.equal(
      streamed,
      'event: delta\r\ndata: {"text":"héllo — ünïcode"}\r\n\r\n' +
        'event: start\r\ndata: {"usage":{"in":1,"cost":0.5}}\r\n\r\n' +
        'event: delta\r\ndata: {"text":"more ✓"}\r\n\r\n' +
        'event: error\r\ndata: {"error":{"type":"keep"}}\r\n\r\n',
    );
    assert.equal(closing, 'event: message_stop\r\ndata: {}\r\n\r\n');
  });

  it('hands inspect the whole event, decoded as UTF-8, when a marked event follows multi-byte text in the same chunk', () => {
    const inspected: string[] = [];
    const tap = new SseTap(sseMarkers({ markers: [USAGE], objectMarkers: [USAGE], terminal: Buffer.from('data: [DONE]') }), (event) => {
      inspected.push(event);
      return undefined;
    });
    const { streamed } = run(tap, ['data: {"c":"日本語"}\n\ndata: {"c":"ß","usage":{"n":2}}\n\ndata: {"c":"€"}\n\n']);
    assert.deepEqual(inspected, ['data: {"c":"ß","usage":{"n":2}}\n\n']);
    assert.equal(streamed, 'data: {"c":"日本語"}\n\ndata: {"c":"ß","usage":{"n":2}}\n\ndata: {"c":"€"}\n\n');
  });
});

describe('eventData and eventName', () => {
  it('read the data lines (joined) and the event name, with LF or CRLF lines, a space after the colon or none', () => {
    assert.equal(eventData('event: message_delta\ndata: {"a":1}\n\n'), '{"a":1}');
    assert.equal(eventName('event: message_delta\ndata: {"a":1}\n\n'), 'message_delta');
    assert.equal(eventData('event:ping\r\ndata:{"b":2}\r\n\r\n'), '{"b":2}');
    assert.equal(eventName('event:ping\r\ndata:{"b":2}\r\n\r\n'), 'ping');
    assert.equal(eventData('data: one\ndata: two\n\n'), 'one\ntwo');
    assert.equal(eventData('data:\n\n'), '');
    assert.equal(eventData('data: \r\n'), '');
    assert.equal(eventData(': comment\nevent: x\n'), null);
    assert.equal(eventName('data: {}\n\n'), undefined);
    assert.equal(eventName('id: 7\nevent:  spaced  \r\ndata: {}'), 'spaced');
  });

  it('agree with reading the event split into lines, on any text', () => {
    const splitData = (text: string): string | null => {
      let data: string | null = null;
      for (const line of text.split(/\r?\n/)) {
        if (!line.startsWith('data:')) continue;
        const value = line.charCodeAt(5) === 0x20 ? line.slice(6) : line.slice(5);
        data = data === null ? value : `${data}\n${value}`;
      }
      return data;
    };
    const splitName = (text: string): string | undefined => {
      for (const line of text.split(/\r?\n/)) if (line.startsWith('event:')) return line.slice(6).trim();
      return undefined;
    };
    const piece = fc.constantFrom('data:', 'data: ', 'event:', 'event: ', '\n', '\r\n', '\r', ' ', 'x', '{"a":1}', ':', 'é');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const text = pieces.join('');
        assert.equal(eventData(text), splitData(text));
        assert.equal(eventName(text), splitName(text));
      }),
      { numRuns: 2000 },
    );
  });
});
