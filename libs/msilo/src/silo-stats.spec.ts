import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus, StatsRegistry, type PbxEventMap } from '@pbx/core';
import { siloCounters } from './silo-stats.js';
import type { MsiloEventMap, SiloEventSink } from './silo-events.js';
import { bodyPreview } from './silo-events.js';

describe('statistics and events', () => {
  test('the seed statistics (§5) are registered in module msilo', () => {
    const reg = new StatsRegistry();
    siloCounters(reg);
    assert.deepEqual(reg.snapshot(), {
      msilo: { stored_messages: 0, dumped_messages: 0, failed_messages: 0, dumped_reminders: 0, failed_reminders: 0 },
    });
  });

  test('a second engine on the same registry reuses the counters', () => {
    const reg = new StatsRegistry();
    siloCounters(reg).stored_messages.inc();
    assert.equal(siloCounters(reg).stored_messages.read(), 1);
  });

  test('the server\'s bus (PbxEventMap & MsiloEventMap) is an event sink', () => {
    const bus = new EventBus<PbxEventMap & MsiloEventMap>();
    const sink: SiloEventSink = bus;
    const seen: string[] = [];
    bus.on('message.expired', (p) => seen.push(p.owner));
    sink.emit('message.expired', { id: 1, owner: 'sip:a@b', from: 'sip:c@d', to: 'sip:a@b', contentType: 'text/plain', time: 0, expires: 0, sendTime: null, bodySize: 1, bodyPreview: 'x' });
    assert.deepEqual(seen, ['sip:a@b']);
  });

  test('body preview: text collapsed and cut with an ellipsis, other types by type and size', () => {
    assert.equal(bodyPreview('text/plain', Buffer.from('a\r\n  b'), 6), 'a b');
    const long = 'x'.repeat(200);
    assert.equal(bodyPreview('text/plain', Buffer.from(long), 200), 'x'.repeat(119) + '…');
    assert.equal(bodyPreview('text/plain', Buffer.from('abc'), 500), 'abc…');
    assert.equal(bodyPreview('application/octet-stream', Buffer.from('abc'), 3), '[application/octet-stream, 3 bytes]');
  });
});
