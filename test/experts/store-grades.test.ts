/**
 * A grade belongs to the exact text it graded: after `repair` drops a corrupt transcript and the
 * expert answers differently, the new text is graded anew, never given the old text's grade.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { standalonePrompt } from '../../src/experts/chain';
import { collectResponses, generateTranscripts } from '../../src/experts/generate';
import { storeKeyOf } from '../../src/experts/store/key';
import { TranscriptStore, TRANSCRIPTS_FILE } from '../../src/experts/store/transcript-store';
import type { Expert } from '../../src/experts/types';
import type { TaskItem } from '../../src/tasks/types';
import { GSM8K_ITEMS } from './sample-items';

/** An expert whose answer the test sets. */
function scripted(answer: { text: string }): Expert {
  return {
    id: 'E1',
    backend: 'openai',
    model: 'scripted',
    params: { temperature: 0, topP: 1, maxTokens: 16, seed: 0 },
    generate: async () => ({ text: answer.text, usage: { promptTokens: 1, completionTokens: 1 } }),
  };
}

test('after --repair regenerates a corrupt transcript with another text, that text is regraded, not given the old grade', async () => {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'stale-grade-'));
  try {
    const answer = { text: 'RIGHT' };
    const experts = [scripted(answer)];
    const graded: string[] = [];
    const grader = async (_item: TaskItem, text: string) => (graded.push(text), text === 'RIGHT');
    const items = GSM8K_ITEMS.slice(0, 2);
    await generateTranscripts({ consortium: experts, items, run, grader, graderId: 'g' });
    assert.deepEqual(graded, ['RIGHT', 'RIGHT']);
    assert.deepEqual(collectResponses(run, experts, items, { graderId: 'g' }).map((r) => [r.responses[0].text, r.responses[0].correct]), [['RIGHT', true], ['RIGHT', true]]);

    // Bit rot in the first transcript; the expert now answers differently.
    const file = path.join(run, TRANSCRIPTS_FILE);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines[0] = lines[0].replace('"RIGHT"', '"RIGHX"');
    fs.writeFileSync(file, lines.join('\n'));
    answer.text = 'WRONG';
    const s = await generateTranscripts({ consortium: experts, items, run, grader, graderId: 'g', storeOptions: { repair: true } });
    assert.deepEqual([s.generated, s.reused, s.graded], [1, 1, 1]);
    assert.deepEqual(graded, ['RIGHT', 'RIGHT', 'WRONG'], 'the regenerated text was graded, the kept one was not');
    const rows = collectResponses(run, experts, items, { graderId: 'g' });
    assert.deepEqual(rows.map((r) => [r.responses[0].text, r.responses[0].correct]), [['WRONG', false], ['RIGHT', true]]);
    assert.equal(s.perExpert[0].correct, 1);

    // Read straight from the store: the grade is looked up by the text it graded.
    const store = TranscriptStore.open(run, { readOnly: true });
    const key = storeKeyOf(experts[0], standalonePrompt(items[0]));
    assert.equal(store.getGrade(key, items[0].id, 'g', 'WRONG'), false);
    assert.equal(store.getGrade(key, items[0].id, 'g', 'RIGHT'), true, 'the old text keeps its own grade');
    assert.equal(store.getGrade(key, items[0].id, 'g', 'something else'), undefined);
  } finally {
    fs.rmSync(run, { recursive: true, force: true });
  }
});
