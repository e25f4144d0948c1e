import { z } from 'zod';
import { addConfigIssue, configField as f, type ConfigSectionMeta } from '@pbx/sip';

/**
 * The `registrar` section: every parameter of the Kamailio registrar module
 * (seeds/kamailio-registrar.txt, §3) under its Kamailio name, with the
 * documented default and range, plus two `save()` flags as booleans.
 */
export const registrarConfigSchema = z
  .object({
    default_expires: f.int(3600, { min: 0 }, {
      unit: 'seconds',
      description: 'Expiry used when a REGISTER has neither an Expires header nor an expires contact parameter; ignored if below min_expires.',
    }),
    default_expires_range: f.int(0, { min: 0, max: 100 }, {
      unit: 'percent',
      description: 'Randomise default_expires down to [default_expires - range%, default_expires]; 0 = fixed.',
    }),
    expires_range: f.int(0, { min: 0, max: 100 }, {
      unit: 'percent',
      description: 'Like default_expires_range, applied to the expires value the client asked for; 0 = unmodified.',
    }),
    min_expires: f.int(60, { min: 0 }, {
      unit: 'seconds',
      description: 'Minimum expires of a Contact; lower values are raised to it. 0 disables the check.',
    }),
    max_expires: f.int(0, { min: 0 }, {
      unit: 'seconds',
      description: 'Maximum expires of a Contact; higher values are lowered to it. 0 disables the check.',
    }),
    min_expires_mode: f.switch(0, {
      description: '0: an expires below min_expires is raised to it (seed §3.4); 1: the REGISTER is answered 423 Interval Too Brief with Min-Expires (RFC 3261 §10.3 step 7).',
      note: 'A Kamailio registrar parameter since 5.4, not listed in the seed document; the default keeps the documented clamping.',
    }),
    default_q: f.int(0, { min: 0, max: 1000 }, {
      description: 'Default q of new contacts, in thousandths (380 = q 0.38).',
    }),
    realm_prefix: f.optionalString({
      description: 'Prefix stripped from the realm/domain, e.g. "sip." so sip.example.net is treated as example.net.',
    }),
    append_branches: f.switch(1, {
      description: '1: lookup forks to every contact (highest q in the Request-URI, the rest as branches); 0: only the highest-q contact.',
    }),
    aor_avp: f.optionalString({
      description: 'Removed in Kamailio (use the uri argument of save/lookup/registered); kept as a key for compatibility.',
      note: 'PBX-lite has no config script: the AoR comes from the To URI (REGISTER) and the Request-URI (lookup).',
    }),
    case_sensitive: f.switch(0, {
      description: '1: AoR comparison and storage are case sensitive; 0: case insensitive (recommended).',
    }),
    received_avp: f.optionalString({
      description: 'AVP holding the received URI (source IP, port, transport) stored with the contact; unset = disabled.',
      note: 'PBX-lite has no config script or AVPs; the name is kept so Kamailio settings carry over.',
    }),
    received_param: f.string('received', {
      description: 'Name of the Contact URI parameter that carries the received URI in the 200 OK; empty = not appended.',
    }),
    max_contacts: f.int(0, { min: 0 }, {
      description: 'Most contacts per AoR; a REGISTER that would exceed it is rejected. 0 disables the check.',
    }),
    retry_after: f.int(0, { min: 0 }, {
      unit: 'seconds',
      description: 'Retry-After value added to 5xx replies to REGISTER (RFC 3261 §20.33); 0 = no header.',
    }),
    sock_flag: f.flag(-1, {
      description: 'Message flag telling save() to take the socket from the sock_hdr_name header (replicated servers); -1 = no flag.',
      note: 'PBX-lite has no config script to set message flags; the name is kept so Kamailio settings carry over.',
    }),
    sock_hdr_name: f.optionalString({
      description: 'Header carrying a socket description (proto:IP:port) that overrides the received socket when sock_flag is set.',
    }),
    method_filtering: f.switch(0, {
      description: '1: lookup of an initial request returns only contacts whose Allow header listed its method; 0 = disabled.',
    }),
    use_path: f.switch(0, {
      description: '1: handle the Path header (RFC 3327) according to path_mode; 0 = disabled.',
    }),
    path_mode: f.int(2, { min: 0, max: 2 }, {
      description: 'Path handling: 0 store, never reply with it; 1 store, reply with it if Supported: path; 2 as 1 but 420 without Supported: path (RFC 3327).',
    }),
    path_use_received: f.switch(0, {
      description: '1: the received parameter of the first Path URI becomes the contact\'s received URI (registrar behind a load balancer).',
    }),
    path_check_local: f.switch(0, {
      description: '1: on lookup, skip the first Path hop if it is this server (several servers sharing one location table).',
    }),
    reg_callid_avp: f.optionalString({
      description: 'Obsolete (use the match_option of registered()): AVP with a Call-ID that registered() must match; unset = disabled.',
    }),
    xavp_cfg: f.optionalString({
      description: 'XAVP class with per-request overrides (max_contacts, socket, q); unset = disabled.',
      note: 'PBX-lite has no config script or XAVPs; the name is kept so Kamailio settings carry over.',
    }),
    xavp_rcd: f.optionalString({
      description: 'XAVP class filled with the matched record (ruid, contact, received); unset = disabled.',
    }),
    gruu_enabled: f.switch(1, {
      description: '1: a Contact with +sip.instance gets public and temporary GRUUs (RFC 5627); 0: ignore GRUU.',
    }),
    outbound_mode: f.int(0, { min: 0, max: 2 }, {
      description: 'RFC 5626 outbound: 0 not supported (420 if required); 1 supported when the client supports it; 2 required (reject clients without it).',
    }),
    regid_mode: f.switch(0, {
      description: '1: use the reg-id contact parameter even if the REGISTER does not indicate outbound support; 0: ignore it then.',
    }),
    flow_timer: f.int(0, { min: 0 }, {
      unit: 'seconds',
      description: 'Flow-Timer value added to 200 OK for REGISTER (RFC 5626 §4.4.1); 0 = no header; > 0 only with outbound_mode 1 or 2.',
    }),
    memory_only: f.bool(false, {
      extension: true,
      description: 'Kamailio save() flag 0x01: keep contacts in memory only, never written to the database.',
    }),
    single_contact: f.bool(false, {
      extension: true,
      description: 'Kamailio save() flag 0x04: one contact per AoR; a new registration removes the AoR\'s other contacts.',
    }),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Seed §3.28: "This parameter may only be set to a value > 0 when
    // outbound_mode is set to 1 or 2."
    if (c.flow_timer > 0 && c.outbound_mode === 0) {
      addConfigIssue(ctx, ['flow_timer'], 'allowed only when registrar.outbound_mode is 1 or 2 (use 0)', c.flow_timer);
    }
    if (c.max_expires > 0 && c.min_expires > c.max_expires) {
      addConfigIssue(ctx, ['min_expires'], `expected an integer <= registrar.max_expires (${c.max_expires}), or max_expires 0`, c.min_expires);
    }
  })
  .meta({
    description: 'REGISTER processing: expiry, q, Path, GRUU, outbound (Kamailio registrar module).',
    kamailioModule: 'registrar',
  } satisfies ConfigSectionMeta);

