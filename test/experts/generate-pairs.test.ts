/**
 * Pair generation ("j after i", Appendix E's chain protocol) through the transcript store: the
 * number of calls, resumability, identity with step 2 of a real chain, and what collectResponses
 * reads back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runChain } from '../../src/experts/chain';
import { loadConsortium } from '../../src/experts/consortium';
import { collectResponses, generateTranscripts, pairsForItem, parsePairSelection, plannedCalls, type ExpertResponse } from '../../src/experts/generate';
import { TranscriptStore } from '../../src/experts/store/transcript-store';
import { withStore } from '../../src/experts/store/stored-expert';
import type { Expert } from '../../src/experts/types';
import { gradeResponse } from '../../src/tasks';
import { GSM8K_ITEMS, MMLU_ITEMS } from './sample-items';

function counted(experts: Expert[]): { experts: Expert[]; calls: () => number } {
  let n = 0;
  return { experts: experts.map((e) => ({ ...e, generate: (p, o) => (n++, e.generate(p, o)) })), calls: () => n };
}

test('--pairs parsing and the per-item pair sample', () => {
  assert.equal(parsePairSelection('none'), 'none');
  assert.equal(parsePairSelection('all'), 'all');
  assert.deepEqual(parsePairSelection('sample:3'), { sample: 3 });
  for (const bad of ['some', 'sample:0', 'sample:', 'sample:x', '3']) assert.throws(() => parsePairSelection(bad), /--pairs must be none, all or sample:K with K >= 1/);
  assert.equal(pairsForItem('a', 4, 'all').length, 12);
  assert.deepEqual(pairsForItem('a', 4, 'none'), []);
  const s = pairsForItem('item-7', 4, { sample: 5 });
  assert.equal(s.length, 5);
  assert.deepEqual(pairsForItem('item-7', 4, { sample: 5 }), s, 'the same item draws the same pairs');
  assert.ok(s.every(([i, j]) => i !== j && i >= 0 && j < 4));
  assert.equal(new Set(s.map((p) => p.join())).size, 5);
  assert.notDeepEqual(pairsForItem('item-8', 4, { sample: 5 }), s);
  assert.deepEqual(plannedCalls(4, true, [{ id: 'a' }, { id: 'b' }], 'all'), { solo: 10, pairs: 24, total: 34 });
});

test('pairs go through the store: N solo + selected pairs calls, zero on a re-run, identical to step 2 of a chain', { timeout: 120_000 }, async () => {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'generate-pairs-'));
  try {
    const c = loadConsortium('planted-hub');
    const members = c.experts.slice(0, 3);
    const items = [...GSM8K_ITEMS.slice(0, 2), ...MMLU_ITEMS.slice(0, 1)];
    const first = counted(members);
    const s1 = await generateTranscripts({ consortium: first.experts, items, run, pairs: { sample: 4 } });
    assert.equal(first.calls(), items.length * 3 + items.length * 4);
    assert.deepEqual([s1.pairs.total, s1.pairs.generated, s1.pairs.reused], [items.length * 4, items.length * 4, 0]);
    assert.equal(s1.total, items.length * 7);
    // 'all' afterwards generates only the pairs not drawn before
    const second = counted(members);
    const s2 = await generateTranscripts({ consortium: second.experts, items, run, pairs: 'all' });
    assert.equal(second.calls(), items.length * 2, 'only the 2 missing pairs per item');
    assert.deepEqual([s2.pairs.generated, s2.pairs.reused], [items.length * 2, items.length * 4]);
    const third = counted(members);
    await generateTranscripts({ consortium: third.experts, items, run, pairs: 'all' });
    assert.equal(third.calls(), 0, 'a re-run makes no call');

    const rows = collectResponses(run, members, items);
    const store = TranscriptStore.open(run, { readOnly: true });
    try {
      for (const row of rows) {
        assert.ok(row.pairs);
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 3; j++) {
            const p: ExpertResponse | null = row.pairs[i][j];
            if (i === j) {
              assert.equal(p, null);
              continue;
            }
            assert.ok(p, `pair ${i}->${j} of ${row.item.id} missing`);
            // the same text as step 2 of a real chain [i, j] through the store, which generates nothing
            const stored = members.map((e) => withStore(e, store));
            const chain = await runChain(stored, [members[i].id, members[j].id], row.item);
            assert.equal(stored.reduce((n, e) => n + e.stats.generated, 0), 0);
            assert.equal(chain.finalText, p.text);
            assert.equal(p.correct, await gradeResponse(row.item, p.text));
            assert.equal(p.expertId, members[j].id);
          }
        }
      }
    } finally {
      store.close();
    }
    // a run without pairs reads nulls (a mask), not an error
    const run2 = fs.mkdtempSync(path.join(os.tmpdir(), 'generate-nopairs-'));
    try {
      await generateTranscripts({ consortium: members, items: items.slice(0, 1), run: run2 });
      const r2 = collectResponses(run2, members, items.slice(0, 1));
      assert.ok(r2[0].pairs!.flat().every((p) => p === null));
      assert.equal(collectResponses(run2, members, items.slice(0, 1), { pairs: false })[0].pairs, undefined);
    } finally {
      fs.rmSync(run2, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(run, { recursive: true, force: true });
  }
});
