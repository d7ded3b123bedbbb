-- 0003: cheaper capture. The capture function pins the print settings only
-- for tables that need it (and pins bytea_output too), and attach can leave
-- out the NOTIFY wake-up for write-heavy tables (the listener then polls).
-- Tables attached before keep their function until attached again.

-- Attaches a table: a capture function of its own (named by the table's oid,
-- so names stay short and never collide), row triggers for INSERT, UPDATE
-- and DELETE, and a statement trigger for TRUNCATE. Returns the resource
-- name. Callable from psql: SELECT rocket.attach('public.track');
DROP FUNCTION rocket.attach(regclass, text, text);
CREATE FUNCTION rocket.attach(target regclass, resource text DEFAULT NULL,
                              default_schema text DEFAULT 'public', notify boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    nsp      text;
    rel      text;
    kind     "char";
    part     boolean;
    keys     text[];
    fname    text := 'capture_' || target::oid;
    res_name text;
    settings text := '';
    wakeup   text := '';
    leaf     regclass;
    part_sql text;
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
    -- Pinning costs a little on every row, so it is done only for tables
    -- with a column whose text depends on a setting (times, floats, bytea,
    -- money, and composite or array types that may hold them).
    IF EXISTS (
        SELECT 1 FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
         WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped
           AND t.typtype <> 'e'
           AND t.typname NOT IN ('int2', 'int4', 'int8', 'numeric', 'text', 'varchar', 'bpchar', 'bool',
                                 'uuid', 'json', 'jsonb', 'name', 'oid', 'char')
    ) THEN
        settings := $s$SET TimeZone = 'UTC' SET DateStyle = 'ISO, MDY' SET IntervalStyle = 'postgres'
                      SET extra_float_digits = 1 SET bytea_output = 'hex'$s$;
    END IF;
    -- The wake-up: a NOTIFY (folded to one per transaction by PostgreSQL),
    -- or none for write-heavy tables, whose listener polls instead
    -- (rocket serve --poll-interval 10ms).
    IF notify THEN
        wakeup := $w$PERFORM pg_notify('rocket', '');$w$;
    END IF;
    EXECUTE format($f$
        CREATE OR REPLACE FUNCTION rocket.%I() RETURNS trigger
        LANGUAGE plpgsql
        %s
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
            %s
            RETURN NULL;
        END
        $body$ $f$,
        fname, settings,
        target::oid, rocket.key_expression('NEW', keys),
        target::oid, rocket.key_expression('OLD', keys), rocket.key_expression('NEW', keys),
        target::oid, rocket.key_expression('OLD', keys),
        target::oid, wakeup);

    EXECUTE format('DROP TRIGGER IF EXISTS rocket_capture ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS rocket_capture_truncate ON %s', target);
    EXECUTE format('CREATE TRIGGER rocket_capture AFTER INSERT OR UPDATE OR DELETE ON %s
                    FOR EACH ROW EXECUTE FUNCTION rocket.%I()', target, fname);
    EXECUTE format('CREATE TRIGGER rocket_capture_truncate AFTER TRUNCATE ON %s
                    FOR EACH STATEMENT EXECUTE FUNCTION rocket.%I()', target, fname);

    -- TRUNCATE of one partition fires no trigger of the parent: each leaf
    -- partition gets a BEFORE TRUNCATE trigger that logs its rows as deletes
    -- under the parent's name. (Partitions added later: attach again.)
    IF kind = 'p' THEN
        part_sql := 'INSERT INTO rocket.change_log (relid, op, old_key, old_row) SELECT '
                    || target::oid || ', ''D'', ' || replace(rocket.key_expression('p', keys), '%', '%%')
                    || ', to_json(p.*) FROM ONLY %s AS p';
        EXECUTE format($f$
            CREATE OR REPLACE FUNCTION rocket.%I() RETURNS trigger
            LANGUAGE plpgsql
            %s
            AS $body$
            BEGIN
                EXECUTE format(%L, TG_RELID::regclass);
                %s
                RETURN NULL;
            END
            $body$ $f$, fname || '_partition', settings, part_sql, wakeup);
        FOR leaf IN SELECT relid FROM pg_partition_tree(target) WHERE isleaf AND relid <> target LOOP
            EXECUTE format('DROP TRIGGER IF EXISTS rocket_capture_partition_truncate ON %s', leaf);
            EXECUTE format('CREATE TRIGGER rocket_capture_partition_truncate BEFORE TRUNCATE ON %s
                            FOR EACH STATEMENT EXECUTE FUNCTION rocket.%I()', leaf, fname || '_partition');
        END LOOP;
    END IF;

    INSERT INTO rocket.resources (relid, name, key_columns, capture_function)
    VALUES (target, res_name, keys, fname)
    ON CONFLICT (relid) DO UPDATE SET name = excluded.name, key_columns = excluded.key_columns,
                                      capture_function = excluded.capture_function;
    PERFORM pg_notify('rocket', 'resources');
    RETURN res_name;
END
$$;


-- Removes a table's triggers and capture functions (partitions' too).
-- Returns false when the table was not attached.
CREATE OR REPLACE FUNCTION rocket.detach(target regclass) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    fname text;
    leaf  regclass;
BEGIN
    DELETE FROM rocket.resources WHERE relid = target RETURNING capture_function INTO fname;
    IF fname IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('DROP TRIGGER IF EXISTS rocket_capture ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS rocket_capture_truncate ON %s', target);
    FOR leaf IN SELECT relid FROM pg_partition_tree(target) WHERE isleaf AND relid <> target LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS rocket_capture_partition_truncate ON %s', leaf);
    END LOOP;
    EXECUTE format('DROP FUNCTION IF EXISTS rocket.%I()', fname);
    EXECUTE format('DROP FUNCTION IF EXISTS rocket.%I()', fname || '_partition');
    PERFORM pg_notify('rocket', 'resources');
    RETURN true;
END
$$;
