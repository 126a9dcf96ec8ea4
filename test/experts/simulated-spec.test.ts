/** The simulated fields the schema alone cannot check are clear errors naming file, line and field. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConsortiumConfigError, loadConsortiumConfig, SIMULATED_PRESETS } from '../../src/experts/consortium';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-spec-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('sub-type shares over 1, a share for routine, unknown sub-type names: errors with file:line and field', () => {
  const sim = 'defaults: { backend: simulated, family: qwen, temperature: 0.1, skill: { gsm8k: 0.5, mmlu: 0.5, humaneval: 0.5 } }\n';
  const cases: [string, RegExp][] = [
    [`name: x\n${sim}experts:\n  - id: E1\n    model: M\n    subtypes: { a: 0.7, b: 0.6 }\n`, /c\.yaml:6: experts\[0\]\.subtypes: expert E1: sub-type shares sum to 1\.3, more than 1/],
    [`name: x\n${sim}experts:\n  - { id: E1, model: M, subtypes: { routine: 0.5 } }\n`, /experts\[0\]\.subtypes\.routine: expert E1: 'routine' is the rest/],
    [`name: x\n${sim}experts:\n  - id: E1\n    model: M\n    subtypes: { a: 0.2 }\n    subtypeSkill: { b: 0.9 }\n`, /c\.yaml:7: experts\[0\]\.subtypeSkill\.b: expert E1: unknown sub-type 'b' \(declared: routine, a\)/],
    [`name: x\n${sim}experts:\n  - { id: E1, model: M }\n  - id: E2\n    model: M\n    dependsOn: { on: E1, boost: 0.3, subtypes: [nope] }\n`, /experts\[1\]\.dependsOn\.subtypes\[0\]: expert E2: unknown sub-type 'nope'/],
  ];
  for (const [text, re] of cases) {
    const file = path.join(dir, 'c.yaml');
    fs.writeFileSync(file, text);
    assert.throws(() => loadConsortiumConfig(file), (e: unknown) => e instanceof ConsortiumConfigError && re.test(e.message), text);
  }
  for (const p of SIMULATED_PRESETS) loadConsortiumConfig(p);
});
