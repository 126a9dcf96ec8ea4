/**
 * The checkpoint fingerprint the probe cache keys on: a version-2 manifest (weights.bin's length
 * and every tensor's sha256) pins the weights, so only the manifest is hashed; an older manifest
 * without the sums is hashed with the weights file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureBackend } from '../../src/orchestrator/backend';
import { checkpointDir } from '../../src/orchestrator/checkpoint';
import { disposeModel } from '../../src/orchestrator/model';
import { syntheticRoutingDataset } from '../../src/orchestrator/synthetic';
import { trainOrchestrator } from '../../src/orchestrator/train';
import { checkpointFingerprint } from '../../src/probes/probe-cache';
import { madeTempDir } from '../temp-dirs';

test('checkpointFingerprint: a pinning manifest stands for the weights; an older manifest is hashed with weights.bin', async () => {
  await ensureBackend();
  const dataset = syntheticRoutingDataset({ seed: 1, nItems: 12, nExperts: 4, dim: 8 });
  const runDir = path.join(madeTempDir(path.join(os.tmpdir(), 'ckpt-fingerprint-')), 'run');
  const r = await trainOrchestrator({ dataset, runDir, model: { hidden: 8, heads: 2 }, train: { epochs: 1, seed: 0 }, progressBar: false });
  disposeModel(r.model);
  const dir = checkpointDir(runDir, 1);
  const manifestFile = path.join(dir, 'manifest.json');
  const weightsFile = path.join(dir, 'weights.bin');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  assert.ok(manifest.weights.tensors.every((t: { sha256?: string }) => typeof t.sha256 === 'string'), 'this checkpoint version records each tensor\'s sha256');

  const pinned = checkpointFingerprint(dir);
  assert.match(pinned, /^[0-9a-f]{16}$/);
  assert.equal(checkpointFingerprint(dir), pinned, 'stable');
  assert.notEqual(checkpointFingerprint(checkpointDir(runDir, 0)), pinned, 'another epoch, another fingerprint');

  // an older manifest without the sums: the weights themselves are hashed, so a changed weights.bin changes it
  const older = { ...manifest, weights: { ...manifest.weights, tensors: manifest.weights.tensors.map(({ sha256: _, ...t }: { sha256?: string }) => t) } };
  fs.writeFileSync(manifestFile, JSON.stringify(older));
  const unpinned = checkpointFingerprint(dir);
  const weights = fs.readFileSync(weightsFile);
  const changed = Buffer.from(weights);
  changed[0] ^= 1;
  fs.writeFileSync(weightsFile, changed);
  assert.notEqual(checkpointFingerprint(dir), unpinned, 'an unpinned checkpoint is fingerprinted by its weights too');
  fs.writeFileSync(weightsFile, weights);
  assert.equal(checkpointFingerprint(dir), unpinned);

  fs.rmSync(weightsFile);
  assert.throws(() => checkpointFingerprint(dir), /has no weights\.bin/);
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  assert.throws(() => checkpointFingerprint(dir), /has no weights\.bin/, 'a pinning manifest still needs its weights file');
});
