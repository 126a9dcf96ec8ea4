// The kernel's ZeroMQ sends one at a time (src/notebook/zmq-send-queue.cjs). Runs in its own
// process (node --test isolates files), since the patch changes zeromq's Socket.send for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as zmq from 'zeromq';

const root = path.resolve(__dirname, '..', '..');

/** A Dealer whose first send cannot complete yet (immediate: no peer), and a Router bound later. */
async function twoSendsBeforeThePeer(): Promise<{ first: Promise<unknown>; second: () => Promise<unknown>; received: () => Promise<string[]>; close: () => void }> {
  const dealer = new zmq.Dealer({ immediate: true, linger: 0 });
  const router = new zmq.Router({ linger: 0 });
  await router.bind('tcp://127.0.0.1:*');
  const endpoint = router.lastEndpoint!;
  await router.unbind(endpoint);
  dealer.connect(endpoint);
  const first = dealer.send('one');
  return {
    first,
    second: () => dealer.send('two'),
    received: async () => {
      await router.bind(endpoint);
      const got: string[] = [];
      for (let i = 0; i < 2; i++) got.push((await router.receive())[1].toString());
      return got;
    },
    close: () => {
      dealer.close();
      router.close();
    },
  };
}

test('a second send while one is pending kills an unpatched kernel (EBUSY, thrown synchronously); serialised, both arrive in order', { timeout: 30_000 }, async () => {
  const before = await twoSendsBeforeThePeer();
  assert.throws(() => before.second(), (e: NodeJS.ErrnoException) => e.code === 'EBUSY' && /busy writing/.test(e.message));
  before.first.catch(() => undefined); // never completes: no peer ever comes
  before.close();

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { serializeSends } = require(path.join(root, 'src', 'notebook', 'zmq-send-queue.cjs')) as { serializeSends(tslabDir: string): boolean };
  assert.equal(serializeSends(path.join(root, 'node_modules', 'tslab')), true);
  const after = await twoSendsBeforeThePeer();
  const second = after.second(); // no throw: queued behind the first
  assert.deepEqual(await after.received(), ['one', 'two']);
  await Promise.all([after.first, second]);
  after.close();
});
