import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { scanTopLevel, spliceTopLevel } from './json-scan.js';

function members(text: string): Record<string, string> | null {
  const data = Buffer.from(text);
  const scan = scanTopLevel(data);
  if (!scan) return null;
  return Object.fromEntries([...scan.members].map(([key, range]) => [key, data.toString('utf8', range.start, range.end)]));
}

describe('scanTopLevel', () => {
  it('finds each top-level value, skipping strings with quotes, escapes and brackets inside', () => {
    assert.deepEqual(members(' {"model" : "kilo/auto", "messages":[{"role":"user","content":"a \\"quoted\\" } ] { word \\\\"}], "stream":true, "n":12.5e3, "x":null }\n'), {
      model: '"kilo/auto"',
      messages: '[{"role":"user","content":"a \\"quoted\\" } ] { word \\\\"}]',
      stream: 'true',
      n: '12.5e3',
      x: 'null',
    });
    assert.deepEqual(members('{}'), {});
    assert.deepEqual(members('{"k\\u0065y":1}'), { key: '1' });
  });
  it('refuses what is not one well-formed object at the top level', () => {
    for (const text of ['', '[]', '{"a":1', '{"a":1}}', '{"a" 1}', '{"a":"open}', '{"a":[1,2}', '{a:1}', '{"a":1,}', '{"a":}', '{"a":1} x']) {
      assert.equal(members(text), null, text);
    }
  });
  it('agrees with JSON.parse on any object (property test)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.boolean(), (object, pretty) => {
        const text = JSON.stringify(object, null, pretty ? 2 : undefined);
        const found = members(text)!;
        assert.deepEqual(Object.keys(found).sort(), Object.keys(object).sort());
        for (const [key, raw] of Object.entries(found)) assert.deepEqual(JSON.parse(raw), JSON.parse(JSON.stringify(object[key])));
      }),
      { numRuns: 300 },
    );
  });
});

describe('scanTopLevel: image strings', () => {
  it('counts the strings that begin with image, in both formats, and not the word inside text', () => {
    const openai = JSON.stringify({
      model: 'kilo/auto',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'look at this "image" please' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
      ],
    });
    // "image_url" twice (type value and key); the text's escaped \"image\" and the data: URL do not begin a string.
    assert.equal(scanTopLevel(Buffer.from(openai))?.imageStrings, 2);
    const anthropic = JSON.stringify({
      model: 'auto',
      messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }, { type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }],
    });
    // "image" twice, "image/png" once (a string that begins so: counted, which only raises an upper bound).
    assert.equal(scanTopLevel(Buffer.from(anthropic))?.imageStrings, 3);
    assert.equal(scanTopLevel(Buffer.from('{"model":"auto","messages":[]}'))?.imageStrings, 0);
  });

  it('never counts fewer image parts than there are (property)', () => {
    const part = fc.oneof(
      fc.record({ type: fc.constant('text'), text: fc.string() }),
      fc.record({ type: fc.constant('image_url'), image_url: fc.record({ url: fc.webUrl() }) }),
      fc.record({ type: fc.constant('image'), source: fc.record({ type: fc.constant('url'), url: fc.webUrl() }) }),
    );
    fc.assert(
      fc.property(fc.array(fc.array(part, { maxLength: 5 }), { maxLength: 5 }), (turns) => {
        const body = { model: 'auto', messages: turns.map((content) => ({ role: 'user', content })) };
        const images = turns.flat().filter((entry) => entry.type !== 'text').length;
        const scan = scanTopLevel(Buffer.from(JSON.stringify(body)));
        assert.ok(scan && scan.imageStrings >= images);
      }),
    );
  });
});

describe('spliceTopLevel', () => {
  it('replaces, removes and adds members and leaves every other byte alone', () => {
    const text = '{"description":"kilo task",  "model":"kilo/auto","messages":[{"role":"user","content":"hi"}],"extra":{"keep":[1,2]}}';
    const data = Buffer.from(text);
    const out = spliceTopLevel(data, scanTopLevel(data)!, {
      replace: { model: '"anthropic/claude-sonnet-4.5"' },
      remove: ['description'],
      add: { stream_options: '{"include_usage":true}' },
    }).toString();
    assert.equal(out, '{"model":"anthropic/claude-sonnet-4.5","messages":[{"role":"user","content":"hi"}],"extra":{"keep":[1,2]},"stream_options":{"include_usage":true}}');
    const last = Buffer.from('{"model":"m","description":"d"}');
    assert.equal(spliceTopLevel(last, scanTopLevel(last)!, { remove: ['description'] }).toString(), '{"model":"m"}');
  });
  it('always yields JSON equal to editing the parsed object (property test)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), fc.boolean(), (object, model, pretty) => {
        const data = Buffer.from(JSON.stringify({ ...object, model: 'kilo/auto' }, null, pretty ? 1 : undefined));
        const out = spliceTopLevel(data, scanTopLevel(data)!, { replace: { model: JSON.stringify(model) }, remove: ['description'], add: { added: '1' } });
        const expected: Record<string, unknown> = { ...object, model };
        delete expected.description;
        if (!('added' in object)) expected.added = 1;
        assert.deepEqual(JSON.parse(out.toString()), JSON.parse(JSON.stringify(expected)));
      }),
      { numRuns: 300 },
    );
  });
});
