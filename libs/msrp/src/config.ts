import { z } from 'zod';
import { addConfigIssue, configField as f, type ConfigSectionMeta } from '@pbx/sip';

/** `host:port` (IPv6 host in brackets) or an msrp(s):// URI naming one. */
const PATH_ADDR = {
  pattern: /^(msrps?:\/\/)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/,
  expected: 'host:port (or msrp://host:port)',
};

/**
 * The `msrp` section: every parameter of the Kamailio msrp module
 * (seeds/kamailio-msrp.txt), plus auth_realm.
 */
export const msrpConfigSchema = z
  .object({
    sipmsg: f.switch(1, {
      description: '1: build a SIP request from each MSRP frame for the config script\'s event_route[msrp:frame-in].',
      note: 'PBX-lite has no config script: the relay handles frames natively; the name is kept so Kamailio settings carry over.',
    }),
    cmap_size: f.int(0, { min: 0, max: 20 }, {
      description: 'Size of the connection map table as a power of two (4 = 16 slots); 0 = no internal map table.',
      note: 'PBX-lite\'s connection map is a hash map that grows as needed; the name is kept so Kamailio settings carry over.',
    }),
    timer_interval: f.int(60, { min: 1, max: 86_400 }, {
      unit: 'seconds',
      description: 'Interval of the timer that cleans expired connections.',
    }),
    auth_min_expires: f.int(60, { min: 1 }, {
      unit: 'seconds',
      description: 'Minimum Expires accepted in an AUTH request (smaller: 423 with Min-Expires).',
    }),
    auth_max_expires: f.int(3600, { min: 1 }, {
      unit: 'seconds',
      description: 'Maximum Expires accepted in an AUTH request (larger: 423 with Max-Expires).',
    }),
    use_path_addr: f.optionalString(
      { description: 'hostname:port used when building the Use-Path header; unset = the server IP and port.' },
      PATH_ADDR,
    ),
    event_callback: f.optionalString({
      description: 'KEMI function run instead of event_route[msrp:frame-in]; unset = none.',
      note: 'PBX-lite has no embedded scripting; the name is kept so Kamailio settings carry over.',
    }),
    auth_realm: f.optionalString({
      extension: true,
      description: 'Digest realm of AUTH challenges (RFC 4976 §5.1); unset = core.realm, else the relay host (use_path_addr or the listener).',
    }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.auth_min_expires > c.auth_max_expires) {
      addConfigIssue(ctx, ['auth_min_expires'], `expected an integer <= msrp.auth_max_expires (${c.auth_max_expires})`, c.auth_min_expires);
    }
  })
  .meta({
    description: 'The MSRP relay: AUTH, Use-Path, SEND/REPORT forwarding, connection map (Kamailio msrp module, RFC 4975/4976).',
    kamailioModule: 'msrp',
  } satisfies ConfigSectionMeta);

export type MsrpConfig = z.infer<typeof msrpConfigSchema>;
