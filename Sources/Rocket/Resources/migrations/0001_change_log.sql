-- 0001: Rocket's own schema: attached resources, the change log, ticks.
--
-- Capture: triggers on each attached table append every row change to
-- rocket.change_log in the writing transaction, and send a NOTIFY on channel
-- `rocket` only as a wake-up (PostgreSQL folds identical notifications of one
-- transaction into one). Nothing is carried in the notification, so payload
-- size and lost notifications can never lose a change.
--
-- Order: a listener calls rocket.tick(), which records a snapshot of which
-- transactions have committed. The changes of tick N are those of
-- transactions visible in tick N's snapshot and not in tick N-1's (PgQ's
-- batching). Ticks are numbered under an advisory lock, so every Rocket
-- instance sees the same ticks, the same batches, and the same cursors.

CREATE SCHEMA IF NOT EXISTS rocket;

CREATE TABLE rocket.resources (
    relid        oid PRIMARY KEY,
    name         text NOT NULL UNIQUE,
    key_columns  text[] NOT NULL,
    capture_function text NOT NULL,
    attached_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rocket.change_log (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid     xid8 NOT NULL DEFAULT pg_current_xact_id(),
    relid    oid NOT NULL,
    op       "char" NOT NULL CHECK (op IN ('I', 'U', 'D', 'T')),
    old_key  text,
    new_key  text,
    old_row  json,
    new_row  json
);
CREATE INDEX change_log_txid ON rocket.change_log (txid);

CREATE TABLE rocket.ticks (
    id        bigint PRIMARY KEY,
    snapshot  pg_snapshot NOT NULL,
    at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
INSERT INTO rocket.ticks (id, snapshot) VALUES (1, pg_current_snapshot());

-- Records a new tick if any transaction committed since the last one, and
-- returns the newest tick's id. Serialised by an advisory lock held to the
-- end of the caller's transaction, so tick N+1's snapshot is taken after
-- tick N committed, and always sees at least what tick N saw.
CREATE FUNCTION rocket.tick() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    last_id   bigint;
    last_snap pg_snapshot;
    snap      pg_snapshot;
BEGIN
    PERFORM pg_advisory_xact_lock(7206332614);
    SELECT id, snapshot INTO last_id, last_snap FROM rocket.ticks ORDER BY id DESC LIMIT 1;
    snap := pg_current_snapshot();
    IF last_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM rocket.change_log
        WHERE txid >= pg_snapshot_xmin(last_snap)
          AND txid < pg_snapshot_xmax(snap)
          AND pg_visible_in_snapshot(txid, snap)
          AND NOT pg_visible_in_snapshot(txid, last_snap)
    ) THEN
        RETURN last_id;
    END IF;
    INSERT INTO rocket.ticks (id, snapshot) VALUES (coalesce(last_id, 0) + 1, snap);
    RETURN coalesce(last_id, 0) + 1;
END
$$;

-- The text form of a key: one column as PostgreSQL prints it; several
-- columns each with % and , percent-encoded, joined by ','.
CREATE FUNCTION rocket.key_expression(record_name text, columns text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN cardinality(columns) = 1
        THEN format('%s.%I::text', record_name, columns[1])
        ELSE (SELECT string_agg(format('replace(replace(%s.%I::text, ''%%'', ''%%25''), '','', ''%%2C'')',
                                       record_name, c), ' || '','' || ' ORDER BY n)
              FROM unnest(columns) WITH ORDINALITY AS u(c, n))
    END
$$;

-- Attaches a table: a capture function of its own (named by the table's oid,
-- so names stay short and never collide), row triggers for INSERT, UPDATE
-- and DELETE, and a statement trigger for TRUNCATE. Returns the resource
-- name. Callable from psql: SELECT rocket.attach('public.track');
CREATE FUNCTION rocket.attach(target regclass, resource text DEFAULT NULL,
                              default_schema text DEFAULT 'public') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    nsp      text;
    rel      text;
    kind     "char";
    part     boolean;
    keys     text[];
    fname    text := 'capture_' || target::oid;
    res_name text;
BEGIN
    SELECT n.nspname, c.relname, c.relkind, c.relispartition INTO nsp, rel, kind, part
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = target;
    IF kind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '%.% is not a table', nsp, rel USING ERRCODE = 'RK002';
    END IF;
    IF part THEN
        RAISE EXCEPTION '%.% is a partition: attach its partitioned parent table instead', nsp, rel
            USING ERRCODE = 'RK002';
    END IF;
    IF nsp = 'rocket' THEN
        RAISE EXCEPTION 'Rocket''s own tables cannot be attached' USING ERRCODE = 'RK002';
    END IF;
    SELECT array_agg(a.attname::text ORDER BY k.n) INTO keys
      FROM pg_index i
      CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = target AND i.indisprimary;
    IF keys IS NULL THEN
        RAISE EXCEPTION 'table %.% has no primary key', nsp, rel
            USING ERRCODE = 'RK001',
                  HINT = 'Rocket names every row by its primary key; add one (ALTER TABLE ... ADD PRIMARY KEY) and attach again.';
    END IF;
    res_name := coalesce(resource, CASE WHEN nsp = default_schema THEN rel ELSE nsp || '.' || rel END);
    IF EXISTS (SELECT 1 FROM rocket.resources WHERE name = res_name AND relid <> target) THEN
        RAISE EXCEPTION 'the resource name "%" is already used by another table', res_name
            USING ERRCODE = 'RK003', HINT = 'Choose another name with --as NAME.';
    END IF;

    -- The session settings that change how values print are pinned, so a
    -- writer's own DateStyle or TimeZone cannot change a row's JSON or key.
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION rocket.%I() RETURNS trigger
        LANGUAGE plpgsql
        SET TimeZone = 'UTC' SET DateStyle = 'ISO, MDY' SET IntervalStyle = 'postgres'
        SET extra_float_digits = 1
        AS $body$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO rocket.change_log (relid, op, new_key, new_row)
                VALUES (%s, 'I', %s, to_json(NEW));
            ELSIF TG_OP = 'UPDATE' THEN
                INSERT INTO rocket.change_log (relid, op, old_key, new_key, old_row, new_row)
                VALUES (%s, 'U', %s, %s, to_json(OLD), to_json(NEW));
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO rocket.change_log (relid, op, old_key, old_row)
                VALUES (%s, 'D', %s, to_json(OLD));
            ELSE
                INSERT INTO rocket.change_log (relid, op) VALUES (%s, 'T');
            END IF;
            PERFORM pg_notify('rocket', '');
            RETURN NULL;
        END
        $body$ $f$,
        fname,
        target::oid, rocket.key_expression('NEW', keys),
        target::oid, rocket.key_expression('OLD', keys), rocket.key_expression('NEW', keys),
        target::oid, rocket.key_expression('OLD', keys),
        target::oid);

    EXECUTE format('DROP TRIGGER IF EXISTS rocket_capture ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS rocket_capture_truncate ON %s', target);
    EXECUTE format('CREATE TRIGGER rocket_capture AFTER INSERT OR UPDATE OR DELETE ON %s
                    FOR EACH ROW EXECUTE FUNCTION rocket.%I()', target, fname);
    EXECUTE format('CREATE TRIGGER rocket_capture_truncate AFTER TRUNCATE ON %s
                    FOR EACH STATEMENT EXECUTE FUNCTION rocket.%I()', target, fname);

    INSERT INTO rocket.resources (relid, name, key_columns, capture_function)
    VALUES (target, res_name, keys, fname)
    ON CONFLICT (relid) DO UPDATE SET name = excluded.name, key_columns = excluded.key_columns,
                                      capture_function = excluded.capture_function;
    PERFORM pg_notify('rocket', 'resources');
    RETURN res_name;
END
$$;

-- Removes a table's triggers and capture function. Returns false when the
-- table was not attached.
CREATE FUNCTION rocket.detach(target regclass) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    fname text;
BEGIN
    DELETE FROM rocket.resources WHERE relid = target RETURNING capture_function INTO fname;
    IF fname IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('DROP TRIGGER IF EXISTS rocket_capture ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS rocket_capture_truncate ON %s', target);
    EXECUTE format('DROP FUNCTION IF EXISTS rocket.%I()', fname);
    PERFORM pg_notify('rocket', 'resources');
    RETURN true;
END
$$;