export type RegistrarConfig = z.infer<typeof registrarConfigSchema>;

/** SQL identifiers usable as a location table name. */
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The `usrloc` section: the location service. There is no seed document for
 * usrloc; the names and defaults are Kamailio 5.6 usrloc's, for the
 * parameters we implement. Two defaults differ on purpose (db_mode,
 * handle_lost_tcp) and say so.
 */
export const usrlocConfigSchema = z
  .object({
    db_mode: f.int(2, { min: 0, max: 3 }, {
      description: 'Persistence: 0 memory only, 1 write-through, 2 write-back (periodic batched flush), 3 database only (several nodes, one database).',
      kamailioDefault: '0',
      note: 'PBX-lite defaults to 2 so registrations survive a restart while the SIP path never waits for the database.',
    }),
    timer_interval: f.int(60, { min: 1, max: 86_400 }, {
      unit: 'seconds',
      description: 'Interval of the timer that removes expired contacts.',
    }),
    matching_mode: f.int(0, { min: 0, max: 3 }, {
      description: 'How a REGISTER contact matches a stored one: 0 contact only, 1 contact and Call-ID, 2 contact and Path, 3 Call-ID only.',
    }),
    cseq_delay: f.int(20, { min: 0, max: 3_600 }, {
      unit: 'seconds',
      description:
        'A REGISTER with the Call-ID and CSeq of a binding modified less than this long ago is a retransmission: the binding is left as it is and the 200 lists the bindings. Older, or with a lower CSeq, it is out of order.',
    }),
    db_update_as_insert: f.switch(0, {
      description: '1: write contact updates as inserts (for append-only tables); 0: update in place.',
    }),
    use_domain: f.switch(0, {
      description: '1: the AoR includes the domain (user@domain, multi-domain); 0: the user part alone is the AoR.',
    }),
    nat_bflag: f.flag(-1, {
      description: 'Branch flag marking a contact as behind NAT; -1 = none.',
      note: 'PBX-lite has no config script to set branch flags; the name is kept so Kamailio settings carry over.',
    }),
    handle_lost_tcp: f.switch(1, {
      description: 'Remove a binding made over TCP/TLS/WS when its connection closes.',
      kamailioDefault: '0',
      note: 'PBX-lite defaults to 1: a stream contact without its connection is unreachable, so keeping it only produces failed forks.',
    }),
    close_expired_tcp: f.switch(0, {
      description: '1: close the TCP/TLS/WS connection of a contact when the contact expires.',
    }),
    expires_type: f.switch(0, {
      description: 'Database type of location.expires: 0 a timestamp (datetime), 1 an integer (Unix seconds).',
    }),
    db_timer_clean: f.switch(0, {
      description: 'db_mode 3: 1 = a timer deletes expired rows from the database; 0 = they are skipped on read.',
    }),
    server_id: f.int(0, { min: 0, max: 2_147_483_647 }, {
      description: 'Identity of this node, stored with each contact it saves (several nodes sharing one database).',
    }),
    preload: f.listMatching(TABLE_NAME, 'table names', ['location'], {
      description: 'Location tables loaded into memory at start-up (db_mode 1 and 2).',
    }),
    write_back_batch: f.int(200, { min: 1, max: 100_000 }, {
      extension: true,
      // Building a statement's parameters runs on the SIP thread: 1,000 rows held it for ~20 ms (p99 at 5,000/s ~10–50 ms); 200 keep each hold short.
      description: 'db_mode 2: most rows written in one flush statement (each statement is prepared on the SIP thread, so larger batches mean longer pauses).',
    }),
    write_back_interval_ms: f.int(1000, { min: 10, max: 3_600_000 }, {
      extension: true,
      unit: 'milliseconds',
      description: 'db_mode 2: interval between write-back flushes.',
      note: "Kamailio flushes on its timer_interval (60 s); PBX-lite flushes every second so a crash loses at most ~1 s of changes.",
    }),
  })
  .strict()
  .meta({
    description: 'The location service (Kamailio usrloc 5.6 names): persistence mode, matching, timers.',
    kamailioModule: 'usrloc',
  } satisfies ConfigSectionMeta);

export type UsrlocConfig = z.infer<typeof usrlocConfigSchema>;
