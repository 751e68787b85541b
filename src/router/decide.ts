import type { CatalogModel } from '../catalog/models.js';
import { providerProtocol, type CompiledConfig, type ProviderConfig, type VirtualModelConfig } from '../config/compiled.js';
import type { ModeSource } from '../usage/types.js';
import type { Candidate, Decision, InferredModeResult, RouteInput, SkippedCandidate } from './decision.js';

/** `Kilo/Auto `, ` PLAN` → `kilo/auto`, `plan`. */
export function normalizeSlug(value: string | undefined): string {
  return value === undefined ? '' : value.trim().toLowerCase();
}

/**
 * The router: a pure function from what the request says to an ordered list of upstream candidates, with the reasons.
 * It reads no clock, no file and no network, and never changes the request.
 */
export function decide(input: RouteInput, config: CompiledConfig): Decision {
  const requestedModel = input.requestedModel.trim();
  const virtualModel = config.virtualModels.get(normalizeSlug(requestedModel));
  return virtualModel ? decideVirtual(input, virtualModel, config) : decideConcrete(input, requestedModel, config);
}

function decideVirtual(input: RouteInput, virtualModel: VirtualModelConfig, config: CompiledConfig): Decision {
  const diagnostics: string[] = [];
  let mode: string | null = null;
  let modeSource: ModeSource = 'default';
  let modeWhy: string;
  let inference: InferredModeResult | null = null;

  const kilocodeMode = normalizeSlug(input.kilocodeModeHeader);
  const automodelMode = normalizeSlug(input.automodelModeHeader);
  if (kilocodeMode) {
    mode = kilocodeMode;
    modeSource = 'header';
    modeWhy = `mode '${mode}' from x-kilocode-mode`;
  } else if (automodelMode) {
    mode = automodelMode;
    modeSource = 'header';
    modeWhy = `mode '${mode}' from x-automodel-mode`;
  } else if (config.inference.enabled && input.inferMode) {
    inference = input.inferMode();
    if (inference.mode && inference.confidence >= config.inference.threshold) {
      mode = normalizeSlug(inference.mode);
      modeSource = 'inferred';
      modeWhy = `mode '${mode}' inferred (${inference.evidence[0] ?? 'request shape'}, confidence ${inference.confidence.toFixed(2)})`;
    } else {
      modeWhy = inference.mode
        ? `no mode header; inferred '${inference.mode}' below threshold (${inference.confidence.toFixed(2)} < ${config.inference.threshold})`
        : 'no mode header and no agent signal in the request';
    }
  } else {
    modeWhy = 'no mode header';
  }

  let tier = virtualModel.defaultTier;
  if (mode !== null) {
    const mapped = virtualModel.modes[mode];
    if (mapped) tier = mapped;
    else diagnostics.push(`unknown mode '${mode}': using the ${virtualModel.defaultTier} tier`);
  }

  const modelIds = virtualModel.tiers[tier] ?? [];
  const all = tierCandidates(modelIds, tier, config, diagnostics);
  // Crossing to another tier only when config allows it; such candidates are marked so the response says so.
  if (config.fallback?.crossTiers) {
    for (const [otherTier, otherIds] of Object.entries(virtualModel.tiers)) {
      if (otherTier === tier) continue;
      for (const candidate of tierCandidates(otherIds, otherTier, config, diagnostics)) all.push({ ...candidate, crossTier: otherTier });
    }
  }
  const { candidates, skipped } = checkContext(all, input);
  const decision = baseDecision(input, {
    virtualModel: virtualModel.id,
    mode,
    modeSource,
    tier,
    candidates,
    skipped,
    diagnostics,
    inference,
  });
  const target = candidates[0];
  if (target) {
    decision.reason = `${modeWhy} -> ${tier} tier -> ${target.modelId ?? target.upstreamModel} via ${target.providerId}`;
  } else if (all.length > 0) {
    decision.reason = `${modeWhy} -> ${tier} tier -> no model's context window holds the request`;
    decision.error = { code: 'context_length_exceeded', message: contextMessage(input, skipped) };
  } else {
    decision.reason = `${modeWhy} -> ${tier} tier -> no configured provider serves ${modelIds.join(', ') || 'any model'}`;
    decision.error = { code: 'no_provider', message: noProviderMessage(config, modelIds.join(', ')) };
  }
  return decision;
}

