import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { Repository } from 'typeorm';
import { AppContext } from '../app/app-context.js';
import type { CredentialCache } from './credential-cache.js';
import { subscriberDigests } from './digest-ha1.js';
import type { CreateSubscriberDto, ListSubscribersDto, SubscriberView } from './subscriber.dto.js';
import { Subscriber } from './subscriber.entity.js';

@Injectable()
export class SubscribersService {
  private readonly repo: Repository<Subscriber>;

  private readonly cache: CredentialCache;

  constructor(private readonly ctx: AppContext) {
    this.repo = ctx.db.dataSource.getRepository(Subscriber);
    this.cache = ctx.credentials;
  }

  async list(q: ListSubscribersDto): Promise<{ items: SubscriberView[]; total: number }> {
    const qb = this.repo.createQueryBuilder('s');
    if (q.search) {
      const like = `%${q.search.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      qb.where("(s.username ILIKE :like OR s.domain ILIKE :like OR (s.username || '@' || s.domain) ILIKE :like)", { like });
    }
    qb.orderBy(`s.${q.sort}`, q.order === 'asc' ? 'ASC' : 'DESC')
      .addOrderBy('s.id', 'ASC')
      .skip(q.offset)
      .take(q.limit);
    const [rows, total] = await qb.getManyAndCount();
    return { items: rows.map(view), total };
  }

  async get(id: number): Promise<SubscriberView> {
    return view(await this.find(id));
  }

  async create(dto: CreateSubscriberDto): Promise<SubscriberView> {
    const domain = dto.domain.toLowerCase();
    if (await this.repo.existsBy({ username: dto.username, domain })) throw duplicate(dto.username, domain);
    const digests = subscriberDigests(dto.username, domain, dto.password, this.cache.realmOf(domain));
    let saved: Subscriber;
    try {
      saved = await this.repo.save(this.repo.create({ username: dto.username, domain, password: '', ...digests }));
    } catch (err) {
      // The unique index decides when two creates race.
      if ((err as { code?: string }).code === '23505') throw duplicate(dto.username, domain);
      throw err;
    }
    this.cache.set(saved.username, saved.domain, { ha1Md5: saved.ha1, ha1Sha256: saved.ha1Sha256 });
    this.ctx.bus.emit('subscriber.changed', { action: 'created', id: saved.id, username: saved.username, domain: saved.domain });
    return view(saved);
  }

  async changePassword(id: number, password: string): Promise<SubscriberView> {
    const s = await this.find(id);
    Object.assign(s, subscriberDigests(s.username, s.domain, password, this.cache.realmOf(s.domain)));
    const saved = await this.repo.save(s);
    this.cache.set(saved.username, saved.domain, { ha1Md5: saved.ha1, ha1Sha256: saved.ha1Sha256 });
    this.ctx.bus.emit('subscriber.changed', { action: 'updated', id: saved.id, username: saved.username, domain: saved.domain });
    return view(saved);
  }

  async remove(id: number): Promise<void> {
    const s = await this.find(id);
    await this.repo.delete({ id });
    this.cache.delete(s.username, s.domain);
    this.ctx.bus.emit('subscriber.changed', { action: 'deleted', id, username: s.username, domain: s.domain });
  }

  private async find(id: number): Promise<Subscriber> {
    const s = await this.repo.findOneBy({ id });
    if (!s) throw new NotFoundException(`Subscriber ${id} not found`);
    return s;
  }
}

function duplicate(username: string, domain: string): ConflictException {
  return new ConflictException({
    statusCode: 409,
    message: `Subscriber ${username}@${domain} already exists`,
    errors: [{ field: 'username', message: 'already exists in this domain' }],
  });
}

function view(s: Subscriber): SubscriberView {
  return {
    id: s.id,
    username: s.username,
    domain: s.domain,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
