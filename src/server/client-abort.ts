import { EventEmitter } from 'node:events';

/**
 * The client went away: one per request, handed to the upstream call and to retry waits. undici takes an EventEmitter
 * that emits 'abort' as well as an AbortSignal; on Node 20 an AbortController plus its EventTarget listeners cost more
 * CPU per request than the rest of the routing decision, and this does the same job.
 */
export class ClientAbort extends EventEmitter {
  aborted = false;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }

  /** Waits `ms`, or less if the client goes away meanwhile. */
  sleep(ms: number): Promise<void> {
    if (this.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.off('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.once('abort', done);
    });
  }
}