function decideConcrete(input: RouteInput, requestedModel: string, config: CompiledConfig): Decision {
  const diagnostics: string[] = [];
  const model = config.catalog.find(requestedModel);
  const all: Candidate[] = [];
  for (const provider of config.providers) {
    const candidate = model ? catalogCandidate(provider, model, requestedModel) : passThroughCandidate(provider, requestedModel);
    if (candidate) all.push(candidate);
  }
  const { candidates, skipped } = checkContext(all, input);
  const headerMode = normalizeSlug(input.kilocodeModeHeader) || normalizeSlug(input.automodelModeHeader) || null;
  const decision = baseDecision(input, {
    virtualModel: null,
    mode: headerMode,
    modeSource: headerMode ? 'header' : 'default',
    tier: null,
    candidates,
    skipped,
    diagnostics,
    inference: null,
  });
  const target = candidates[0];
  if (target) {
    decision.reason = `concrete model '${requestedModel}' -> ${target.upstreamModel} via ${target.providerId}`;
  } else if (all.length > 0) {
    decision.reason = `concrete model '${requestedModel}' -> its context window does not hold the request`;
    decision.error = { code: 'context_length_exceeded', message: contextMessage(input, skipped) };
  } else if (config.providers.length === 0) {
    decision.reason = `concrete model '${requestedModel}' -> no provider configured`;
    decision.error = { code: 'no_provider', message: noProviderMessage(config, requestedModel) };
  } else {
    decision.reason = `model '${requestedModel}' is unknown and no configured provider takes it`;
    decision.error = {
      code: 'model_not_found',
      message: `The model '${requestedModel}' does not exist or no configured provider serves it. Use kilo/auto, or a model from GET /v1/models.`,
    };
  }
  return decision;
}

function tierCandidates(modelIds: string[], tier: string, config: CompiledConfig, diagnostics: string[]): Candidate[] {
  const candidates: Candidate[] = [];
  for (const modelId of modelIds) {
    const model = config.catalog.find(modelId);
    if (!model) {
      diagnostics.push(`tier '${tier}' names '${modelId}', which is not in the catalog`);
      continue;
    }
    for (const provider of config.providers) {
      const candidate = catalogCandidate(provider, model);
      if (candidate) candidates.push(candidate);
    }
  }
  return candidates;
}

/** The id a provider knows a catalog model by, or null when it does not serve it. */
/**
 * The id `provider` knows a catalog model by, or undefined when it does not serve it. An OpenAI-compatible server with no
 * model map is asked for catalog models by their canonical ids.
 */
export function providerModelId(provider: ProviderConfig, model: CatalogModel): string | undefined {
  switch (provider.type) {
    case 'anthropic':
      return model.providerIds.anthropic;
    case 'openrouter':
      return model.providerIds.openrouter;
    case 'openai':
      return model.providerIds.openai ?? provider.models[model.id];
    case 'openai-compatible':
      return provider.models[model.id] ?? (Object.keys(provider.models).length === 0 ? model.id : undefined);
  }
}

function catalogCandidate(provider: ProviderConfig, model: CatalogModel, requestedId?: string): Candidate | null {
  let upstreamModel = providerModelId(provider, model);
  if (!upstreamModel) return null;
  // A client that named a provider-specific id (e.g. a dated Anthropic id) gets exactly that id at that provider.
  if (requestedId && providerAccepts(provider, requestedId) && requestedId.toLowerCase() !== model.id) {
    const sameFamily = provider.type === 'anthropic' ? !requestedId.includes('/') : provider.type === 'openrouter' ? requestedId.includes('/') : false;
    if (sameFamily) upstreamModel = requestedId;
  }
  return {
    providerId: provider.id,
    providerType: provider.type,
    protocol: providerProtocol(provider.type),
    modelId: model.id,
    upstreamModel,
    contextWindow: model.contextWindow,
  };
}

