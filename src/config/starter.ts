/**
 * The file `automodel config init` writes: the zero-config behaviour spelled out, with comments. Every provider key is
 * `${VAR:-}`, so the file loads whichever keys are set and the providers without one drop out, just as with no file.
 * A test compiles this text and checks that it routes every mode exactly as zero config does.
 */
import { DEFAULT_TIMEOUTS, DEFAULT_VIRTUAL_MODEL, IMPLEMENTATION_MODES, REASONING_MODES } from './defaults.js';
import { DEFAULT_FALLBACK, DEFAULT_RETENTION_DAYS } from './schema.js';

/** The default name written by `config init`. */
export const STARTER_FILE_NAME = 'automodel.yaml';

const modeLines = [
  ...REASONING_MODES.map((mode) => `      ${mode}: reasoning`),
  ...IMPLEMENTATION_MODES.map((mode) => `      ${mode}: implementation`),
].join('\n');

/** The commented starter `automodel.yaml`. */
export const STARTER_CONFIG = `# automodel.yaml - configuration of the Automodel gateway.
# This starter reproduces the built-in default exactly; edit what you need. Changes are picked up live (or on SIGHUP);
# a broken edit keeps the running config and the log says why. Check a file with: automodel config check
# Editor completion: automodel config schema > automodel.schema.json, then keep the next line.
# yaml-language-server: $schema=./automodel.schema.json
#
# \${VAR} takes an environment variable (unset = an error); \${VAR:-default} falls back when it is unset or empty.

server:
  host: 127.0.0.1
  port: \${PORT:-4100}
  bodyLimit: 10mb
  auth:
    # Keys clients must send (Authorization: Bearer <key>, or x-api-key). None = no client authentication,
    # fine on 127.0.0.1; set one before listening on another address, e.g. - \${AUTOMODEL_KEY}
    keys: []

# Upstreams. A provider whose apiKey is empty is skipped, so this works whichever keys are set.
# Remove the whole section to take providers from the environment instead.
providers:
  anthropic:
    type: anthropic
    baseUrl: \${ANTHROPIC_BASE_URL:-https://api.anthropic.com/v1}
    apiKey: \${ANTHROPIC_API_KEY:-}
    timeouts:
      connectMs: ${DEFAULT_TIMEOUTS.connectMs}
      firstByteMs: ${DEFAULT_TIMEOUTS.firstByteMs}        # a whole non-streaming answer can take minutes
      streamFirstByteMs: ${DEFAULT_TIMEOUTS.streamFirstByteMs}
      idleMs: ${DEFAULT_TIMEOUTS.idleMs}             # longest silence inside a stream
  openrouter:
    type: openrouter
    baseUrl: \${OPENROUTER_BASE_URL:-https://openrouter.ai/api/v1}
    apiKey: \${OPENROUTER_API_KEY:-}
    headers:
      x-title: Automodel
  openai:
    # Pointing OPENAI_BASE_URL at another OpenAI-compatible server (vLLM, LiteLLM, Ollama...)? Then also write
    # type: openai-compatible here (with no file, that switch is made for you).
    type: openai
    baseUrl: \${OPENAI_BASE_URL:-https://api.openai.com/v1}
    apiKey: \${OPENAI_API_KEY:-}

# The catalog is built in (automodel models). Override a field, or add a model (contextWindow and prices required):
models: {}
#   claude-opus-4-5:
#     prices: { input: 5, output: 25 }          # USD per million tokens
#   local-coder:
#     contextWindow: 32768
#     prices: { input: 0, output: 0 }

virtualModels:
  ${DEFAULT_VIRTUAL_MODEL.id}:
    aliases: [${DEFAULT_VIRTUAL_MODEL.aliases.join(', ')}]
    # Tier -> ordered models: the first is preferred, the rest are same-tier fallbacks.
    tiers:
      reasoning: [${DEFAULT_VIRTUAL_MODEL.tiers.reasoning!.join(', ')}]
      implementation: [${DEFAULT_VIRTUAL_MODEL.tiers.implementation!.join(', ')}]
    # Mode slug (from x-kilocode-mode, x-automodel-mode, or inferred) -> tier. Add your own slugs.
    modes:
${modeLines}
    defaultTier: ${DEFAULT_VIRTUAL_MODEL.defaultTier}        # no mode, or a mode not listed above
    baselineTier: ${DEFAULT_VIRTUAL_MODEL.baselineTier}        # "always the strongest model", for the savings report
    # Request fields set per mode, e.g.  plan: { max_tokens: 32000 }
    overrides: {}
  # A second virtual model, e.g. one that never uses the reasoning tier:
  # auto/budget:
  #   tiers:
  #     implementation: [claude-sonnet-4-5]
  #   defaultTier: implementation

inference:
  enabled: true        # infer the mode from the request when no header names it
  threshold: 0.6       # minimum confidence to use an inferred mode

store:
  sqlitePath: \${AUTOMODEL_DB:-./automodel.db}
  databaseUrl: \${DATABASE_URL:-}    # postgres://... wins over sqlitePath when set

retention:
  days: ${DEFAULT_RETENTION_DAYS}

fallback:
  crossTiers: ${DEFAULT_FALLBACK.crossTiers}    # after the tier's models fail, try other tiers
  retries: ${DEFAULT_FALLBACK.retries}            # further rounds over the candidates after all failed retryably
  breaker:
    failureThreshold: ${DEFAULT_FALLBACK.breaker.failureThreshold}
    cooldownMs: ${DEFAULT_FALLBACK.breaker.cooldownMs}
`;
