/**
 * The documented format of `automodel.yaml`: one zod schema that validates a file (after `${VAR}` interpolation), fills in
 * defaults, and generates the JSON Schema editors use for completion (`automodel config schema`).
 *
 * The schema describes the file, not the compiled config: conversions (sizes, env providers, the seed virtual model)
 * happen in `from-file.ts`, and cross-references (a tier naming an unknown model) are checked by `compileConfig`.
 * No transforms live here, so the JSON Schema stays exact. Every check carries an "expected …" message; the loader
 * appends what it found.
 */
import type * as Zod from 'zod';
import { DEFAULT_BODY_LIMIT_BYTES, DEFAULT_HOST, DEFAULT_INFERENCE_THRESHOLD, DEFAULT_PORT, DEFAULT_TIMEOUTS } from './defaults.js';
import { zodModule } from './lazy-modules.js';

/** Usage rows older than this are pruned (the usage store's own default). */
export const DEFAULT_RETENTION_DAYS = 90;
export const DEFAULT_FALLBACK = { crossTiers: false, retries: 2, breaker: { failureThreshold: 5, cooldownMs: 30_000 } } as const;
export const PROVIDER_TYPES = ['anthropic', 'openai', 'openrouter', 'openai-compatible'] as const;

/** `512kb`, `10mb`, `1gb`, or plain bytes. */
export const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i;
const NAME_PATTERN = /^[A-Za-z0-9][\w.:/-]*$/;

