import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accuracyByGroup, loadModeFixtures, reasoningLeaks, REASONING_MODES, scoreFixture,
} from '../../test/fixtures/modes/mode-fixtures.js';
import { inferMode } from './infer-mode.js';

const fixtures = loadModeFixtures();
const results = fixtures.map((fixture) => scoreFixture(fixture));
const byId = new Map(fixtures.map((fixture) => [fixture.id, fixture]));

function fixture(id: string) {
  const found = byId.get(id);
  assert.ok(found, `fixture ${id} exists`);
  return found;
}

/** A minimal Roo Code request: role sentence, a MODES section listing every mode, and an environment block. */
function rooRequest(role: string, slugs: string[]) {
  const modes = ['architect', 'code', 'ask', 'debug', 'orchestrator']
    .map((slug) => `  * "${slug}" mode (${slug}) - Use this mode to plan, design, debug, orchestrate or ask.`)
    .join('\n');
  const system = `${role}\n\n====\n\nTOOL USE\n\nYou have access to a set of tools.\n\n====\n\nMODES\n\n- These are the currently available modes:\n${modes}\n\n====\n\nRULES\n\n- Be precise.`;
  const turns = slugs.map((slug, index) => ({
    role: 'user',
    content: [
      { type: 'text', text: index === slugs.length - 1 ? 'please just write the code' : '<task>\nplan the architecture\n</task>' },
      { type: 'text', text: `<environment_details>\n# Current Mode\n<slug>${slug}</slug>\n<name>${slug}</name>\n</environment_details>` },
    ],
  }));
  return { model: 'kilo/auto', messages: [{ role: 'system', content: system }, ...turns] };
}

describe('inferMode on the labelled fixtures', () => {
  it('has at least 120 labelled requests covering every agent', () => {
    assert.ok(fixtures.length >= 120, `${fixtures.length} fixtures`);
    const groups = new Set(fixtures.map((entry) => entry.group));
    for (const agent of ['roo-code', 'kilo-code', 'cline', 'opencode', 'kilo-cli', 'claude-code', 'continue', 'aider', 'none']) {
      assert.ok(groups.has(agent), `fixtures for ${agent}`);
    }
    for (const entry of fixtures) assert.ok(entry.source.length > 10, `${entry.id} names its source`);
  });

  it('meets the accuracy targets: >= 97% overall, >= 90% per agent', () => {
    const { groups, overall } = accuracyByGroup(results);
    const misses = results.filter((result) => !result.correct).map((result) => `${result.fixture.id} -> ${result.effectiveMode}`);
    assert.ok(overall.accuracy >= 0.97, `overall ${overall.accuracy}; misses: ${misses.join(', ')}`);
    for (const group of groups) assert.ok(group.accuracy >= 0.9, `${group.group} ${group.accuracy}; misses: ${misses.join(', ')}`);
  });

  it('never infers a reasoning-tier mode for a request without an agent signal', () => {
    assert.deepEqual(reasoningLeaks(results).map((result) => result.fixture.id), []);
    for (const result of results.filter((entry) => entry.fixture.group === 'none')) {
      assert.ok(result.inferred.mode === null || !REASONING_MODES.has(result.inferred.mode), result.fixture.id);
    }
  });

  it('names the agent and gives evidence whenever it names a mode', () => {
    for (const result of results) {
      if (result.inferred.mode === null) continue;
      assert.ok(result.inferred.agent, `${result.fixture.id} has an agent`);
      assert.ok(result.inferred.evidence.length >= 1, `${result.fixture.id} has evidence`);
    }
  });
});

describe('trap: Roo/Kilo prompts list every mode in a MODES section', () => {
  it('reads the current mode, not the first mode word in the prompt', () => {
    const result = inferMode('openai-chat', rooRequest('You are Roo, a highly skilled software engineer.', ['code']));
    assert.equal(result.mode, 'code');
    assert.equal(result.agent, 'roo-code');
  });

  it('falls back to the role sentence when there is no environment block', () => {
    const request = rooRequest('You are Roo, a strategic workflow orchestrator who coordinates complex tasks.', []);
    request.messages.push({ role: 'user', content: [{ type: 'text', text: 'build the dashboard' }, { type: 'text', text: '' }] });
    const result = inferMode('openai-chat', request);
    assert.equal(result.mode, 'orchestrator');
    assert.match(result.evidence.join(' '), /strategic workflow orchestrator/);
  });

  for (const id of ['roo-code/code-task-start', 'kilo-code/ask-after-tools', 'roo-code/architect-role-only']) {
    it(`fixture ${id}`, () => {
      const entry = fixture(id);
      assert.equal(inferMode(entry.protocol, entry.body).mode, entry.expectedMode);
    });
  }
});

describe('trap: the plan signal sits in the last user turn', () => {
  for (const id of ['claude-code/plan-mode-1', 'claude-code/plan-mode-sparse-reminder', 'cline/legacy-xml-plan-1', 'cline/sdk-plan-1', 'opencode/plan-1', 'opencode/responses-plan']) {
    it(`fixture ${id} is plan`, () => {
      const entry = fixture(id);
      const result = inferMode(entry.protocol, entry.body);
      assert.equal(result.mode, 'plan');
      assert.ok(result.confidence >= 0.9);
      assert.match(result.evidence.join(' '), /user turn/);
    });
  }
});

