import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ctimeText, formatSendTime, parseSendTime, sipDate } from './silo-time.js';

describe('msilo time formats', () => {
  const t = Date.UTC(2006, 0, 1, 20, 15, 0) / 1000;

  test('snd_time_avp format YYYYMMDDHHMMSS (seed example 20060101201500), read as UTC', () => {
    assert.equal(parseSendTime('20060101201500'), t);
    assert.equal(formatSendTime(t), '20060101201500');
  });

  test('malformed or impossible send times are null', () => {
    for (const s of ['2006010120150', '200601012015000', '2006-01-01', '20060230101500', '20061301000000', '20060101240000', '19990101000000', ''])
      assert.equal(parseSendTime(s), null, s);
  });

  test('RFC 3261 §20.17 Date: RFC 1123 form in GMT', () => {
    assert.equal(sipDate(t), 'Sun, 01 Jan 2006 20:15:00 GMT');
  });

  test('add_date prefix uses ctime() text, day padded with a space', () => {
    assert.equal(ctimeText(t), 'Sun Jan  1 20:15:00 2006');
    assert.equal(ctimeText(Date.UTC(2024, 10, 23, 3, 4, 5) / 1000), 'Sat Nov 23 03:04:05 2024');
  });
});
