import { ApiProperty } from '@nestjs/swagger';

/** One session of GET /api/msrp/sessions. Times in epoch seconds. */
export class MsrpSessionDto {
  @ApiProperty({ description: 'Session-id of the Use-Path handed out by AUTH (the connection map key)' })
  id!: string;
  @ApiProperty({ description: 'Authenticated digest user; null when SIP_AUTH=off', nullable: true, type: String })
  user!: string | null;
  @ApiProperty({ description: 'The Use-Path URI the client was given' })
  uri!: string;
  @ApiProperty({ description: "Client's address and port" })
  peer!: string;
  @ApiProperty({ enum: ['tcp', 'tls', 'ws', 'wss'] })
  transport!: string;
  @ApiProperty()
  createdAt!: number;
  @ApiProperty()
  expiresAt!: number;
  @ApiProperty({ description: 'Frames received from the client' })
  framesIn!: number;
  @ApiProperty({ description: 'Bytes received from the client' })
  bytesIn!: number;
  @ApiProperty({ description: 'Frames relayed to the client' })
  framesOut!: number;
  @ApiProperty({ description: 'Body bytes relayed to the client' })
  bytesOut!: number;
}
