import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Binding } from '@pbx/registrar';
import { BACKUP_ERRORS, BackupError } from './backup-errors.js';
import { BACKUP_FORMAT, BACKUP_VERSION, backupFileSchema } from './backup-format.js';
import { bindingOf, bindingRecord } from './binding-record.js';

const fieldsOf = (input: unknown) => {
  const r = backupFileSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

const base = { format: BACKUP_FORMAT, version: BACKUP_VERSION };

describe('backup file format', () => {
  test('an empty file of the current version is valid, and its sections default to empty', () => {
    const r = backupFileSchema.parse(base);
    assert.deepEqual([r.subscribers, r.bindings, r.messages, r.scaSubscriptions], [[], [], [], []]);
  });

  test('a wrong format, a newer version and a bad record are each named by their field', () => {
    assert.deepEqual(fieldsOf({ ...base, format: 'kamailio' }), ['format']);
    assert.deepEqual(fieldsOf({ ...base, version: BACKUP_VERSION + 1 }), ['version']);
    assert.deepEqual(fieldsOf({ ...base, subscribers: [{ username: 'a', domain: 'x', ha1: 'h' }, { username: '', domain: 'x', ha1: 'h' }] }), ['subscribers.1.username']);
    assert.deepEqual(fieldsOf({ ...base, messages: [{ src_addr: 'a', dst_addr: 'b', username: 'u', domain: 'd', inc_time: 1, exp_time: 2, body: 'not base64!' }] }), ['messages.0.body']);
  });

  test('duplicates of a table unique key are refused with the record that repeats it', () => {
    const s = { username: 'a', domain: 'example.com', ha1: 'h' };
    assert.deepEqual(fieldsOf({ ...base, subscribers: [s, { ...s, domain: 'EXAMPLE.com' }] }), ['subscribers.1.username']);
  });

  test('every error code maps to a 4xx status and a non-zero exit code', () => {
    for (const [code, e] of Object.entries(BACKUP_ERRORS)) {
      assert.ok(e.status >= 400 && e.status < 500, code);
      assert.ok(e.exitCode >= 2, code);
      assert.equal(new BackupError(code as keyof typeof BACKUP_ERRORS).status, e.status);
    }
  });
});

describe('binding records', () => {
  test('a binding survives record and back: contact, Path, flow, source hop and times', () => {
    const now = Date.UTC(2026, 0, 1);
    const b = new Binding({
      ruid: 'r-1', aor: 'bob@example.com', contact: 'sip:bob@10.0.0.5:5062;transport=tcp', received: 'sip:198.51.100.7:40000;transport=tcp',
      path: '<sip:edge.example.com;lr>', expires: now + 3_600_000, q: 500, callId: 'c-1', cseq: 9, flags: 0, cflags: 4, userAgent: 'phone/1',
      methods: 5, instance: '<urn:uuid:00000000-0000-0000-0000-000000000001>', regId: 1, serverId: 3, connectionId: 17, keepalive: 0,
      lastModified: now, transport: 'tcp', sourceAddress: '198.51.100.7', sourcePort: 40000, localAddress: '192.0.2.1', localPort: 5060,
    });
    const record = bindingRecord(b, true);
    assert.equal(record.username, 'bob');
    assert.equal(record.domain, 'example.com');
    assert.equal(record.socket, 'tcp:192.0.2.1:5060');
    assert.equal(record.source, 'tcp:198.51.100.7:40000');
    const parsed = backupFileSchema.parse({ ...base, bindings: [record] }).bindings[0]!;
    const back = bindingOf(parsed, true, now);
    assert.deepEqual(back.init(), { ...b.init(), connectionId: 0 }, 'everything but the connection of the old process');
    assert.equal(bindingOf(parsed, false, now).aor, 'bob', 'usrloc.use_domain 0 on the target: the key is the user');
  });
});
