/**
 * The llama-cpp backend, run for real on CPU: on the project's own tiny random-weight GGUF (written
 * into a temp dir by test/fixtures/gguf/write-tiny-llama.ts) and, when present, on the shared
 * ../shared/fixtures/llama-2-tiny-random.gguf.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLlamaCppExpert, llamaCppSpec, type LlamaCppSpecInput } from '../../../src/experts/backends/llama-cpp';
import { loadedModelCount } from '../../../src/experts/backends/llama-cpp-runtime';
import type { Expert } from '../../../src/experts/types';
import { writeTinyLlamaGguf } from '../../fixtures/gguf/write-tiny-llama';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-gguf-'));
const ownModel = writeTinyLlamaGguf(path.join(tmp, 'tiny-llama.gguf'), { seed: 7 });
const ownPlain = writeTinyLlamaGguf(path.join(tmp, 'tiny-llama-plain.gguf'), { seed: 7, chatTemplate: false });
const sharedModel = path.resolve(__dirname, '../../..', '../shared/fixtures/llama-2-tiny-random.gguf'); // the repo root, then ../shared

const created: Expert[] = [];
after(async () => {
  for (const e of created) await e.dispose?.();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function expert(modelPath: string, over: Partial<LlamaCppSpecInput> = {}): Expert {
  const spec = llamaCppSpec.parse({
    id: 'E1',
    model: 'tiny',
    backend: 'llama-cpp',
    modelPath,
    gpu: false,
    temperature: 0,
    maxTokens: 12,
    contextSize: 256,
    ...over,
  });
  const e = createLlamaCppExpert(spec, { configDir: path.dirname(modelPath) });
  created.push(e);
  return e;
}

const PROMPT = 'Question: how many apples are there in total? Answer step by step.';

const models: [string, string][] = [
  ['own tiny GGUF (chat template)', ownModel],
  ['own tiny GGUF (plain completion)', ownPlain],
];
if (fs.existsSync(sharedModel)) models.push(['shared llama-2-tiny-random.gguf', sharedModel]);

for (const [label, file] of models) {
  test(`${label}: temperature 0 is deterministic, entropies finite and >= 0, maxTokens respected`, async () => {
    const e = expert(file, { id: 'greedy', temperature: 0, maxTokens: 10 });
    const a = await e.generate(PROMPT);
    const b = await e.generate(PROMPT);
    assert.equal(a.text, b.text);
    assert.deepEqual(a.tokens, b.tokens);
    assert.ok(a.usage.completionTokens >= 1, 'generated at least one token');
    assert.ok(a.usage.completionTokens <= 10, `maxTokens 10 respected, got ${a.usage.completionTokens}`);
    assert.equal(a.tokenEntropies?.length, a.usage.completionTokens);
    assert.equal(a.tokens?.length, a.usage.completionTokens);
    assert.ok(a.usage.promptTokens > 5);
    for (const h of a.tokenEntropies ?? []) assert.ok(Number.isFinite(h) && h >= 0, `entropy ${h}`);
    // The paper's 8E-6 temperature is greedy in effect.
    const tiny = await e.generate(PROMPT, { temperature: 8e-6 });
    assert.deepEqual(tiny.tokens, a.tokens);
  });

  test(`${label}: a seed reproduces a sample, different seeds differ at temperature 1`, async () => {
    const e = expert(file, { id: 'sampler', temperature: 1, topP: 1, maxTokens: 16 });
    const a = await e.generate(PROMPT, { seed: 11 });
    const b = await e.generate(PROMPT, { seed: 11 });
    assert.deepEqual(a.tokens, b.tokens);
    assert.deepEqual(a.tokenEntropies, b.tokenEntropies);
    const others = await Promise.all([12, 13, 14].map((seed) => e.generate(PROMPT, { seed })));
    assert.ok(
      others.some((o) => JSON.stringify(o.tokens) !== JSON.stringify(a.tokens)),
      'at least one of three other seeds gives a different sample',
    );
  });
}

test('the entropy is of the model distribution: the same prefix gives the same entropy at any temperature', async () => {
  const greedy = expert(ownModel, { id: 'g', temperature: 0, maxTokens: 4 });
  const hot = expert(ownModel, { id: 'h', temperature: 1.5, maxTokens: 4, seed: 3 });
  const a = await greedy.generate(PROMPT);
  const b = await hot.generate(PROMPT);
  // The first step sees the same context, so its entropy must match whatever token gets sampled.
  assert.ok(Math.abs((a.tokenEntropies ?? [])[0] - (b.tokenEntropies ?? [])[0]) < 1e-6);
});

test("entropy 'off': llama.cpp samples natively; greedy matches the entropy path, seeds reproduce", async () => {
  for (const file of models.map((m) => m[1])) {
    const full = expert(file, { id: 'full', temperature: 0, maxTokens: 10 });
    const fast = expert(file, { id: 'fast', temperature: 0, maxTokens: 10, entropy: 'off' });
    const a = await full.generate(PROMPT);
    const b = await fast.generate(PROMPT);
    assert.deepEqual(b.tokens, a.tokens, `greedy tokens agree on ${path.basename(file)}`);
    assert.equal(b.tokenEntropies, undefined);
    // another sampler gives other samples for the same seed: a distinct transcript key
    assert.equal(full.variant, undefined);
    assert.equal(fast.variant, 'sampler:llama.cpp');
    const hot = expert(file, { id: 'fast-hot', temperature: 1, topP: 1, maxTokens: 16, entropy: 'off' });
    const s1 = await hot.generate(PROMPT, { seed: 5 });
    const s2 = await hot.generate(PROMPT, { seed: 5 });
    assert.deepEqual(s1.tokens, s2.tokens);
    assert.ok(s1.usage.completionTokens <= 16);
    const others = await Promise.all([6, 7, 8].map((seed) => hot.generate(PROMPT, { seed })));
    assert.ok(others.some((o) => JSON.stringify(o.tokens) !== JSON.stringify(s1.tokens)));
  }
});

test('experts naming the same file share one loaded model; dispose unloads it', async () => {
  const before = loadedModelCount();
  const file = writeTinyLlamaGguf(path.join(tmp, 'shared-by-two.gguf'), { seed: 99 });
  const e1 = expert(file, { id: 'A', temperature: 0.2 });
  const e2 = expert(file, { id: 'B', temperature: 0.9 });
  const [r1, r2] = await Promise.all([e1.generate('the answer is'), e2.generate('the answer is')]);
  assert.ok(r1.tokens && r2.tokens);
  assert.equal(loadedModelCount(), before + 1);
  // Distinct ids give distinct default seeds.
  assert.notEqual(e1.params.seed, e2.params.seed);
  await e1.dispose?.();
  assert.equal(loadedModelCount(), before + 1, 'still held by the second expert');
  await e2.dispose?.();
  assert.equal(loadedModelCount(), before);
});

test('a missing model file is a clear error naming the path and the config field', () => {
  const spec = llamaCppSpec.parse({
    id: 'E7', model: 'LLaMA-3.1 8B', backend: 'llama-cpp', modelPath: 'models/nope.gguf', temperature: 0.6,
  });
  assert.throws(
    () => createLlamaCppExpert(spec, { configDir: tmp }),
    (err: Error) =>
      err.message.includes('"modelPath"') &&
      err.message.includes('models/nope.gguf') &&
      err.message.includes(path.join(tmp, 'models/nope.gguf')) &&
      err.message.includes('E7'),
  );
});

test('config validation: defaults applied, bad gpu and temperature rejected', () => {
  const s = llamaCppSpec.parse({ id: 'E1', model: 'm', backend: 'llama-cpp', modelPath: 'x.gguf', temperature: 0.7 });
  assert.equal(s.gpu, 'auto');
  assert.equal(s.maxTokens, 512);
  assert.equal(s.topP, 0.7);
  assert.equal(s.chatTemplate, 'auto');
  assert.throws(() => llamaCppSpec.parse({ ...s, gpu: 'metal-ish' }), /gpu/);
  assert.throws(() => llamaCppSpec.parse({ ...s, temperature: -1 }), /temperature/);
});

test("gpu 'auto' runs wherever it is; gpu 'cuda' without usable CUDA is a clear error", async () => {
  const auto = expert(ownModel, { id: 'auto', gpu: 'auto', maxTokens: 4 });
  assert.ok((await auto.generate(PROMPT)).usage.completionTokens >= 1);
  const cuda = expert(ownModel, { id: 'cuda', gpu: 'cuda', maxTokens: 4 });
  try {
    const g = await cuda.generate(PROMPT);
    assert.ok(g.usage.completionTokens >= 1, 'CUDA is available here and generation works');
  } catch (err) {
    const msg = (err as Error).message;
    assert.match(msg, /expert "cuda"/);
    assert.match(msg, /gpu="cuda"/);
    assert.match(msg, /gpu: "auto" or gpu: false/);
  }
});

test('an aborted signal stops a generation', async () => {
  const e = expert(ownModel, { id: 'abort', temperature: 1, maxTokens: 64 });
  const ac = new AbortController();
  ac.abort(new Error('user cancelled'));
  await assert.rejects(e.generate(PROMPT, { signal: ac.signal }), /user cancelled/);
  // Aborting mid-generation stops between tokens; the shared sequence stays usable afterwards.
  const long = expert(ownModel, { id: 'abort-mid', temperature: 1, maxTokens: 900, contextSize: 1024 });
  const mid = new AbortController();
  const t0 = Date.now();
  const running = long.generate(PROMPT, { signal: mid.signal });
  setTimeout(() => mid.abort(new Error('stopped mid-way')), 30);
  await assert.rejects(running, /stopped mid-way/);
  assert.ok(Date.now() - t0 < 5000);
  assert.ok((await long.generate(PROMPT, { maxTokens: 3 })).usage.completionTokens >= 1);
});
