import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ggufEmbeddingLength, readGgufHeader } from '../../../src/experts/backends/llama-cpp-gguf';
import { buildVocab, writeTinyLlamaGguf } from '../../fixtures/gguf/write-tiny-llama';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inform-gguf-hdr-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the generated fixture has the llama metadata llama.cpp needs, and is byte-reproducible', () => {
  const file = writeTinyLlamaGguf(path.join(tmp, 'a.gguf'), { seed: 5, nEmbd: 16, nHead: 2, nHeadKv: 1, nLayer: 1 });
  const h = readGgufHeader(file);
  assert.equal(h.version, 3);
  assert.equal(h.tensorCount, 2 + 9 + 1);
  assert.equal(h.metadata.get('general.architecture'), 'llama');
  assert.equal(h.metadata.get('tokenizer.ggml.model'), 'llama');
  assert.equal(h.metadata.get('llama.attention.head_count_kv'), 1);
  assert.equal(ggufEmbeddingLength(h, file), 16);
  const vocabSize = buildVocab(true).tokens.length;
  assert.deepEqual(h.metadata.get('tokenizer.ggml.tokens'), { arrayOf: 8, length: vocabSize });
  const again = writeTinyLlamaGguf(path.join(tmp, 'b.gguf'), { seed: 5, nEmbd: 16, nHead: 2, nHeadKv: 1, nLayer: 1 });
  assert.ok(fs.readFileSync(file).equals(fs.readFileSync(again)));
  const other = writeTinyLlamaGguf(path.join(tmp, 'c.gguf'), { seed: 6, nEmbd: 16, nHead: 2, nHeadKv: 1, nLayer: 1 });
  assert.ok(!fs.readFileSync(file).equals(fs.readFileSync(other)));
});

test('the vocabulary has the special tokens and all 256 byte tokens', () => {
  const v = buildVocab(false);
  assert.deepEqual(v.tokens.slice(0, 3), ['<unk>', '<s>', '</s>']);
  assert.equal(v.tokens.filter((t) => /^<0x[0-9A-F]{2}>$/.test(t)).length, 256);
  assert.equal(new Set(v.tokens).size, v.tokens.length, 'no duplicate pieces');
});

test('truncated and foreign files are rejected with the file name', () => {
  const file = writeTinyLlamaGguf(path.join(tmp, 'full.gguf'));
  const cut = path.join(tmp, 'cut.gguf');
  fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, 200));
  assert.throws(() => readGgufHeader(cut), /cut\.gguf: truncated GGUF header/);
  const foreign = path.join(tmp, 'x.bin');
  fs.writeFileSync(foreign, Buffer.from('PK\u0003\u0004 zip file'));
  assert.throws(() => readGgufHeader(foreign), /x\.bin is not a GGUF file/);
});

const shared = path.resolve(__dirname, '../../..', '../shared/fixtures/llama-2-tiny-random.gguf'); // the repo root, then ../shared
test('reads the shared tiny llama header when present', { skip: !fs.existsSync(shared) }, () => {
  const h = readGgufHeader(shared);
  assert.equal(ggufEmbeddingLength(h, shared), 8);
  assert.deepEqual(h.metadata.get('tokenizer.ggml.tokens'), { arrayOf: 8, length: 32000 });
});
