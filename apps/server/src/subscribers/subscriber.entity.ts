import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Kamailio auth_db's `subscriber` row: digests only, never a clear password. */
@Entity({ name: 'subscriber' })
export class Subscriber {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 64 })
  username!: string;

  @Column({ type: 'varchar', length: 64 })
  domain!: string;

  /** Kept empty: present for Kamailio compatibility only. */
  @Column({ type: 'varchar', length: 64, default: '' })
  password!: string;

  /** MD5(username:realm:password), realm = domain. */
  @Column({ type: 'varchar', length: 128 })
  ha1!: string;

  /** MD5(username@domain:realm:password), for clients that put the domain in the username. */
  @Column({ type: 'varchar', length: 128 })
  ha1b!: string;

  /** SHA-256(username:realm:password) for RFC 8760 clients. */
  @Column({ name: 'ha1_sha256', type: 'varchar', length: 128 })
  ha1Sha256!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
