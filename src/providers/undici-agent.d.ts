/**
 * undici's Agent and its `request` on their own. The package entry point also loads fetch, WebSocket, EventSource, the
 * cache stores and their dependencies: 20.7 MB of resident memory, against 12.2 MB for these two, measured on Node 20
 * (the gateway's whole footprint at 64 concurrent streams is ~150 MB). undici has no `exports` map, so the paths are
 * importable; every upstream call in the test suite goes through them, so an upgrade that moves them fails CI.
 */
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';
  const AgentClass: typeof Agent;
  export default AgentClass;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  /** `Dispatcher.prototype.request`, which the entry point installs; call it with the dispatcher as `this`. */
  function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  export default request;
}
