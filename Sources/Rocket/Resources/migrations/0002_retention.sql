-- 0002: retention of the change log.
--
-- rocket.prune(keep, keep_changes, protect) removes the changes of every
-- transaction up to a boundary tick, and the ticks before it, where the
-- boundary is the newest tick older than `keep` or the tick that leaves at
-- most `keep_changes` changes, whichever is newer, but never past `protect`
-- (the tick the calling listener has already delivered). A cursor from
-- before the boundary gets a `reset` instead of a gap. Returns how many
-- changes were removed.
CREATE FUNCTION rocket.prune(keep interval, keep_changes bigint, protect bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    by_age    bigint;
    by_size   bigint;
    boundary  bigint;
    snap      pg_snapshot;
    removed   bigint;
    oldest_kept_txid xid8;
BEGIN
    SELECT max(id) INTO by_age FROM rocket.ticks WHERE at < now() - keep;
    SELECT txid INTO oldest_kept_txid FROM rocket.change_log ORDER BY id DESC OFFSET keep_changes LIMIT 1;
    IF oldest_kept_txid IS NOT NULL THEN
        SELECT min(id) INTO by_size FROM rocket.ticks WHERE pg_visible_in_snapshot(oldest_kept_txid, snapshot);
    END IF;
    boundary := least(greatest(by_age, by_size), protect);
    IF boundary IS NULL THEN
        RETURN 0;
    END IF;
    SELECT snapshot INTO snap FROM rocket.ticks WHERE id = boundary;
    IF snap IS NULL THEN
        RETURN 0;
    END IF;
    DELETE FROM rocket.change_log
     WHERE txid < pg_snapshot_xmax(snap) AND pg_visible_in_snapshot(txid, snap);
    GET DIAGNOSTICS removed = ROW_COUNT;
    DELETE FROM rocket.ticks WHERE id < boundary;
    RETURN removed;
END
$$;