/** A model the catalog does not know goes, unchanged, to the first provider whose naming scheme it fits. */
function passThroughCandidate(provider: ProviderConfig, requestedModel: string): Candidate | null {
  const mapped = provider.models[requestedModel];
  if (!mapped && !providerAccepts(provider, requestedModel)) return null;
  return {
    providerId: provider.id,
    providerType: provider.type,
    protocol: providerProtocol(provider.type),
    modelId: null,
    upstreamModel: mapped ?? requestedModel,
    contextWindow: null,
  };
}

function providerAccepts(provider: ProviderConfig, modelId: string): boolean {
  switch (provider.type) {
    case 'anthropic':
      return /^claude-[a-z0-9.-]+$/i.test(modelId);
    case 'openrouter':
      return /^[\w.-]+\/[\w.:-]+$/.test(modelId);
    case 'openai':
      return !modelId.includes('/') && !/^claude-/i.test(modelId);
    case 'openai-compatible':
      return Object.keys(provider.models).length === 0;
  }
}

function checkContext(all: Candidate[], input: RouteInput): { candidates: Candidate[]; skipped: SkippedCandidate[] } {
  const output = input.requestedOutputTokens ?? 0;
  if (input.estimatedInputTokens === undefined && input.estimateInputTokens) {
    const windows = all.map((candidate) => candidate.contextWindow).filter((window): window is number => window !== null);
    const smallest = windows.length > 0 ? Math.min(...windows) : Infinity;
    // The common case: a body too small to fill any window needs no token estimate at all.
    if (input.inputTokensUpperBound !== undefined && input.inputTokensUpperBound + output <= smallest) return { candidates: all, skipped: [] };
    input = { ...input, estimatedInputTokens: input.estimateInputTokens() };
  }
  if (input.estimatedInputTokens === undefined) return { candidates: all, skipped: [] };
  const needed = input.estimatedInputTokens + output;
  const candidates: Candidate[] = [];
  const skipped: SkippedCandidate[] = [];
  for (const candidate of all) {
    if (candidate.contextWindow !== null && needed > candidate.contextWindow) {
      skipped.push({ ...candidate, skipReason: `needs ~${needed} tokens, window is ${candidate.contextWindow}` });
    } else {
      candidates.push(candidate);
    }
  }
  return { candidates, skipped };
}

function baseDecision(
  input: RouteInput,
  parts: Pick<Decision, 'virtualModel' | 'mode' | 'modeSource' | 'tier' | 'candidates' | 'skipped' | 'diagnostics' | 'inference'>,
): Decision {
  return { requestedModel: input.requestedModel, ...parts, reason: '', error: null, decidedAt: input.now };
}

function contextMessage(input: RouteInput, skipped: SkippedCandidate[]): string {
  const largest = Math.max(...skipped.map((candidate) => candidate.contextWindow ?? 0));
  return `The request needs about ${(input.estimatedInputTokens ?? 0) + (input.requestedOutputTokens ?? 0)} tokens (input plus max output); the largest candidate window is ${largest}.`;
}

function noProviderMessage(config: CompiledConfig, what: string): string {
  if (config.providers.length === 0) {
    return 'No upstream provider is configured. Set ANTHROPIC_API_KEY, OPENROUTER_API_KEY or OPENAI_API_KEY (with *_BASE_URL for another endpoint) and restart, or add providers to automodel.yaml.';
  }
  return `No configured provider (${config.providers.map((provider) => provider.id).join(', ')}) serves ${what}.`;
}