/** The schemas, built on first use (see `lazy-modules.ts`). */
function buildSchemas(z: typeof Zod.z) {
  const milliseconds = (what: string) => z.int(`expected ${what} as a whole number of milliseconds`).positive(`expected ${what} > 0 ms`);
  const name = (what: string) => z.string(`expected ${what} as a string`).regex(NAME_PATTERN, `expected ${what}: letters, digits and . _ : / - (starting with a letter or digit)`);
  const price = z.number('expected a price in USD per million tokens').min(0, 'expected a price >= 0');

  const AuthSchema = z
    .strictObject({
      keys: z
        .array(z.string('expected a key as a string'), 'expected a list of keys')
        .default([])
        .describe('Gateway keys clients must send (Authorization: Bearer <key> or x-api-key). Empty entries (from ${VAR:-}) are ignored; no keys = no auth.'),
    })
    .describe('Client authentication.');

  const ServerSchema = z
    .strictObject({
      host: z.string('expected a host name or address').min(1, 'expected a host name or address').default(DEFAULT_HOST).describe('Address to listen on.'),
      port: z
        .union([
          z.int('expected a port number').min(0, 'expected a port number 0-65535').max(65535, 'expected a port number 0-65535'),
          z.string().regex(/^\d{1,5}$/, 'expected a port number 0-65535'),
        ], 'expected a port number 0-65535')
        .default(DEFAULT_PORT)
        .describe('Port to listen on; a string is accepted so that ${PORT:-4100} works.'),
      bodyLimit: z
        .union([z.int('expected a size').positive('expected a size > 0'), z.string().regex(SIZE_PATTERN, 'expected a size such as 512kb, 10mb or a number of bytes')], 'expected a size such as 10mb or a number of bytes')
        .default(DEFAULT_BODY_LIMIT_BYTES)
        .describe('Largest request body accepted: bytes, or 512kb / 10mb / 1gb.'),
      auth: AuthSchema.prefault({}),
    })
    .describe('The HTTP listener.');

  const TimeoutsSchema = z
    .strictObject({
      connectMs: milliseconds('connectMs').default(DEFAULT_TIMEOUTS.connectMs).describe('TCP/TLS connect.'),
      firstByteMs: milliseconds('firstByteMs').default(DEFAULT_TIMEOUTS.firstByteMs).describe('First byte of a non-streaming answer.'),
      streamFirstByteMs: milliseconds('streamFirstByteMs').default(DEFAULT_TIMEOUTS.streamFirstByteMs).describe('First byte of a stream.'),
      idleMs: milliseconds('idleMs').default(DEFAULT_TIMEOUTS.idleMs).describe('Longest silence inside a stream.'),
    })
    .describe('Upstream timeouts.');

  const ProviderSchema = z
    .strictObject({
      type: z.enum(PROVIDER_TYPES, `expected one of ${PROVIDER_TYPES.join(', ')}`).describe('Wire protocol and model naming of the upstream.'),
      enabled: z.boolean('expected true or false').default(true),
      baseUrl: z
        .string('expected a URL')
        .regex(/^https?:\/\/[^\s]+$/, 'expected an http(s) URL')
        .optional()
        .describe('Ends with the version path, e.g. https://api.anthropic.com/v1 or http://127.0.0.1:11434/v1. Defaults per type; required for openai-compatible.'),
      apiKey: z
        .string('expected the key as a string, usually ${SOME_API_KEY}')
        .nullable()
        .optional()
        .describe('Use ${ENV_VAR}. An anthropic/openai/openrouter provider whose key is empty (${VAR:-}) is skipped.'),
      headers: z.record(z.string(), z.string('expected a header value as a string'), 'expected a mapping of header names to values').default({}),
      timeouts: TimeoutsSchema.prefault({}),
      models: z
        .record(z.string(), z.string('expected the id this provider knows the model by'), 'expected a mapping of catalog id to provider model id')
        .default({})
        .describe('Catalog id → the id this endpoint uses. For openai-compatible, an empty map means "every catalog model, by its canonical id".'),
    })
    .describe('One upstream endpoint.');

  const ModelSchema = z
    .strictObject({
      name: z.string('expected a display name').optional(),
      description: z.string('expected a description').optional(),
      providerIds: z
        .strictObject({
          anthropic: z.string('expected a model id').optional(),
          openrouter: z.string('expected a model id').optional(),
          openai: z.string('expected a model id').optional(),
        })
        .optional(),
      contextWindow: z.int('expected a whole number of tokens').positive('expected a context window > 0').optional(),
      maxOutputTokens: z.int('expected a whole number of tokens').positive('expected max output tokens > 0').optional(),
      inputModalities: z.array(z.enum(['text', 'image', 'file'], 'expected one of text, image, file'), 'expected a list such as [text, image]').optional(),
      prices: z
        .strictObject({ input: price.optional(), output: price.optional(), cacheRead: price.optional(), cacheWrite: price.optional() })
        .optional()
        .describe('USD per million tokens.'),
      source: z.string('expected a string').optional(),
      status: z.enum(['active', 'legacy', 'deprecated'], 'expected one of active, legacy, deprecated').optional(),
      note: z.string('expected a string').optional(),
    })
    .describe('Overrides fields of a built-in model, or adds a model (then contextWindow and prices.input/output are required).');

  const VirtualModelSchema = z
    .strictObject({
      aliases: z.array(name('an alias'), 'expected a list of aliases').default([]),
      description: z.string('expected a description').default(''),
      tiers: z
        .record(
          name('a tier name'),
          z.array(z.string('expected a catalog model id').min(1, 'expected a catalog model id'), 'expected a list of catalog model ids').min(1, 'expected at least one model in the tier'),
          'expected a mapping of tier name to a list of model ids',
        )
        .describe('Tier → ordered catalog model ids: the first is preferred, the rest are same-tier fallbacks.'),
      modes: z
        .record(z.string().min(1, 'expected a mode slug'), z.string('expected a tier name'), 'expected a mapping of mode slug to tier name')
        .default({})
        .describe('Mode slug (case-insensitive) → tier. Custom slugs welcome.'),
      defaultTier: z.string('expected a tier name').default('implementation').describe('Tier for requests with no mode or an unmapped one.'),
      baselineTier: z.string('expected a tier name').optional().describe('Tier whose first model prices the savings baseline (default: reasoning, if present).'),
      overrides: z
        .record(
          z.string().min(1, 'expected a mode slug'),
          z.record(z.string(), z.json(), 'expected a mapping of request field to value'),
          'expected a mapping of mode slug to request fields',
        )
        .default({})
        .describe('Mode slug → top-level request fields set on requests routed in that mode (e.g. plan: {max_tokens: 32000}); not stream, model or messages.'),
    })
    .describe('A virtual model such as kilo/auto: modes map to tiers, tiers to ordered models.');

  const ConfigFileSchema = z
    .strictObject({
      $schema: z.string().optional().describe('Path or URL of this JSON Schema, for editors.'),
      server: ServerSchema.prefault({}),
      providers: z
        .record(name('a provider id'), ProviderSchema, 'expected a mapping of provider id to provider')
        .default({})
        .describe('Upstreams by id. None listed = taken from ANTHROPIC_API_KEY, OPENROUTER_API_KEY, OPENAI_API_KEY as with no file.'),
      models: z.record(name('a model id'), ModelSchema, 'expected a mapping of model id to model').default({}).describe('The model catalog, extended or overridden.'),
      virtualModels: z
        .record(name('a virtual model id'), VirtualModelSchema, 'expected a mapping of virtual model id to its definition')
        .default({})
        .describe('kilo/auto (alias auto) is always defined with the seed table unless redefined here.'),
      inference: z
        .strictObject({
          enabled: z.boolean('expected true or false').default(true).describe('Infer the mode from the request when no header names it.'),
          threshold: z.number('expected a number from 0 to 1').min(0, 'expected a number from 0 to 1').max(1, 'expected a number from 0 to 1').default(DEFAULT_INFERENCE_THRESHOLD),
        })
        .prefault({}),
      store: z
        .strictObject({
          sqlitePath: z.string('expected a file path').optional().describe('SQLite file for usage (default: AUTOMODEL_DB or ./automodel.db).'),
          databaseUrl: z.string('expected a postgres:// URL').optional().describe('PostgreSQL URL; wins over sqlitePath when not empty.'),
        })
        .prefault({}),
      retention: z
        .strictObject({ days: z.int('expected a whole number of days').positive('expected at least 1 day').default(DEFAULT_RETENTION_DAYS) })
        .prefault({})
        .describe('How long usage rows are kept.'),
      fallback: z
        .strictObject({
          crossTiers: z.boolean('expected true or false').default(DEFAULT_FALLBACK.crossTiers).describe('After the tier is exhausted, try the other tiers.'),
          retries: z.int('expected a whole number').min(0, 'expected 0 or more retries').max(10, 'expected at most 10 retries').default(DEFAULT_FALLBACK.retries).describe('Further rounds over the candidate list after every candidate failed with a retryable error (backoff with jitter; retry-after honoured up to 10 s).'),
          breaker: z
            .strictObject({
              failureThreshold: z.int('expected a whole number').positive('expected at least 1 failure').default(DEFAULT_FALLBACK.breaker.failureThreshold),
              cooldownMs: milliseconds('cooldownMs').default(DEFAULT_FALLBACK.breaker.cooldownMs),
            })
            .prefault({})
            .describe('Consecutive failures that open a provider circuit, and how long it stays open.'),
        })
        .prefault({}),
    })
    .describe('automodel.yaml: configuration of the Automodel gateway.');

  return { ConfigFileSchema, ProviderSchema, VirtualModelSchema, ModelSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

/** The schema of `automodel.yaml` (zod is loaded on the first call). */
export function configFileSchema(): Schemas['ConfigFileSchema'] {
  return (schemas ??= buildSchemas(zodModule().z)).ConfigFileSchema;
}

/** A validated file with its defaults filled in (before interpolation results are turned into a compiled config). */
export type ConfigFile = Zod.output<Schemas['ConfigFileSchema']>;
export type ProviderFileEntry = Zod.output<Schemas['ProviderSchema']>;
export type VirtualModelFileEntry = Zod.output<Schemas['VirtualModelSchema']>;
export type ModelFileEntry = Zod.output<Schemas['ModelSchema']>;

/** The JSON Schema of the file (draft 2020-12), describing what may be written, so defaulted keys are optional. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = zodModule().z.toJSONSchema(configFileSchema(), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'automodel.yaml' };
}

/** The object keys a schema node accepts at `path` (for "did you mean" hints), or [] when it is not an object there. */
export function knownKeysAt(path: ReadonlyArray<PropertyKey>): string[] {
  const { z } = zodModule();
  let node: Zod.ZodType | undefined = configFileSchema();
  for (const segment of [...path, null]) {
    node = node && unwrap(node);
    if (!node) return [];
    if (segment === null) break;
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, Zod.ZodType>)[String(segment)];
    else if (node instanceof z.ZodRecord) node = node.valueType as Zod.ZodType;
    else if (node instanceof z.ZodArray) node = node.element as Zod.ZodType;
    else return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(node: Zod.ZodType): Zod.ZodType {
  const { z } = zodModule();
  let current = node;
  while (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
    current = current.def.innerType as Zod.ZodType;
  }
  return current;
}
