import { z } from 'zod';
import { addConfigIssue, configField, coreConfigSchema, type ConfigSectionMeta } from '@pbx/sip';
import { registrarConfigSchema, usrlocConfigSchema } from '@pbx/registrar';
import { msiloConfigSchema } from '@pbx/msilo';
import { scaConfigSchema } from '@pbx/sca';
import { msrpConfigSchema } from '@pbx/msrp';
import { edgeConfigSchema, outboundConfigSchema } from '@pbx/outbound';

/**
 * The YAML file (`PBX_CONFIG`): one section per engine, each declared by its
 * lib with Kamailio's parameter names. An absent section, or an absent key,
 * takes the documented default (`prefault({})` runs the section's own
 * defaults). Unknown keys are errors at every level.
 */
export const pbxConfigSchema = z
  .object({
    role: configField.oneOf(['registrar', 'edge'] as const, 'registrar', {
      extension: true,
      description: 'registrar: registrar/proxy with msilo, sca and msrp; edge: RFC 5626 edge proxy in front of edge.registrar_uri.',
    }),
    core: coreConfigSchema.prefault({}),
    registrar: registrarConfigSchema.prefault({}),
    usrloc: usrlocConfigSchema.prefault({}),
    msilo: msiloConfigSchema.prefault({}),
    sca: scaConfigSchema.prefault({}),
    msrp: msrpConfigSchema.prefault({}),
    outbound: outboundConfigSchema.prefault({}),
    edge: edgeConfigSchema.prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.role === 'edge' && c.edge.registrar_uri === undefined) {
      addConfigIssue(ctx, ['edge', 'registrar_uri'], 'required when role is edge: expected a SIP URI sip:HOST:PORT');
    }
  })
  .meta({ description: 'The PBX-lite configuration file.' } satisfies ConfigSectionMeta);

export type PbxConfig = z.infer<typeof pbxConfigSchema>;

/** The section names, in file order. */
export const PBX_SECTIONS = Object.keys(pbxConfigSchema.shape) as Array<keyof PbxConfig>;
