import { z } from 'zod';
import { configField as f, type ConfigSectionMeta } from '@pbx/sip';

/** A SIP or SIPS URI, loosely: the engines parse it fully. */
const SIP_URI = { pattern: /^sips?:\S+$/i, expected: 'a SIP URI (sip:… or sips:…)' };

/** An RFC 3261 §25.1 token, the syntax of a header field name. */
const HEADER_NAME = { pattern: /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, expected: 'a header field name (an RFC 3261 token)' };

const COLUMN = 'the silo table has the fixed Kamailio column names (see migrations)';

/**
 * The `msilo` section: the parameters of the Kamailio msilo module
 * (seeds/kamailio-msilo.txt, §3) except the database ones (the database is
 * global: DATABASE_URL; the table layout is fixed by the migrations), plus
 * three extensions.
 */
export const msiloConfigSchema = z
  .object({
    from_address: f.optionalString(
      { description: 'SIP address the "user is offline, message stored" notification comes from; unset = no notification.' },
      SIP_URI,
    ),
    contact_hdr: f.optionalString({
      description: 'Contact header (name, value and ending \\r\\n) added to notification messages; unset = none.',
    }),
    extra_hdrs: f.optionalString({
      description: 'Extra headers (each ending \\r\\n) added to messages sent by a dump; unset = none.',
    }),
    offline_message: f.optionalString({
      description: 'Body of the notification message; unset = no notification.',
    }),
    content_type_hdr: f.optionalString({
      description: 'Content-Type header (name, value and ending \\r\\n) of the notification; must match offline_message.',
    }),
    reminder: f.optionalString(
      { description: 'SIP address reminder messages are sent from; unset = the reminder feature is disabled.' },
      SIP_URI,
    ),
    outbound_proxy: f.optionalString(
      { description: 'Next hop for every message msilo sends; unset = the destination URI.' },
      SIP_URI,
    ),
    expire_time: f.int(259_200, { min: 1 }, {
      unit: 'seconds',
      description: 'Lifetime of a stored message (72 hours); after it the message is silently discarded.',
    }),
    check_time: f.int(60, { min: 1 }, {
      unit: 'seconds',
      description: 'Timer interval that checks whether dumped messages were answered 2xx (then deleted).',
    }),
    send_time: f.int(0, { min: 0 }, {
      unit: 'seconds',
      description: 'Timer interval that sends due reminder messages; 0 = the reminder feature is disabled.',
    }),
    clean_period: f.int(10, { min: 1 }, {
      description: 'Every this many check_time cycles, expired messages are deleted from the database.',
    }),
    use_contact: f.switch(1, {
      description: '1: send the offline notification to the sender\'s Contact address; 0: to its From address.',
    }),
    snd_time_avp: f.optionalString({
      description: 'AVP holding the time (YYYYMMDDHHMMSS) to send a stored message as a reminder; unset = not looked for.',
      note: 'PBX-lite has no config script; a reminder time arrives in the send_time_header request header instead.',
    }),
    add_date: f.switch(1, {
      description: '1: prefix a delivered message with the date it was stored (see date_in_header); 0: deliver unchanged.',
    }),
    max_messages: f.int(0, { min: 0 }, {
      description: 'Most stored messages per AoR; 0 = no limit.',
    }),
    add_contact: f.switch(0, {
      description: '1: add a Contact header (the From URI) to generated messages; 0: none, as per RFC 3428.',
    }),
    extra_hdrs_avp: f.optionalString({
      description: 'AVP with extra headers stored with the message and included when it is dumped; unset = none.',
    }),
    skip_notification_flag: f.flag(-1, {
      description: 'Message flag marking a MESSAGE for which no offline notification is sent; -1 = feature disabled.',
    }),
    use_mode: f.switch(0, {
      description: '1: store the Call-ID of the incoming MESSAGE and reuse it when delivering; 0: a new Call-ID.',
    }),
    dump_to_all_bindings: f.bool(false, {
      extension: true,
      description: 'Deliver stored messages to every contact of the AoR, not only the one that just registered.',
    }),
    date_in_header: f.bool(false, {
      extension: true,
      description: 'With add_date, put the stored time in a Date header instead of a prefix of the body.',
    }),
    send_time_header: f.string('X-Send-Time', {
      extension: true,
      description: 'Request header carrying a reminder send time (YYYYMMDDHHMMSS) on a stored MESSAGE.',
    }, HEADER_NAME),
  })
  .strict()
  .meta({
    description: 'Offline messages: store MESSAGE for unregistered users, deliver on REGISTER, reminders, expiry (Kamailio msilo module).',
    kamailioModule: 'msilo',
    omitted: {
      db_url: 'the database is global, set by DATABASE_URL',
      db_table: 'the table is always silo (see migrations)',
      ...Object.fromEntries(
        ['sc_mid', 'sc_from', 'sc_to', 'sc_uri_user', 'sc_uri_host', 'sc_body', 'sc_ctype', 'sc_exp_time', 'sc_inc_time', 'sc_snd_time', 'sc_stored_hdrs', 'sc_callid', 'sc_status'].map(
          (k) => [k, COLUMN],
        ),
      ),
    },
  } satisfies ConfigSectionMeta);

export type MsiloConfig = z.infer<typeof msiloConfigSchema>;
