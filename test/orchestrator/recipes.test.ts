/**
 * Training recipes: the named settings, their merge with the caller's, and the one claim the
 * 'content' recipe exists for: on data where only an expert's ANSWER tells which successor is
 * right, it learns to route by that answer, and its no-content version (every o_i replaced by the
 * expert's mean encoding) cannot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBackend } from '../../src/orchestrator/backend';
import { evaluateModel } from '../../src/orchestrator/evaluate';
import { disposeModel } from '../../src/orchestrator/model';
import { readRunRecipe, recipeDataset, recipeTrainOptions, trainingRecipe, TRAINING_RECIPES, writeRunRecipe } from '../../src/orchestrator/recipes';
import { hiddenBitDataset, trainHiddenBitModel } from './hidden-bit';

test('the paper recipe is the defaults; content names its settings; unknown names are refused', () => {
  const paper = trainingRecipe('paper');
  assert.deepEqual(paper.model, {});
  assert.deepEqual(paper.train, {});
  assert.equal(paper.centre, 'none');
  assert.equal(paper.infer.maxSteps, undefined);
  const content = trainingRecipe('content');
  assert.equal(content.model.selectionReadsH, true);
  assert.equal(content.centre, 'item');
  assert.equal(content.infer.maxSteps, 2);
  assert.equal(content.restarts, 8);
  assert.equal(paper.restarts, 1);
  assert.equal(content.train.utility, 'exact-two-step'); // the horizon of maxSteps 2
  const w = content.train.weights!;
  assert.equal(w.utility, 0.5);
  for (const k of ['distillation', 'symmetry', 'sparsity', 'oracle', 'diversity', 'selection', 'length'] as const) assert.equal(w[k], 0, k);
  assert.throws(() => trainingRecipe('contnet'), /unknown training recipe 'contnet' \(known: paper, content\)/);
  assert.ok(Object.isFrozen(TRAINING_RECIPES));
});

test('the caller overrides a recipe field by field', () => {
  const r = recipeTrainOptions(trainingRecipe('content'), { model: { hidden: 16 }, train: { epochs: 3 } });
  assert.equal(r.model.hidden, 16);
  assert.equal(r.model.selectionReadsH, true);
  assert.equal(r.train.epochs, 3);
  assert.equal(r.train.learningRate, 3e-3);
});

test("the content recipe routes by an expert's answer where its no-content version cannot", async () => {
  await ensureBackend();
  const r = await trainHiddenBitModel();
  const { dataset, recipe } = r;
  try {
    const ev = evaluateModel(r.model, dataset, 'test', recipe.infer);
    const line = `held-out: content ${ev.accuracy.toFixed(3)}, no-content ${ev.noContent.accuracy.toFixed(3)}, best single ${ev.bestSingle.accuracy.toFixed(3)}`;
    console.log(line);
    assert.ok(ev.accuracy >= 0.85, line);
    assert.ok(ev.accuracy - ev.noContent.accuracy >= 0.25, line);
    // and it does so through the planted chains: expert 0 first, then 1 or 2 by the bit
    const viaPlanted = ev.chains.filter((c) => c.chain[0] === 0 && (c.chain[1] === 1 || c.chain[1] === 2)).length;
    assert.ok(viaPlanted / ev.chains.length >= 0.85, `${viaPlanted} of ${ev.chains.length} chains are E1>E2 or E1>E3`);
  } finally {
    disposeModel(r.model);
  }
});

test('a recipe centres a dataset once: its own saved output is taken as it is, another centring is refused', () => {
  const content = trainingRecipe('content');
  const raw = hiddenBitDataset(12, 3);
  const once = recipeDataset(content, raw);
  assert.notEqual(once, raw);
  assert.deepEqual((once.meta as { centre?: unknown }).centre, { mode: 'item', unit: true });
  assert.equal(recipeDataset(content, once), once, 'centring twice would move the encodings by rounding');
  assert.equal(recipeDataset(trainingRecipe('paper'), once), once, 'paper leaves any dataset as it is');
  const byExpert = { ...raw, meta: { ...(raw.meta ?? {}), centre: { mode: 'expert', unit: true } } };
  assert.throws(() => recipeDataset(content, byExpert), /recipe 'content' centres the encodings per item, but this dataset is already centred \(expert\)/);
});

test('a run folder records its recipe; a damaged record names the file and the field', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recipe-run-'));
  try {
    assert.equal(readRunRecipe(dir), null);
    writeRunRecipe(dir, trainingRecipe('content'));
    assert.equal(readRunRecipe(dir)?.name, 'content');
    fs.writeFileSync(path.join(dir, 'recipe.json'), '{"recipe": "fast"}');
    assert.throws(() => readRunRecipe(dir), /recipe\.json: field 'recipe': unknown training recipe 'fast'/);
    fs.writeFileSync(path.join(dir, 'recipe.json'), '{"recipe": ');
    assert.throws(() => readRunRecipe(dir), /recipe\.json: not valid JSON/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