describe('trap: after a mode switch the latest signal wins', () => {
  it('Roo: architect earlier, code now', () => {
    assert.equal(inferMode('openai-chat', rooRequest('You are Roo, a highly skilled software engineer.', ['architect', 'code'])).mode, 'code');
  });
  it('Roo: code earlier, architect now', () => {
    const role = 'You are Roo, an experienced technical leader who is inquisitive and an excellent planner.';
    assert.equal(inferMode('openai-chat', rooRequest(role, ['code', 'architect'])).mode, 'architect');
  });
  for (const [id, mode] of [
    ['claude-code/plan-mode-exited', 'code'], ['opencode/plan-then-build', 'build'], ['kilo-cli/plan-then-build', 'code'],
    ['cline/legacy-switch-plan-to-act', 'code'], ['cline/sdk-switch-act-to-plan', 'plan'], ['roo-code/switch-architect-to-code', 'code'],
  ] as const) {
    it(`fixture ${id} is ${mode}`, () => {
      const entry = fixture(id);
      assert.equal(inferMode(entry.protocol, entry.body).mode, mode);
    });
  }
});

describe('trap: the user words contradict the mode', () => {
  it('Claude Code default mode stays code when the user says "plan" or "plan mode"', () => {
    const body = {
      model: 'claude-sonnet-4-5',
      system: [{ type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." }],
      messages: [{ role: 'user', content: 'enter plan mode and plan the architecture. Plan mode is active, trust me.' }],
      tools: [{ name: 'Bash' }, { name: 'Read' }, { name: 'Edit' }, { name: 'TodoWrite' }],
    };
    assert.equal(inferMode('anthropic-messages', body).mode, 'code');
  });
  for (const id of ['roo-code/architect-after-tools', 'aider/architect-7', 'claude-code/plan-mode-2', 'continue/chat-2', 'kilo-cli/ask-agent']) {
    it(`fixture ${id} keeps its labelled mode`, () => {
      const entry = fixture(id);
      assert.equal(inferMode(entry.protocol, entry.body).mode, entry.expectedMode);
    });
  }
});

describe('trap: no agent signal', () => {
  const bare = [
    ['openai-chat', { model: 'kilo/auto', messages: [{ role: 'user', content: 'What is the capital of France?' }] }],
    ['openai-chat', { model: 'kilo/auto', messages: [{ role: 'user', content: 'Generate a title for this conversation: planning my architecture' }] }],
    ['openai-chat', { model: 'kilo/auto', messages: [{ role: 'system', content: 'You are a senior software architect and an excellent planner.' }, { role: 'user', content: 'plan my architecture' }] }],
    ['anthropic-messages', { model: 'x', system: 'You help me plan.', messages: [{ role: 'user', content: '<system-reminder>Plan mode is active.</system-reminder>' }] }],
    ['openai-responses', { model: 'x', input: 'Draft an architecture plan for my app.' }],
    ['openai-responses', { model: 'x', instructions: 'Write a title.', input: [{ role: 'user', content: 'plan the architecture' }] }],
  ] as const;
  for (const [index, [protocol, body]] of bare.entries()) {
    it(`bare request ${index + 1} (${protocol}) has no mode`, () => {
      const result = inferMode(protocol, body);
      assert.equal(result.mode, null);
      assert.equal(result.confidence, 0);
      assert.equal(result.agent, null);
    });
  }
});

describe('trap: look-alike tool sets without the agent prompt never reach the reasoning tier', () => {
  const lookAlikes: Array<[string, string[]]> = [
    ['opencode-like', ['bash', 'read', 'edit', 'write', 'glob', 'grep', 'webfetch']],
    ['continue-like', ['grep_search', 'file_glob_search', 'read_file']],
    ['cline-like', ['read_files', 'run_commands', 'search_codebase']],
    ['roo-like', ['ask_followup_question', 'attempt_completion']],
    ['claude-code-like', ['Bash', 'Read', 'Edit', 'TodoWrite']],
  ];
  for (const [name, tools] of lookAlikes) {
    it(name, () => {
      const body = {
        model: 'kilo/auto',
        messages: [{ role: 'system', content: 'You are a helpful coding bot.' }, { role: 'user', content: 'Plan the architecture, then implement it.' }],
        tools: tools.map((tool) => ({ type: 'function', function: { name: tool, parameters: {} } })),
      };
      const result = inferMode('openai-chat', body);
      const effective = result.confidence >= 0.6 ? result.mode : null;
      assert.ok(effective === null || !REASONING_MODES.has(effective), `${name} -> ${String(effective)}`);
    });
  }
});

describe('lenient input', () => {
  const garbage: unknown[] = [
    null, undefined, 42, 'text', [], {}, { messages: 'nope' }, { messages: [null, 1, 'x', { role: 5 }] },
    { system: [{ type: 'text' }, 7], messages: [{ role: 'user', content: [{ type: 'tool_result', content: [null] }] }] },
    { tools: [null, { function: 3 }, { name: 9 }], input: [{ role: 'user', content: [{}] }] },
  ];
  for (const protocol of ['openai-chat', 'anthropic-messages', 'openai-responses'] as const) {
    it(`never throws on garbage (${protocol})`, () => {
      for (const body of garbage) {
        const result = inferMode(protocol, body);
        assert.equal(result.mode, null);
        assert.equal(result.confidence, 0);
        assert.deepEqual(result.evidence, []);
      }
    });
  }
  it('survives a body whose getters throw', () => {
    const hostile = Object.defineProperty({}, 'messages', { get() { throw new Error('boom'); }, enumerable: true });
    assert.equal(inferMode('openai-chat', hostile).mode, null);
  });
});
