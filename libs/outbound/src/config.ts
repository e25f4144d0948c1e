import { z } from 'zod';
import { addConfigIssue, configField as f, type ConfigSectionMeta } from '@pbx/sip';

/**
 * The `outbound` section: the Kamailio outbound module's parameter
 * (seeds/kamailio-outbound.txt, §3) plus the two settings an RFC 5626 edge
 * needs that Kamailio keeps elsewhere (core tcp_connection_lifetime) or
 * derives (the flow-token HMAC key).
 */
export const outboundConfigSchema = z
  .object({
    force_outbound_flag: f.flag(-1, {
      description: 'Message flag forcing flow tokens into Path and Record-Route regardless of the request; -1 = none.',
      note: 'PBX-lite has no config script to set message flags; the name is kept so Kamailio settings carry over.',
    }),
    tcp_connection_lifetime: f.int(120, { min: 1, max: 86_400 }, {
      extension: true,
      unit: 'seconds',
      description: 'Seconds a TCP/TLS/WS flow lives past its last traffic; set slightly above the registrar\'s Flow-Timer.',
      note: 'Kamailio core parameter of the same name and default (120).',
    }),
    flow_token_secret: f.optionalString(
      {
        extension: true,
        description: 'HMAC key of flow tokens (RFC 5626 §5.2); unset = one generated into DATA_DIR on first start.',
        note: 'Set the same value on every edge that must accept the others\' flow tokens.',
      },
      undefined,
      { secret: true },
    ),
  })
  .strict()
  .meta({
    description: 'RFC 5626 outbound: flow tokens, flow lifetime (Kamailio outbound module).',
    kamailioModule: 'outbound',
  } satisfies ConfigSectionMeta);

export type OutboundConfig = z.infer<typeof outboundConfigSchema>;

/**
 * `sip:HOST:PORT`, HOST a name, an IPv4 address or a bracketed IPv6
 * address, optionally `;transport=udp|tcp|tls|ws|wss`.
 */
export const REGISTRAR_URI_PATTERN =
  /^sips?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*):(\d{1,5})(;transport=(udp|tcp|tls|ws|wss))?$/i;

/** The `edge` section: used when `role: edge` (an RFC 5626 edge proxy in front of a registrar). */
export const edgeConfigSchema = z
  .object({
    registrar_uri: f.optionalString(
      {
        extension: true,
        description: 'Where the edge sends REGISTERs and out-of-dialog requests; required when role is edge.',
      },
      { pattern: REGISTRAR_URI_PATTERN, expected: 'a SIP URI sip:HOST:PORT (optionally ;transport=tcp|tls|…)' },
    ),
    flow_timer: f.int(0, { min: 0, max: 86_400 }, {
      extension: true,
      unit: 'seconds',
      description: 'Flow-Timer the edge puts on 2xx to an outbound REGISTER (RFC 5626 §4.4.1); 0 = do not add one.',
    }),
  })
  .strict()
  .superRefine((c, ctx) => {
    const port = c.registrar_uri === undefined ? undefined : Number(REGISTRAR_URI_PATTERN.exec(c.registrar_uri)?.[2]);
    if (port !== undefined && !(port >= 1 && port <= 65_535)) {
      addConfigIssue(ctx, ['registrar_uri'], 'expected a port from 1 to 65535');
    }
  })
  .meta({
    description: 'The edge proxy role (role: edge): where the registrar is and the Flow-Timer to add.',
  } satisfies ConfigSectionMeta);

export type EdgeConfig = z.infer<typeof edgeConfigSchema>;
