/** src/probes compiles under tslab's own compiler settings (see ../tslab-compile-area.ts). */
import { test } from 'node:test';
import { assertCompilesLikeTslab } from '../tslab-compile-area';

test('src/probes compiles under tslab-like compiler settings', () => {
  assertCompilesLikeTslab('probes');
});
