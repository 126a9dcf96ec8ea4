import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, DELIMITER, encodeMessage, makeMessage, sign } from '../../src/notebook/jupyter-wire';

test('sign matches an HMAC-SHA256 computed by Python hmac over the four JSON frames', () => {
  // /usr/bin/python3: hmac.new(b'secret-key', digestmod=sha256) updated with the same four frames
  const frames = ['{"msg_id":"a"}', '{}', '{}', '{"code":"1"}'];
  assert.equal(sign('secret-key', frames), '5d36b293e5c458d7f35ffeb808fd982decee51d5d55aa707a0cf9c6b99e2c0a9');
  assert.equal(sign('', frames), '', 'an empty key disables signing');
});

test('encode then decode round-trips a message, with routing ids in front', () => {
  const msg = makeMessage('execute_request', { code: 'console.log(1)' }, 'session-1');
  const frames = encodeMessage('k', msg).map((f) => Buffer.from(f));
  assert.equal(frames[0].toString(), DELIMITER);
  const back = decodeMessage('k', [Buffer.from('router-identity'), ...frames]);
  assert.deepEqual(back.header, msg.header);
  assert.deepEqual(back.content, { code: 'console.log(1)' });
  assert.equal(back.header.version, '5.3');
});

test('decode rejects a tampered message, a wrong key and a missing delimiter', () => {
  const frames = encodeMessage('k', makeMessage('status', { execution_state: 'idle' }, 's')).map((f) => Buffer.from(f));
  const tampered = [...frames];
  tampered[5] = Buffer.from('{"execution_state":"busy"}');
  assert.throws(() => decodeMessage('k', tampered), /invalid HMAC/);
  assert.throws(() => decodeMessage('other-key', frames), /invalid HMAC/);
  assert.throws(() => decodeMessage('k', frames.slice(1)), /delimiter/);
  assert.throws(() => decodeMessage('k', frames.slice(0, 4)), /expected at least 5/);
});
