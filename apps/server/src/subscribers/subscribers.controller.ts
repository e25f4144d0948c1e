import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { openApiSchema, ZodPipe } from '../common/zod-body.js';
import {
  createSubscriberSchema,
  listSubscribersSchema,
  updateSubscriberSchema,
  type CreateSubscriberDto,
  type ListSubscribersDto,
  type UpdateSubscriberDto,
} from './subscriber.dto.js';
import { SubscribersService } from './subscribers.service.js';

@ApiTags('subscribers')
@ApiBearerAuth()
@Controller('subscribers')
export class SubscribersController {
  constructor(private readonly subscribers: SubscribersService) {}

  @Get()
  @ApiOperation({ summary: 'List SIP subscribers with search, sort and paging' })
  @ApiQuery({ name: 'search', required: false })
  @ApiQuery({ name: 'offset', required: false, type: Number })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'sort', required: false, enum: ['username', 'domain', 'createdAt', 'updatedAt'] })
  @ApiQuery({ name: 'order', required: false, enum: ['asc', 'desc'] })
  list(@Query(new ZodPipe(listSubscribersSchema)) q: ListSubscribersDto) {
    return this.subscribers.list(q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One subscriber' })
  get(@Param('id', ParseIntPipe) id: number) {
    return this.subscribers.get(id);
  }

  @Post()
  @ApiOperation({ summary: 'Create a subscriber; only digests of the password are stored' })
  @ApiBody({ schema: openApiSchema(createSubscriberSchema) })
  create(@Body(new ZodPipe(createSubscriberSchema)) dto: CreateSubscriberDto) {
    return this.subscribers.create(dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a subscriber's password" })
  @ApiBody({ schema: openApiSchema(updateSubscriberSchema) })
  update(@Param('id', ParseIntPipe) id: number, @Body(new ZodPipe(updateSubscriberSchema)) dto: UpdateSubscriberDto) {
    return this.subscribers.changePassword(id, dto.password);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscriber' })
  async remove(@Param('id', ParseIntPipe) id: number): Promise<void> {
    await this.subscribers.remove(id);
  }
}
