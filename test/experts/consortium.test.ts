import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { standalonePrompt } from '../../src/experts/chain';
import { generateTranscripts } from '../../src/experts/generate';
import { ConsortiumConfigError, loadConsortium, loadConsortiumConfig, resolveConsortiumPath } from '../../src/experts/consortium';
import { GSM8K_ITEMS } from './sample-items';

const TINY_GGUF = path.resolve(__dirname, '../../../shared/fixtures/llama-2-tiny-random.gguf');

const tmpDirs: string[] = [];
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function writeConfig(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consortium-'));
  tmpDirs.push(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

test('the paper consortia ship as configs with Table 6/7 temperatures and top_p 0.7', () => {
  const hom = loadConsortiumConfig('data/consortia/homogeneous.yaml', { checkFiles: false });
  assert.equal(hom.experts.length, 10);
  assert.deepEqual(hom.experts.map((e) => e.temperature), [8e-6, 0.2, 0.5, 0.5, 8e-6, 1.0, 8e-6, 1.5, 2.0, 8e-6]);
  assert.ok(hom.experts.every((e) => e.topP === 0.7 && e.maxTokens === 512));
  assert.deepEqual([...new Set(hom.experts.map((e) => e.model))], ['LLaMA 3.1 8B', 'Qwen3 8B', 'DeepSeek-R1 8B']);
  const first = hom.experts[0];
  assert.equal(first.backend, 'llama-cpp');
  if (first.backend === 'llama-cpp') assert.equal(first.modelPath, path.resolve('models/llama-3.1-8b-instruct-q4_k_m.gguf'));
  const het = loadConsortiumConfig('data/consortia/heterogeneous.yaml', { checkFiles: false });
  assert.deepEqual([...new Set(het.experts.map((e) => e.model))], ['LLaMA 3.2 1B', 'Qwen2.5 3B', 'Mistral 7B']);
  assert.deepEqual(het.experts.map((e) => e.temperature), hom.experts.map((e) => e.temperature));
  for (const preset of ['homogeneous', 'heterogeneous', 'planted-hub']) {
    const c = loadConsortium(preset);
    assert.equal(c.simulated, true);
    assert.equal(c.experts.length, 10);
  }
});

test('ids that --chain cannot name, dependencies on no expert and a NaN temperature are clear errors', () => {
  const sim = 'defaults: { backend: simulated, family: qwen, temperature: 0.1, skill: { gsm8k: 0.5, mmlu: 0.5, humaneval: 0.5 } }\n';
  const cases: [string, RegExp][] = [
    [`name: x\n${sim}experts:\n  - { id: E1, model: M }\n  - { id: "E 2", model: M }\n`, /c\.yaml:5: experts\[1\]\.id: expert id "E 2" must not contain spaces or commas/],
    [`name: x\n${sim}experts:\n  - { id: "E1,E2", model: M }\n`, /c\.yaml:4: experts\[0\]\.id: expert id "E1,E2" must not contain spaces or commas/],
    [`name: x\n${sim}experts:\n  - { id: E1, model: M }\n  - id: E2\n    model: M\n    dependsOn: { on: E9, boost: 0.3 }\n`, /c\.yaml:7: experts\[1\]\.dependsOn\.on: expert E2 depends on "E9", which is not an expert of this consortium \(E1, E2\)/],
    [`name: x\n${sim}experts:\n  - { id: E1, model: M }\n  - id: E2\n    model: M\n    dependsOn:\n      - { on: E1, boost: 0.3 }\n      - { on: [E1, Ex], boost: 0.1 }\n`, /c\.yaml:9: experts\[1\]\.dependsOn\[1\]\.on\[1\]: expert E2 depends on "Ex"/],
    [`name: x\n${sim}experts:\n  - { id: E1, model: M, dependsOn: { on: E1, boost: 0.3 } }\n`, /experts\[0\]\.dependsOn\.on: expert E1 cannot depend on itself/],
    [`name: x\n${sim}experts:\n  - { id: E1, model: M, temperature: .nan }\n`, /experts\[0\]\.temperature: temperature must be a number in \[0, 2\], got NaN/],
    [`name: x\n${sim}experts:\n  - { id: E1, model: M, temperature: .inf }\n`, /got Infinity/],
  ];
  for (const [text, re] of cases) {
    const file = writeConfig('c.yaml', text);
    assert.throws(() => loadConsortiumConfig(file), (e: unknown) => e instanceof ConsortiumConfigError && re.test(e.message), text);
  }
  // every shipped config still loads
  for (const f of fs.readdirSync('data/consortia').filter((f) => /\.ya?ml$/.test(f))) loadConsortiumConfig(path.join('data/consortia', f), { checkFiles: false });
});

test('a missing GGUF is reported at load time with file, line and field', () => {
  const file = writeConfig('c.yaml', 'name: x\nexperts:\n  - id: E1\n    model: M\n    backend: llama-cpp\n    modelPath: nope/missing.gguf\n    temperature: 0.1\n');
  assert.throws(
    () => loadConsortiumConfig(file),
    (e: unknown) =>
      e instanceof ConsortiumConfigError &&
      e.message.startsWith(`${file}:6: experts[0].modelPath: expert E1: no file at ${path.join(path.dirname(file), 'nope/missing.gguf')}`),
  );
});

test('unknown backend, bad temperature, unknown fields and duplicate ids are clear errors', () => {
  const cases: [string, RegExp][] = [
    ['name: x\nexperts:\n  - { id: E1, model: M, backend: gpt5, temperature: 0.1 }\n', /c\.yaml:3: experts\[0\]\.backend: unknown backend "gpt5" \(expected one of: llama-cpp, openai, transformers, simulated, replay/],
    ['name: x\ndefaults: { backend: simulated, family: qwen, skill: { gsm8k: 0.5, mmlu: 0.5, humaneval: 0.5 } }\nexperts:\n  - { id: E1, model: M, temperature: 0.1 }\n  - { id: E2, model: M, temperature: 3 }\n', /c\.yaml:5: experts\[1\]\.temperature: temperature must be a number in \[0, 2\], got 3/],
    ['name: x\nexperts:\n  - { id: E1, model: M, backend: simulated, family: qwen, temperature: "hot", skill: { gsm8k: 0.5, mmlu: 0.5, humaneval: 0.5 } }\n', /experts\[0\]\.temperature: temperature must be a number in \[0, 2\], got "hot"/],
    ['name: x\nexperts:\n  - { id: E1, model: M, backend: simulated, family: qwen, temperature: 0.1, skill: { gsm8k: 1.5, mmlu: 0.5, humaneval: 0.5 } }\n', /experts\[0\]\.skill\.gsm8k: Number must be less than or equal to 1/],
    ['name: x\nexpert: []\n', /c\.yaml: unknown field\(s\) expert|c\.yaml:\d*:? ?experts: Required/],
    ['name: x\ndefaults: { backend: simulated, family: qwen, temperature: 0.1, skill: { gsm8k: 0.5, mmlu: 0.5, humaneval: 0.5 } }\nexperts:\n  - { id: E1, model: M }\n  - { id: E1, model: M }\n', /c\.yaml:5: experts\[1\]\.id: duplicate expert id "E1"/],
    ['name: x\nexperts: [ { id: E1\n', /c\.yaml:\d+: not valid YAML/],
    ['name: x\ndefaults: { backend: simulated, family: qwen, skill: { gsm8k: 0.5, mmlu: 0.5, humaneval: 0.5 } }\nexperts:\n  - { id: E1, model: M, temperature: 0.1 }\n  - id: E2\n    model: M\n    temperature: 0.1\n    topp: 0.9\n', /c\.yaml:8: experts\[1\]\.topp: unknown field\(s\) topp for backend simulated/],
    ['name: x\ndefaults:\n  backend: simulated\n  temprature: 0.3\nexperts:\n  - { id: E1, model: M, family: qwen, temperature: 0.1, skill: { gsm8k: 0.5, mmlu: 0.5, humaneval: 0.5 } }\n', /c\.yaml:4: defaults\.temprature: unknown field\(s\) temprature \(no backend has them\)/],
    ['name: x\ndefaults: { backend: simulated, family: qwen, temperature: 0.1, skill: { gsm8k: 0.5, mmlu: 0.5, humaneval: 0.5 } }\nexperts:\n  - { id: E1, model: M }\noracle: { id: E1, model: O }\n', /c\.yaml:5: oracle\.id: duplicate expert id "E1" \(also experts\[0\]\)/],
  ];
  for (const [text, re] of cases) {
    const file = writeConfig('c.yaml', text);
    assert.throws(() => loadConsortiumConfig(file), (e: unknown) => e instanceof ConsortiumConfigError && re.test(e.message), text);
  }
  const json = writeConfig('c.json', '{\n  "name": "x",\n  "experts": [\n    { "id": "E1", "model": "M", "backend": "simulated", "family": "llama", "temperature": -1, "skill": { "gsm8k": 0.5, "mmlu": 0.5, "humaneval": 0.5 } }\n  ]\n}\n');
  assert.throws(() => loadConsortiumConfig(json), /c\.json:4: experts\[0\]\.temperature: temperature must be a number in \[0, 2\], got -1/);
});

test('a missing transformers model directory is reported at load time', () => {
  const file = writeConfig('t.yaml', 'name: t\nexperts:\n  - { id: T1, model: M, backend: transformers, modelDir: models/none, temperature: 0.3 }\n');
  assert.throws(() => loadConsortiumConfig(file), new RegExp(`t\\.yaml:3: experts\\[0\\]\\.modelDir: expert T1: no file at ${path.join(path.dirname(file), 'models/none').replace(/[.]/g, '\\.')}`));
});

test('a replay run without transcripts is reported at load time, and no folder is created for it', () => {
  const file = writeConfig('r.yaml', 'name: r\nexperts:\n  - { id: R1, model: M, backend: replay, run: runs/none, recordedBackend: simulated, temperature: 0.3 }\n');
  const missing = path.join(path.dirname(file), 'runs/none');
  assert.throws(() => loadConsortiumConfig(file), (e: unknown) => e instanceof ConsortiumConfigError && e.message.startsWith(`${file}:3: experts[0].run: expert R1: no file at ${path.join(missing, 'transcripts.jsonl')}`));
  assert.equal(fs.existsSync(missing), false);
});

test('a missing config file or unknown preset name is a clear error', () => {
  assert.throws(() => resolveConsortiumPath('configs/nothing-here.yaml'), /consortium config not found: .*configs\/nothing-here\.yaml/);
  assert.throws(() => resolveConsortiumPath('plantedhub'), /unknown consortium "plantedhub".*planted-hub/);
  assert.equal(resolveConsortiumPath('simulated:planted-hub'), resolveConsortiumPath('planted-hub'));
});

test('a llama-cpp consortium runs on the tiny GGUF through the config loader', { skip: !fs.existsSync(TINY_GGUF) && 'no ../shared/fixtures/llama-2-tiny-random.gguf', timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consortium-'));
  tmpDirs.push(dir);
  fs.copyFileSync(TINY_GGUF, path.join(dir, 'tiny.gguf')); // a relative path next to the config
  const file = path.join(dir, 'tiny.yaml');
  fs.writeFileSync(file, 'name: tiny\ndefaults: { backend: llama-cpp, topP: 0.7, maxTokens: 8, gpu: false }\nexperts:\n  - { id: T1, model: tiny, modelPath: tiny.gguf, temperature: 8.0e-6, seed: 1 }\n');
  const c = loadConsortium(file);
  try {
    const item = GSM8K_ITEMS[0];
    const a = await c.experts[0].generate(standalonePrompt(item), { item });
    const b = await c.experts[0].generate(standalonePrompt(item), { item });
    assert.ok(a.usage.completionTokens > 0 && a.usage.completionTokens <= 8);
    assert.equal(a.text, b.text, 'temperature ~0 is deterministic');
  } finally {
    await c.dispose();
  }
});

test('the endpoint consortium config loads; an openai consortium generates through the store once', async () => {
  const cfg = loadConsortiumConfig('data/consortia/homogeneous.openai.yaml');
  assert.equal(cfg.experts.length, 10);
  assert.deepEqual(cfg.experts.map((e) => e.temperature), [8e-6, 0.2, 0.5, 0.5, 8e-6, 1.0, 8e-6, 1.5, 2.0, 8e-6]);
  assert.ok(cfg.experts.every((e) => e.backend === 'openai' && e.topP === 0.7));

  // a loopback server speaking the chat-completions protocol
  let requests = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests++;
      const r = JSON.parse(body) as { model: string; temperature: number };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        id: `c${requests}`,
        object: 'chat.completion',
        model: r.model,
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: `${r.model} at ${r.temperature}: The answer is 6.` } }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const file = writeConfig('o.yaml', `name: o\ndefaults: { backend: openai, endpoints: ["http://127.0.0.1:${port}/v1"], topP: 0.7 }\nexperts:\n  - { id: A, model: m-a, temperature: 0.1 }\n  - { id: B, model: m-b, temperature: 0.7 }\n`);
    const c = loadConsortium(file);
    const run = path.join(path.dirname(file), 'run');
    const items = GSM8K_ITEMS.slice(0, 2);
    const s1 = await generateTranscripts({ consortium: c, items, run });
    assert.equal(requests, 4);
    assert.equal(s1.perExpert.find((e) => e.expertId === 'A')!.correct, 1, 'item 1 has gold 6');
    const s2 = await generateTranscripts({ consortium: c, items, run });
    assert.equal(requests, 4, 'no request on a re-run');
    assert.equal(s2.generated, 0);
  } finally {
    server.close();
  }
});
