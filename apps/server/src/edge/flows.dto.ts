import { ApiProperty } from '@nestjs/swagger';
import type { FlowView } from './flow-view.js';

/** OpenAPI shape of one flow (GET /api/flows). */
export class FlowDto implements FlowView {
  @ApiProperty({ example: 'tcp-42', description: 'transport-connection id for streams, udp-local-port-peer-port for UDP' }) id!: string;
  @ApiProperty({ nullable: true, type: String, description: '+sip.instance of the REGISTER that used the flow' }) instance!: string | null;
  @ApiProperty({ nullable: true, type: Number }) regId!: number | null;
  @ApiProperty({ nullable: true, type: String }) aor!: string | null;
  @ApiProperty({ enum: ['udp', 'tcp', 'tls', 'ws', 'wss'] }) transport!: string;
  @ApiProperty({ example: '192.0.2.7:40123' }) peer!: string;
  @ApiProperty({ example: '0.0.0.0:5060' }) local!: string;
  @ApiProperty({ description: '0 for UDP' }) connectionId!: number;
  @ApiProperty() openedAt!: string;
  @ApiProperty({ description: 'connection age, seconds' }) ageSec!: number;
  @ApiProperty() lastSeenAt!: string;
  @ApiProperty({ nullable: true, type: String }) lastKeepAliveAt!: string | null;
  @ApiProperty() keepAlives!: number;
  @ApiProperty({ description: 'Flow-Timer in force, seconds (0 = none)' }) flowTimer!: number;
  @ApiProperty({ description: 'no traffic past the Flow-Timer' }) silent!: boolean;
  @ApiProperty() requestsIn!: number;
  @ApiProperty() requestsOut!: number;
  @ApiProperty() bytesIn!: number;
  @ApiProperty() bytesOut!: number;
}
