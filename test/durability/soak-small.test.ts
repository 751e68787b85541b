/**
 * The soak at CI size: 1,000 streaming requests, 64 at a time, 20 % of upstream calls failing before the first token;
 * every request must succeed through fallback, and the heap after GC must not grow from warm-up to the end.
 * `scripts/soak.ts` runs the same at 10,000.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heapGrowthMb, renderSoakReport, runSoak } from './soak-run.js';

describe('soak (1,000 streaming requests, c64, 20 % upstream faults)', { timeout: 30_000 }, () => {
  it('every request succeeds through fallback, with no heap growth and no socket build-up', async (context) => {
    const report = await runSoak({ requests: 1_000, concurrency: 64, faultRate: 0.2, seed: 7 });
    const table = renderSoakReport(report);
    for (const line of table.split('\n')) context.diagnostic(line);
    const examples = report.errorExamples.map((example) => `${example.kind} ${example.status}: ${example.storedAttempts}`).join('; ');
    assert.equal(report.clientErrors, 0, `${report.clientErrors} client errors: ${examples}`);
    assert.ok(report.faultsInjected >= 150, `only ${report.faultsInjected} faults injected`);
    assert.ok(Object.values(report.faultsByKind).every((count) => count > 0), 'every fault kind was injected');
    assert.ok((report.attemptsHistogram['2'] ?? 0) > 0, 'some requests needed a fallback');
    assert.ok(heapGrowthMb(report) < 8, `heap grew ${heapGrowthMb(report).toFixed(2)} MB`);
    const warm = report.samples.find((sample) => sample.label === 'warm')!;
    const end = report.samples.find((sample) => sample.label === 'end')!;
    // Every client, gateway and mock connection is a socket of this process; hung upstream sockets must not pile up.
    assert.ok(end.sockets <= warm.sockets + 64, `sockets grew from ${warm.sockets} to ${end.sockets}`);
    assert.ok(end.gatewayConnections <= 64);
  });
});
