/**
 * The transformers expert run for real by @huggingface/transformers on tiny random causal LMs the
 * project writes itself (with and without a KV cache, with and without a chat template).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createTransformersExpert,
  loadedTransformersModelCount,
  transformersSpec,
  type TransformersSpecInput,
} from '../../../src/experts/backends/transformers';
import type { Expert } from '../../../src/experts/types';
import { writeTinyCausalLm } from '../../fixtures/onnx/write-tiny-models';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-onnx-lm-'));
writeTinyCausalLm(path.join(tmp, 'lm'), { seed: 4 });
writeTinyCausalLm(path.join(tmp, 'lm-nocache'), { seed: 4, kvCache: false });
writeTinyCausalLm(path.join(tmp, 'lm-plain'), { seed: 4, chatTemplate: false });
const created: Expert[] = [];
after(async () => {
  for (const e of created) await e.dispose?.();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function expert(modelDir: string, over: Partial<TransformersSpecInput> = {}): Expert {
  const e = createTransformersExpert(
    transformersSpec.parse({ id: 'T1', model: 'tiny', backend: 'transformers', modelDir, temperature: 0, maxTokens: 10, ...over }),
    { configDir: tmp },
  );
  created.push(e);
  return e;
}

const PROMPT = 'how many apples are there in total';

test('temperature 0 is deterministic; entropies finite and >= 0; maxTokens respected', async () => {
  const e = expert('lm', { id: 'greedy' });
  const a = await e.generate(PROMPT);
  const b = await e.generate(PROMPT, { temperature: 8e-6 });
  assert.deepEqual(a.tokens, b.tokens);
  assert.equal(a.text, b.text);
  assert.ok(a.usage.completionTokens >= 1 && a.usage.completionTokens <= 10);
  assert.equal(a.tokenEntropies?.length, a.usage.completionTokens);
  for (const h of a.tokenEntropies ?? []) assert.ok(Number.isFinite(h) && h >= 0);
  const short = await e.generate(PROMPT, { maxTokens: 3 });
  assert.ok(short.usage.completionTokens <= 3);
});

test('the KV-cache path and the full-recompute path generate the same tokens', async () => {
  const cached = await expert('lm', { id: 'c', chatTemplate: 'none' }).generate(PROMPT);
  const recomputed = await expert('lm-nocache', { id: 'n', chatTemplate: 'none' }).generate(PROMPT);
  assert.deepEqual(cached.tokens, recomputed.tokens);
  assert.ok(cached.tokenEntropies && recomputed.tokenEntropies);
  cached.tokenEntropies.forEach((h, i) => assert.ok(Math.abs(h - (recomputed.tokenEntropies ?? [])[i]) < 1e-4));
});

test('a seed reproduces a sample; different seeds differ at temperature 1', async () => {
  const e = expert('lm', { id: 'sampler', temperature: 1, topP: 1, maxTokens: 12 });
  const a = await e.generate(PROMPT, { seed: 1 });
  const b = await e.generate(PROMPT, { seed: 1 });
  assert.deepEqual(a.tokens, b.tokens);
  const others = await Promise.all([2, 3, 4].map((seed) => e.generate(PROMPT, { seed })));
  assert.ok(others.some((o) => JSON.stringify(o.tokens) !== JSON.stringify(a.tokens)));
});

test('the chat template is applied when the tokenizer has one', async () => {
  const templ = await expert('lm', { id: 'tpl' }).generate(PROMPT);
  const plain = await expert('lm-plain', { id: 'pln' }).generate(PROMPT);
  // "user : <prompt> . assistant : " adds tokens around the prompt.
  assert.ok(templ.usage.promptTokens > plain.usage.promptTokens, `${templ.usage.promptTokens} vs ${plain.usage.promptTokens}`);
});

test('experts naming the same directory share one loaded model', async () => {
  const before = loadedTransformersModelCount();
  const dir = writeTinyCausalLm(path.join(tmp, 'shared'), { seed: 9 });
  const e1 = expert(dir, { id: 'A' });
  const e2 = expert(dir, { id: 'B', temperature: 0.8 });
  await Promise.all([e1.generate(PROMPT), e2.generate(PROMPT)]);
  assert.equal(loadedTransformersModelCount(), before + 1);
  await e1.dispose?.();
  await e2.dispose?.();
  assert.equal(loadedTransformersModelCount(), before);
});

test('a missing model directory is a clear error naming the field and the path', () => {
  assert.throws(
    () => expert('models/qwen-onnx', { id: 'T9' }),
    (err: Error) => err.message.includes('"modelDir"') && err.message.includes(path.join(tmp, 'models/qwen-onnx')) && err.message.includes('T9'),
  );
  assert.throws(() => transformersSpec.parse({ id: 'x', model: 'm', backend: 'transformers', modelDir: 'd', temperature: 0.5, device: 'tpu' }), /device/);
});
