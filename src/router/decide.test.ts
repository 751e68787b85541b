import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileConfig } from '../config/compile.js';
import { providersFromEnv } from '../config/env-providers.js';
import { decide } from './decide.js';
import type { RouteInput } from './decision.js';

const openrouterOnly = compileConfig({ providers: providersFromEnv({ OPENROUTER_API_KEY: 'k' }) });
const anthropicAndOpenrouter = compileConfig({ providers: providersFromEnv({ ANTHROPIC_API_KEY: 'a', OPENROUTER_API_KEY: 'k' }) });
const noProviders = compileConfig({});

function input(overrides: Partial<RouteInput>): RouteInput {
  return { protocol: 'openai-chat', requestedModel: 'kilo/auto', now: 1_700_000_000_000, ...overrides };
}

describe('decide: the seed table', () => {
  const table: Array<[string | undefined, string, string]> = [
    ['architect', 'reasoning', 'anthropic/claude-opus-4.5'],
    ['orchestrator', 'reasoning', 'anthropic/claude-opus-4.5'],
    ['ask', 'reasoning', 'anthropic/claude-opus-4.5'],
    ['plan', 'reasoning', 'anthropic/claude-opus-4.5'],
    ['general', 'reasoning', 'anthropic/claude-opus-4.5'],
    ['code', 'implementation', 'anthropic/claude-sonnet-4.5'],
    ['build', 'implementation', 'anthropic/claude-sonnet-4.5'],
    ['debug', 'implementation', 'anthropic/claude-sonnet-4.5'],
    ['explore', 'implementation', 'anthropic/claude-sonnet-4.5'],
    [undefined, 'implementation', 'anthropic/claude-sonnet-4.5'],
    ['my-custom-mode', 'implementation', 'anthropic/claude-sonnet-4.5'],
    ['title', 'implementation', 'anthropic/claude-sonnet-4.5'],
    ['  PLAN ', 'reasoning', 'anthropic/claude-opus-4.5'],
    ['Architect', 'reasoning', 'anthropic/claude-opus-4.5'],
  ];
  for (const [mode, tier, model] of table) {
    it(`x-kilocode-mode ${JSON.stringify(mode)} → ${tier} (${model})`, () => {
      const decision = decide(input({ kilocodeModeHeader: mode }), openrouterOnly);
      assert.equal(decision.tier, tier);
      assert.equal(decision.candidates[0]?.upstreamModel, model);
      assert.equal(decision.modeSource, mode === undefined ? 'default' : 'header');
      assert.equal(decision.virtualModel, 'kilo/auto');
      assert.equal(decision.error, null);
    });
  }

  it('uses x-automodel-mode when x-kilocode-mode is absent, and x-kilocode-mode when both are set', () => {
    assert.equal(decide(input({ automodelModeHeader: 'plan' }), openrouterOnly).tier, 'reasoning');
    const both = decide(input({ kilocodeModeHeader: 'code', automodelModeHeader: 'plan' }), openrouterOnly);
    assert.equal(both.tier, 'implementation');
    assert.match(both.reason, /x-kilocode-mode/);
  });

  it('treats `auto`, `AUTO` and ` kilo/auto ` as the virtual model', () => {
    for (const requestedModel of ['auto', 'AUTO', ' kilo/auto ', 'Kilo/Auto']) {
      const decision = decide(input({ requestedModel, kilocodeModeHeader: 'ask' }), openrouterOnly);
      assert.equal(decision.virtualModel, 'kilo/auto', requestedModel);
      assert.equal(decision.tier, 'reasoning');
    }
  });

  it('flags an unknown mode in the diagnostics', () => {
    const decision = decide(input({ kilocodeModeHeader: 'translate' }), openrouterOnly);
    assert.deepEqual(decision.diagnostics, ["unknown mode 'translate': using the implementation tier"]);
  });

  it('explains the choice in one line', () => {
    const decision = decide(input({ kilocodeModeHeader: 'plan' }), openrouterOnly);
    assert.equal(decision.reason, "mode 'plan' from x-kilocode-mode -> reasoning tier -> claude-opus-4-5 via openrouter");
  });

  it('lists every provider that serves the tier model, direct Anthropic first', () => {
    const decision = decide(input({ kilocodeModeHeader: 'code' }), anthropicAndOpenrouter);
    assert.deepEqual(
      decision.candidates.map((candidate) => `${candidate.providerId}:${candidate.upstreamModel}`),
      ['anthropic:claude-sonnet-4-5', 'openrouter:anthropic/claude-sonnet-4.5'],
    );
  });

  it('does not read the clock: decidedAt is the time passed in', () => {
    assert.equal(decide(input({}), openrouterOnly).decidedAt, 1_700_000_000_000);
  });
});

