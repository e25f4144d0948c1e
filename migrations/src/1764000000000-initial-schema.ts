import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first schema. Tables are named and shaped like Kamailio 5.6's
 * (`subscriber`, `location`, `silo`, `sca_subscriptions`, `version`) so an
 * operator recognises them and can carry data over; where we differ the
 * column comment says why.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE version (
        table_name  varchar(32) NOT NULL PRIMARY KEY,
        table_version integer NOT NULL DEFAULT 0
      )`);

    // auth_db's subscriber. The clear-text password column stays (empty) for
    // Kamailio compatibility; we only ever store digests: ha1 = MD5(user:realm:pw),
    // ha1b = MD5(user@domain:realm:pw), ha1_sha256 = SHA-256(user:realm:pw) (RFC 8760).
    await q.query(`
      CREATE TABLE subscriber (
        id          serial PRIMARY KEY,
        username    varchar(64) NOT NULL DEFAULT '',
        domain      varchar(64) NOT NULL DEFAULT '',
        password    varchar(64) NOT NULL DEFAULT '',
        ha1         varchar(128) NOT NULL DEFAULT '',
        ha1b        varchar(128) NOT NULL DEFAULT '',
        ha1_sha256  varchar(128) NOT NULL DEFAULT '',
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subscriber_account_idx UNIQUE (username, domain)
      )`);
    await q.query(`CREATE INDEX subscriber_username_idx ON subscriber (username)`);

    // usrloc's location table (Kamailio 5.6 columns).
    await q.query(`
      CREATE TABLE location (
        id            serial PRIMARY KEY,
        ruid          varchar(64) NOT NULL DEFAULT '',
        username      varchar(64) NOT NULL DEFAULT '',
        domain        varchar(64) DEFAULT NULL,
        contact       varchar(512) NOT NULL DEFAULT '',
        received      varchar(255) DEFAULT NULL,
        path          varchar(512) DEFAULT NULL,
        expires       timestamptz NOT NULL DEFAULT '2030-05-28 21:32:15+00',
        q             real NOT NULL DEFAULT 1.0,
        callid        varchar(255) NOT NULL DEFAULT 'Default-Call-ID',
        cseq          integer NOT NULL DEFAULT 1,
        last_modified timestamptz NOT NULL DEFAULT '2000-01-01 00:00:01+00',
        flags         integer NOT NULL DEFAULT 0,
        cflags        integer NOT NULL DEFAULT 0,
        user_agent    varchar(255) NOT NULL DEFAULT '',
        socket        varchar(64) DEFAULT NULL,
        methods       integer DEFAULT NULL,
        instance      varchar(255) DEFAULT NULL,
        reg_id        integer NOT NULL DEFAULT 0,
        server_id     integer NOT NULL DEFAULT 0,
        connection_id integer NOT NULL DEFAULT 0,
        keepalive     integer NOT NULL DEFAULT 0,
        partition     integer NOT NULL DEFAULT 0,
        CONSTRAINT location_ruid_idx UNIQUE (ruid)
      )`);
    await q.query(`CREATE INDEX location_account_contact_idx ON location (username, domain, contact)`);
    await q.query(`CREATE INDEX location_expires_idx ON location (expires)`);
    await q.query(`CREATE INDEX location_connection_idx ON location (server_id, connection_id)`);

    // msilo's silo table (Kamailio 5.6 columns, default names). `status` is
    // Kamailio's column; its values are documented in libs/msilo.
    await q.query(`
      CREATE TABLE silo (
        id         serial PRIMARY KEY,
        src_addr   varchar(255) NOT NULL DEFAULT '',
        dst_addr   varchar(255) NOT NULL DEFAULT '',
        username   varchar(64) NOT NULL DEFAULT '',
        domain     varchar(64) NOT NULL DEFAULT '',
        inc_time   integer NOT NULL DEFAULT 0,
        exp_time   integer NOT NULL DEFAULT 0,
        snd_time   integer NOT NULL DEFAULT 0,
        ctype      varchar(32) NOT NULL DEFAULT 'text/plain',
        body       bytea,
        extra_hdrs text,
        callid     varchar(128) NOT NULL DEFAULT '',
        status     integer NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX silo_account_idx ON silo (username, domain)`);

    // sca's subscription table (Kamailio 5.6 columns).
    await q.query(`
      CREATE TABLE sca_subscriptions (
        id              serial PRIMARY KEY,
        subscriber      varchar(255) NOT NULL,
        aor             varchar(255) NOT NULL,
        event           integer NOT NULL DEFAULT 0,
        expires         integer NOT NULL DEFAULT 0,
        state           integer NOT NULL DEFAULT 0,
        app_idx         integer NOT NULL DEFAULT 0,
        call_id         varchar(255) NOT NULL,
        from_tag        varchar(64) NOT NULL,
        to_tag          varchar(64) NOT NULL,
        record_route    text,
        notify_cseq     integer NOT NULL,
        subscribe_cseq  integer NOT NULL,
        server_id       integer NOT NULL DEFAULT 0,
        CONSTRAINT sca_subscriptions_idx UNIQUE (subscriber, call_id, from_tag, to_tag)
      )`);
    await q.query(`CREATE INDEX sca_expires_idx ON sca_subscriptions (server_id, expires)`);
    await q.query(`CREATE INDEX sca_subscribers_idx ON sca_subscriptions (subscriber, event)`);

    // Dashboard / API administrators. Not a Kamailio table.
    await q.query(`
      CREATE TABLE admin_user (
        id            serial PRIMARY KEY,
        username      varchar(64) NOT NULL UNIQUE,
        password_hash text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);

    // Table versions as Kamailio 5.6 ships them (kamctl checks these).
    await q.query(`
      INSERT INTO version (table_name, table_version) VALUES
        ('subscriber', 7), ('location', 9), ('silo', 8), ('sca_subscriptions', 2)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['admin_user', 'sca_subscriptions', 'silo', 'location', 'subscriber', 'version']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
