/**
 * How to point a client at this gateway, with the gateway's own address filled in and a copy button on
 * every command. Shown in full while the store is empty, and folded away at the bottom afterwards.
 */
import { h, replaceChildren } from '../dom.js';

interface Snippet {
  id: string;
  title: string;
  note: string;
  code: string;
}

export function snippets(origin: string): Snippet[] {
  return [
    {
      id: 'kilo-cli',
      title: 'Kilo CLI',
      note: 'Kilo sends its mode in a header, so every mode lands on the right model.',
      code: `KILO_API_URL=${origin} KILO_API_KEY=x kilo run -m kilo/kilo/auto --agent plan "Plan the next change"`,
    },
    {
      id: 'claude-code',
      title: 'Claude Code',
      note: 'Claude Code speaks the Anthropic Messages API; the gateway infers plan or code mode from the request.',
      code: `ANTHROPIC_BASE_URL=${origin} ANTHROPIC_AUTH_TOKEN=x ANTHROPIC_MODEL=kilo/auto claude`,
    },
    {
      id: 'openai-sdk',
      title: 'OpenAI SDK (TypeScript)',
      note: 'Any OpenAI-compatible client: set the base URL and ask for kilo/auto. Send x-automodel-mode to choose a mode.',
      code: [
        `import OpenAI from 'openai';`,
        `const client = new OpenAI({ baseURL: '${origin}/v1', apiKey: 'x' });`,
        `const reply = await client.chat.completions.create(`,
        `  { model: 'kilo/auto', messages: [{ role: 'user', content: 'Plan a parser refactor' }] },`,
        `  { headers: { 'x-automodel-mode': 'plan' } },`,
        `);`,
      ].join('\n'),
    },
    {
      id: 'python-sdk',
      title: 'OpenAI SDK (Python)',
      note: 'The same with the Python client.',
      code: [
        `from openai import OpenAI`,
        `client = OpenAI(base_url="${origin}/v1", api_key="x")`,
        `client.chat.completions.create(model="kilo/auto", messages=[{"role": "user", "content": "hi"}],`,
        `                               extra_headers={"x-automodel-mode": "code"})`,
      ].join('\n'),
    },
    {
      id: 'curl',
      title: 'curl',
      note: 'A one-line check that the gateway routes and records a request.',
      code: `curl ${origin}/v1/chat/completions -H 'content-type: application/json' -H 'x-kilocode-mode: plan' -d '{"model":"kilo/auto","messages":[{"role":"user","content":"hi"}]}'`,
    },
  ];
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (e.g. a plain-http remote host): fall back to a selected textarea.
    const area = h('textarea', { class: 'visually-hidden', readonly: true }, text);
    document.body.appendChild(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    return copied;
  }
}

export function renderOnboarding(container: HTMLElement, origin: string, announce: (message: string) => void): void {
  replaceChildren(
    container,
    h('div', { class: 'snippets' }, snippets(origin).map((snippet) => {
      const button = h('button', { type: 'button', class: 'copy', 'data-copy': snippet.id, 'aria-label': `Copy the ${snippet.title} command` }, 'Copy');
      button.addEventListener('click', () => {
        void copyText(snippet.code).then((copied) => {
          button.textContent = copied ? 'Copied' : 'Copy failed';
          announce(copied ? `${snippet.title} command copied.` : 'Could not copy; select the text instead.');
          setTimeout(() => (button.textContent = 'Copy'), 1500);
        });
      });
      return h(
        'div',
        { class: 'snippet', 'data-snippet': snippet.id },
        h('div', { class: 'snippet-head' }, h('h3', {}, snippet.title), button),
        h('p', { class: 'card-sub' }, snippet.note),
        h('pre', { tabindex: 0 }, h('code', {}, snippet.code)),
      );
    })),
    h(
      'p',
      { class: 'card-sub' },
      'Clients may send any API key: the gateway calls upstreams with its own (ANTHROPIC_API_KEY, OPENROUTER_API_KEY or OPENAI_API_KEY, set where the gateway runs).',
    ),
  );
}