describe('decide: mode inference precedence', () => {
  const inferred = () => ({ mode: 'plan', confidence: 0.9, evidence: ['last user turn: plan-mode reminder'], agent: 'opencode' });
  it('a header always wins and inference is not even called', () => {
    let called = false;
    const decision = decide(
      input({
        kilocodeModeHeader: 'code',
        inferMode: () => {
          called = true;
          return inferred();
        },
      }),
      openrouterOnly,
    );
    assert.equal(decision.tier, 'implementation');
    assert.equal(called, false);
  });
  it('without a header, a confident inference decides', () => {
    const decision = decide(input({ inferMode: inferred }), openrouterOnly);
    assert.equal(decision.modeSource, 'inferred');
    assert.equal(decision.tier, 'reasoning');
    assert.match(decision.reason, /plan-mode reminder/);
  });
  it('below the threshold the default tier is used', () => {
    const decision = decide(input({ inferMode: () => ({ ...inferred(), confidence: 0.3 }) }), openrouterOnly);
    assert.equal(decision.modeSource, 'default');
    assert.equal(decision.tier, 'implementation');
  });
  it('inference can be switched off', () => {
    const config = compileConfig({ providers: providersFromEnv({ OPENROUTER_API_KEY: 'k' }), inference: { enabled: false } });
    assert.equal(decide(input({ inferMode: inferred }), config).tier, 'implementation');
  });
});

describe('decide: concrete models', () => {
  it('passes a catalog model to its provider id', () => {
    const decision = decide(input({ requestedModel: 'claude-opus-4-5' }), openrouterOnly);
    assert.equal(decision.virtualModel, null);
    assert.equal(decision.candidates[0]?.upstreamModel, 'anthropic/claude-opus-4.5');
  });
  it('passes an OpenRouter id the catalog does not know through unchanged', () => {
    const decision = decide(input({ requestedModel: 'openai/gpt-5.1' }), openrouterOnly);
    assert.equal(decision.candidates[0]?.upstreamModel, 'openai/gpt-5.1');
    assert.equal(decision.candidates[0]?.modelId, null);
  });
  it('keeps a dated Anthropic id at Anthropic', () => {
    const decision = decide(input({ requestedModel: 'claude-sonnet-4-5-20250929' }), anthropicAndOpenrouter);
    assert.equal(decision.candidates[0]?.upstreamModel, 'claude-sonnet-4-5-20250929');
    assert.equal(decision.candidates[1]?.upstreamModel, 'anthropic/claude-sonnet-4.5');
  });
  it('answers model_not_found for a model nobody serves', () => {
    const decision = decide(input({ requestedModel: 'no-such-model' }), openrouterOnly);
    assert.equal(decision.error?.code, 'model_not_found');
  });
  it('answers no_provider when nothing is configured', () => {
    assert.equal(decide(input({}), noProviders).error?.code, 'no_provider');
    assert.equal(decide(input({ requestedModel: 'claude-opus-4-5' }), noProviders).error?.code, 'no_provider');
  });
});

describe('decide: context window', () => {
  it('skips a candidate whose window cannot hold the request, with the reason', () => {
    const decision = decide(input({ estimatedInputTokens: 190_000, requestedOutputTokens: 20_000 }), openrouterOnly);
    assert.equal(decision.candidates.length, 0);
    assert.equal(decision.error?.code, 'context_length_exceeded');
    assert.match(decision.skipped[0]!.skipReason, /needs ~210000 tokens, window is 200000/);
  });
});
