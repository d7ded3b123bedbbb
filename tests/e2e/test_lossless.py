"""A lossless feed: cursors, Last-Event-ID, ?since=, resets, and real
faults (listener killed, PostgreSQL restarted or down at startup, the
bridge killed with SIGKILL, two bridges on one database, retention).

Every test runs against real PostgreSQL and the built `rocket` binary.
The oracle, after the writers stop: the document from the stream (its
reset, or the GET it resumed from, plus every patch applied atomically by
`jsonpatch`) equals a fresh GET, and the patch events are exactly the
committed transactions that touched the resource (counted by the writers,
never by Rocket), none twice, none missing, in commit order where that
order is known."""
import copy
import json
import random
import signal
import shutil
import threading
import time
import urllib.parse

import jsonpatch
import psycopg
import pytest
import requests

import cluster
import harness
from harness import Stream, replay


# --- Helpers -----------------------------------------------------------------

def make_tables(url, *names):
    """Creates and attaches tables `name (id int PRIMARY KEY, v text, n int)`."""
    with harness.connect(url) as conn:
        for name in names:
            conn.execute(f"CREATE TABLE {name} (id int PRIMARY KEY, v text NOT NULL DEFAULT '', n int NOT NULL DEFAULT 0)")
    harness.rocket("attach", *names, "--database-url", url)


def patches(stream):
    """(id, event, data) of every patch event: what two feeds must agree on."""
    return [(e.id, e.event, e.data) for e in stream.events if e.event == "patch"]


def tx_ids(events):
    """The transaction of each patch event: every writer transaction in this
    file starts by inserting one new row, so a patch's first op is the `add`
    of that row, whose key names the transaction."""
    result = []
    for event in events:
        if event.event != "patch":
            continue
        first = json.loads(event.data)[0]
        assert first["op"] == "add", f"patch {event.id} does not start with an add: {event.data[:300]}"
        result.append(int(first["path"].rsplit("/", 1)[1]))
    return result


def complete_events(stream):
    """The stream's events, minus a trailing event cut off by a dropped
    connection. (sseclient-py dispatches a half-received event when the
    connection ends; an EventSource discards it, as the SSE spec says.) Only
    the last event of a stream that ended in an error can be dropped, and
    only if its data is not JSON."""
    events = list(stream.events)
    if events and stream.error is not None:
        try:
            json.loads(events[-1].data)
        except ValueError:
            events = events[:-1]
    return events


def get_document(server, path, timeout=20):
    """A fresh GET, retried while the server answers 503 (database
    unavailable) or cannot be reached; returns (document, cursor)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            response = server.get(path)
            if response.status_code == 200:
                return response.json(), response.headers["Rocket-Cursor"]
            last = f"{response.status_code} {response.text[:300]}"
            assert response.status_code == 503, last
        except requests.RequestException as error:
            last = repr(error)
        time.sleep(0.1)
    raise AssertionError(f"GET {path} kept failing: {last}")


def replay_from(document, events):
    """`document` (a GET's body, or None for a stream that opens with a
    reset) plus every later event, each patch applied atomically."""
    document = copy.deepcopy(document)
    for event in events:
        if event.event == "reset":
            document = json.loads(event.data)
        elif event.event == "patch":
            assert document is not None, "patch before any document"
            # In place: a failing patch raises, and the caller fails the test.
            document = jsonpatch.apply_patch(document, json.loads(event.data), in_place=True)
    return document


def describe_difference(got, want):
    if not isinstance(got, dict) or not isinstance(want, dict):
        return f"got {str(got)[:300]} want {str(want)[:300]}"
    (name, rows), = want.items()
    mine = got.get(name, {})
    missing = sorted(set(rows) - set(mine), key=str)[:20]
    extra = sorted(set(mine) - set(rows), key=str)[:20]
    changed = [k for k in rows if k in mine and mine[k] != rows[k]][:10]
    return (f"missing rows {missing}, extra rows {extra}, "
            f"different rows {[(k, mine[k], rows[k]) for k in changed]}")


def settle(server, path, stream, expected_patches, base=None, timeout=30, quiet=1.0):
    """Waits until the stream's document equals a fresh GET and it holds
    exactly `expected_patches` patch events, then waits `quiet` seconds more
    and checks again (a late duplicate would show). Fails with a diff."""
    deadline = time.time() + timeout
    state = "no check yet"
    while True:
        events = complete_events(stream)
        count = sum(1 for e in events if e.event == "patch")
        want, _ = get_document(server, path)
        try:
            got = replay_from(base, events)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, AssertionError) as error:
            raise AssertionError(f"a patch did not apply: {error!r}; events {[(e.event, e.id) for e in events]}")
        if got == want and count >= expected_patches:
            break
        state = (f"{count} patches, expected {expected_patches}; " +
                 ("documents equal" if got == want else describe_difference(got, want)))
        if count > expected_patches or time.time() > deadline:
            raise AssertionError(f"stream on {path} did not converge: {state}; "
                                 f"ids {[e.id for e in events][-15:]}")
        time.sleep(0.2)
    time.sleep(quiet)
    events = complete_events(stream)
    assert replay_from(base, events) == get_document(server, path)[0]
    assert sum(1 for e in events if e.event == "patch") == expected_patches, \
        f"extra events after convergence: {[(e.event, e.id, e.data[:120]) for e in events[-5:]]}"
    ids = [e.id for e in events if e.event == "patch"]
    assert len(ids) == len(set(ids)), f"duplicate event ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    return events


def wait_until(predicate, timeout, message):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(message() if callable(message) else message)


def ready_status(server):
    try:
        return requests.get(server.base + "/ready", timeout=5).status_code
    except requests.RequestException:
        return None


def metric(server, name):
    for line in server.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return int(line.split()[1])
    raise AssertionError(f"no metric {name}")


def subscribe(server, path, last_event_id=None, since=None):
    headers = {"Last-Event-ID": last_event_id} if last_event_id is not None else {}
    url = server.base + path
    if since is not None:
        url += "?since=" + urllib.parse.quote(since, safe="")
    stream = Stream(url, headers=headers, method="SUBSCRIBE")
    assert stream.status == 200, f"{stream.status}: {getattr(stream, 'body', '')}"
    return stream


def tick_of(cursor):
    return int(cursor.split("-", 1)[0])


class Writer(threading.Thread):
    """Small transactions on `table` until stopped (or `limit` reached).
    Each inserts one new row whose id (from the shared `ids()`) names the
    transaction, and may also update the shared hot row 0 (row locks make
    concurrent writers wait for each other), update, delete or re-key one of
    its own older rows.

    `committed` lists the ids of committed transactions in commit order.
    With `tolerant`, connection failures are survived: a transaction that
    failed before COMMIT did not happen; one whose COMMIT failed has an
    unknown outcome, settled by reading its row back (nothing else touches
    that row before the check)."""

    def __init__(self, url, table, ids, seed, deletes=True, hot_row=False, tolerant=False, pause=0.01, limit=None):
        super().__init__(daemon=True)
        self.url, self.table, self.ids, self.rng = url, table, ids, random.Random(seed)
        self.deletes, self.hot_row, self.tolerant, self.pause, self.limit = deletes, hot_row, tolerant, pause, limit
        self.committed = []
        self.unknown_commits = []   # (id, outcome) for commits whose result had to be read back
        self.failures = 0
        self.error = None
        self.halt = threading.Event()
        self.live = []  # own rows that exist (committed)

    def stop(self, timeout=60):
        self.halt.set()
        self.join(timeout)
        assert not self.is_alive(), "writer did not stop"
        if self.error is not None:
            raise self.error

    def run(self):
        conn = None
        try:
            while not self.halt.is_set() and (self.limit is None or len(self.committed) < self.limit):
                if conn is None:
                    try:
                        conn = harness.connect(self.url, autocommit=False)
                    except psycopg.OperationalError:
                        if not self.tolerant:
                            raise
                        self.failures += 1
                        time.sleep(0.05)
                        continue
                conn = self.one_transaction(conn)
                if self.pause:
                    time.sleep(self.pause * self.rng.random() * 2)
        except BaseException as error:  # reported by stop()
            self.error = error
        finally:
            if conn is not None:
                conn.close()

    def one_transaction(self, conn):
        i = self.ids()
        table = self.table
        effect = None
        phase = "body"
        try:
            conn.execute(f"INSERT INTO {table} (id, v) VALUES (%s, %s)", (i, f"w{i}"))
            if self.hot_row and self.rng.random() < 0.3:
                conn.execute(f"UPDATE {table} SET n = n + 1 WHERE id = 0")
            r = self.rng.random()
            if self.live and r < 0.35:
                target = self.rng.choice(self.live)
                conn.execute(f"UPDATE {table} SET n = n + 1, v = v || '.' WHERE id = %s", (target,))
            elif self.deletes and self.live and r < 0.5:
                target = self.rng.choice(self.live)
                conn.execute(f"DELETE FROM {table} WHERE id = %s", (target,))
                effect = ("delete", target)
            elif self.deletes and self.live and r < 0.6:
                target = self.rng.choice(self.live)
                conn.execute(f"UPDATE {table} SET id = id + 10000000 WHERE id = %s", (target,))
                effect = ("rekey", target)
            phase = "commit"
            conn.commit()
        except psycopg.Error:
            if not self.tolerant:
                raise
            self.failures += 1
            try:
                conn.close()
            except Exception:
                pass
            if phase == "commit" and self.was_committed(i):
                self.unknown_commits.append((i, True))
                self.record(i, effect)
            elif phase == "commit":
                self.unknown_commits.append((i, False))
            return None
        self.record(i, effect)
        return conn

    def record(self, i, effect):
        self.committed.append(i)
        self.live.append(i)
        if effect is not None:
            kind, target = effect
            self.live.remove(target)
            if kind == "rekey":
                self.live.append(target + 10000000)

    def was_committed(self, i):
        deadline = time.time() + 60
        while True:
            try:
                with harness.connect(self.url) as check:
                    return check.execute(f"SELECT 1 FROM {self.table} WHERE id = %s", (i,)).fetchone() is not None
            except psycopg.OperationalError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)


class Counter:
    """Transaction ids shared by writer threads."""

    def __init__(self, start=1):
        self.value = start - 1
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.value += 1
            return self.value


def interleaved_workload(url, seed, transactions, slots=3, tables=("a", "b"), pause=0.0, rows_base=0):
    """A fixed-seed workload of `transactions` transactions over `tables`,
    run on `slots` connections whose transactions overlap and commit out of
    order (some roll back). Slot s only touches rows s*100000 + …, so no
    transaction ever waits for another (use another `rows_base` for a second
    workload on the same tables). Returns, per table, how many
    committed transactions changed it."""
    rng = random.Random(seed)
    conns = [harness.connect(url, autocommit=False) for _ in range(slots)]
    open_tx = [None] * slots     # the set of tables the open transaction changed
    next_row = [0] * slots
    started = 0
    touched = {t: 0 for t in tables}
    try:
        while started < transactions or any(tx is not None for tx in open_tx):
            s = rng.randrange(slots)
            if open_tx[s] is None:
                if started >= transactions:
                    continue
                open_tx[s] = set()
                started += 1
            elif rng.random() < 0.4:
                if rng.random() < 0.85:
                    conns[s].commit()
                    for table in open_tx[s]:
                        touched[table] += 1
                else:
                    conns[s].rollback()
                open_tx[s] = None
                if pause:
                    time.sleep(pause * rng.random() * 2)
                continue
            table = rng.choice(tables)
            low = rows_base + s * 100000
            high = low + 49999
            choice = rng.random()
            pick = f"(SELECT id FROM {table} WHERE id BETWEEN {low} AND {high} ORDER BY id OFFSET %s LIMIT 1)"
            if choice < 0.45:
                next_row[s] += 1
                cur = conns[s].execute(f"INSERT INTO {table} (id, v) VALUES (%s, %s)",
                                       (low + next_row[s], "r" + "é" * rng.randint(0, 3)))
            elif choice < 0.7:
                cur = conns[s].execute(f"UPDATE {table} SET n = n + 1, v = v || 'u' WHERE id = {pick}", (rng.randint(0, 5),))
            elif choice < 0.8:
                cur = conns[s].execute(f"UPDATE {table} SET n = n * 2 WHERE id BETWEEN {low} AND {high}")
            elif choice < 0.9:
                cur = conns[s].execute(f"DELETE FROM {table} WHERE id = {pick}", (rng.randint(0, 5),))
            else:  # a key change: remove + add
                cur = conns[s].execute(f"UPDATE {table} SET id = id + 50000 WHERE id = {pick}", (rng.randint(0, 3),))
            if cur.rowcount > 0:
                open_tx[s].add(table)
    finally:
        for conn in conns:
            conn.close()
    return touched


# --- 1. Interleaved commits ----------------------------------------------------

def test_interleaved_commits_resume_exactly(empty_db, serve):
    make_tables(empty_db, "items")
    server = serve(empty_db)
    live = subscribe(server, "/items")
    live.wait(lambda e: len(e) >= 1)
    assert live.events[0].event == "reset"

    t1 = harness.connect(empty_db, autocommit=False)
    t1.execute("INSERT INTO items (id, v) VALUES (1, 't1')")        # T1 begins first, not committed
    with harness.connect(empty_db) as t2:
        t2.execute("INSERT INTO items (id, v) VALUES (2, 't2')")     # T2 commits
    live.wait(lambda e: len(e) >= 2)
    t1.commit()
    t1.close()
    live.wait(lambda e: len(e) >= 3)
    time.sleep(1)
    assert [e.event for e in live.events] == ["reset", "patch", "patch"]
    e2, e1 = live.events[1], live.events[2]
    assert json.loads(e2.data) == [{"op": "add", "path": "/items/2", "value": {"id": 2, "v": "t2", "n": 0}}]
    assert json.loads(e1.data) == [{"op": "add", "path": "/items/1", "value": {"id": 1, "v": "t1", "n": 0}}]
    assert e1.id != e2.id

    # Resume after T2: exactly T1's event, byte for byte.
    after_t2 = subscribe(server, "/items", last_event_id=e2.id)
    after_t2.wait(lambda e: len(e) >= 1)
    time.sleep(1)
    assert [(e.id, e.event, e.data) for e in after_t2.events] == [(e1.id, "patch", e1.data)]

    # Resume after T1: nothing, until the next write, which arrives alone.
    after_t1 = subscribe(server, "/items", last_event_id=e1.id)
    time.sleep(1)
    assert after_t1.events == []
    with harness.connect(empty_db) as conn:
        conn.execute("INSERT INTO items (id, v) VALUES (3, 't3')")
    e3 = live.wait(lambda e: len(e) >= 4)[3]
    after_t1.wait(lambda e: len(e) >= 1)
    after_t2.wait(lambda e: len(e) >= 2)
    time.sleep(0.5)
    assert [(e.id, e.event, e.data) for e in after_t1.events] == [(e3.id, "patch", e3.data)]
    assert [(e.id, e.data) for e in after_t2.events] == [(e1.id, e1.data), (e3.id, e3.data)]
    assert json.loads(e3.data)[0]["path"] == "/items/3"
    for stream in (live, after_t2, after_t1):
        stream.close()


# --- 2. Resume matrix ----------------------------------------------------------

def test_resume_from_every_position_matches_the_uninterrupted_stream(empty_db, serve):
    make_tables(empty_db, "a", "b")
    server = serve(empty_db)
    reference = subscribe(server, "/a")
    reference.wait(lambda e: len(e) >= 1)
    touched = interleaved_workload(empty_db, seed=4242, transactions=24, pause=0.01)
    # The second half commits while the tick lock is held (as another
    # instance's tick would hold it), so that several transactions share a
    # tick and cursors point into the middle of a tick.
    with harness.connect(empty_db) as lock:
        lock.execute("SELECT pg_advisory_lock(7206332614)")
        more = interleaved_workload(empty_db, seed=4343, transactions=20, rows_base=1000000)
        lock.execute("SELECT pg_advisory_unlock(7206332614)")
    settle(server, "/a", reference, touched["a"] + more["a"])
    full = patches(reference)
    assert len(full) >= 14, f"workload too small: {len(full)} patch events"
    ticks = [tick_of(item[0]) for item in full]
    assert max(ticks.count(t) for t in set(ticks)) >= 3, f"no tick with several transactions: {ticks}"
    final = full[-1][0]

    for k in range(len(full) - 1):
        resumed = subscribe(server, "/a", last_event_id=full[k][0])
        resumed.wait_for_id(final)
        time.sleep(0.1)
        got = [(e.id, e.event, e.data) for e in resumed.events]
        assert got == full[k + 1:], f"resume after event {k} ({full[k][0]}) differs: " \
                                    f"got ids {[g[0] for g in got]}, want {[f[0] for f in full[k + 1:]]}"
        resumed.close()

    # ?since= is the same as the header.
    k = 5
    since = subscribe(server, "/a", since=full[k][0])
    since.wait_for_id(final)
    time.sleep(0.1)
    assert [(e.id, e.event, e.data) for e in since.events] == full[k + 1:]
    since.close()

    # The reset's own cursor (a snapshot cursor) resumes with every patch.
    reset_id = reference.events[0].id
    from_reset = subscribe(server, "/a", last_event_id=reset_id)
    from_reset.wait_for_id(final)
    time.sleep(0.1)
    assert [(e.id, e.event, e.data) for e in from_reset.events] == full
    from_reset.close()

    # A resumed stream is live: the next transaction arrives on both.
    tail = subscribe(server, "/a", last_event_id=final)
    with harness.connect(empty_db) as conn:
        conn.execute("INSERT INTO a (id, v) VALUES (999999, 'last')")
    new = reference.wait(lambda e: len(e) >= len(full) + 2)[-1]
    tail.wait_for_id(new.id)
    assert [(e.id, e.event, e.data) for e in tail.events] == [(new.id, "patch", new.data)]
    tail.close()
    reference.close()


# --- 3. GET then SUBSCRIBE under concurrent writes ------------------------------

def test_get_then_subscribe_is_gap_free_and_duplicate_free(empty_db, serve):
    make_tables(empty_db, "items")
    with harness.connect(empty_db) as conn:
        conn.execute("INSERT INTO items (id, v) VALUES (0, 'hot')")
    server = serve(empty_db)
    reference = subscribe(server, "/items")
    reference.wait(lambda e: len(e) >= 1)
    ids = Counter()
    writers = [Writer(empty_db, "items", ids, seed=s, deletes=False, hot_row=True, pause=0.005) for s in range(3)]
    for writer in writers:
        writer.start()
    reads = []
    try:
        deadline = time.time() + 3
        while time.time() < deadline:
            document, cursor = server.document("/items")
            stream = subscribe(server, "/items", last_event_id=cursor)
            reads.append((document, cursor, stream))
            time.sleep(0.2)
    finally:
        for writer in writers:
            writer.stop()
    committed = set().union(*(set(w.committed) for w in writers))
    assert len(committed) > 30, f"too few transactions: {len(committed)}"
    assert len(reads) >= 5
    everything = settle(server, "/items", reference, len(committed))
    tick_of_tx = dict(zip(tx_ids(everything), (tick_of(e.id) for e in everything if e.event == "patch")))
    # How many transactions a GET saw although the feed places them after the
    # GET cursor's tick (the ones the snapshot part of the cursor must skip).
    straddling = sum(1 for document, cursor, _ in reads for k in document["items"]
                     if k != "0" and tick_of_tx[int(k)] > tick_of(cursor))
    print(f"{len(committed)} transactions, {len(reads)} GETs, {straddling} straddling a GET's cursor tick")
    owned = [set(writer.committed) for writer in writers]
    for n, (document, cursor, stream) in enumerate(reads):
        seen = {int(k) for k in document["items"]} - {0}
        assert seen <= committed
        after = committed - seen
        events = settle(server, "/items", stream, len(after), base=document, quiet=1.0 if n == 0 else 0.1)
        assert all(e.event == "patch" for e in events), f"a resumed stream got a non-patch event: {[e.event for e in events]}"
        got = tx_ids(events)
        assert sorted(got) == sorted(after), \
            (f"GET cursor {cursor}: transactions twice {sorted(i for i in set(got) if got.count(i) > 1)}, "
             f"missing {sorted(after - set(got))}, unexpected {sorted(set(got) - after)}")
        # Each writer commits in order, so its transactions arrive in that order.
        for writer, own in zip(writers, owned):
            assert [i for i in got if i in own] == [i for i in writer.committed if i in after]
        stream.close()


# --- 4. since=now, bad cursors, pruned cursors -------------------------------------

def test_since_now_sends_only_later_changes(empty_db, serve):
    make_tables(empty_db, "items")
    server = serve(empty_db)
    with harness.connect(empty_db) as conn:
        conn.execute("INSERT INTO items (id) VALUES (1)")
    stream = subscribe(server, "/items", since="now")
    time.sleep(0.5)
    with harness.connect(empty_db) as conn:
        conn.execute("INSERT INTO items (id) VALUES (2)")
    stream.wait(lambda e: len(e) >= 1)
    time.sleep(1)
    assert [e.event for e in stream.events] == ["patch"]
    assert [op["path"] for op in json.loads(stream.events[0].data)] == ["/items/2"]
    assert stream.events[0].id
    stream.close()


MALFORMED = ["garbage", "12", "12-", "-3", "x-1", "1-abc", "1--2", "1-5:3:", "1-1:2:3",
             "99999999999999999999-1", "1-2:5:9", "now-1"]


def test_malformed_cursor_is_400_invalid_cursor(empty_db, serve):
    make_tables(empty_db, "items")
    server = serve(empty_db)
    for garbage in MALFORMED:
        for headers, query in (({"Last-Event-ID": garbage}, ""), ({}, "?since=" + urllib.parse.quote(garbage, safe=""))):
            response = requests.request("SUBSCRIBE", server.base + "/items" + query, headers=headers, timeout=10)
            assert response.status_code == 400, (garbage, headers, response.status_code, response.text[:200])
            assert response.headers["Content-Type"].startswith("application/json")
            assert response.json()["code"] == "invalid_cursor", response.text


def test_pruned_cursor_gets_a_reset_then_continues_live(empty_db, serve):
    make_tables(empty_db, "items")
    server = serve(empty_db)
    live = subscribe(server, "/items")
    live.wait(lambda e: len(e) >= 1)
    for i in range(1, 7):
        with harness.connect(empty_db) as conn:
            conn.execute("INSERT INTO items (id, v) VALUES (%s, 'x')", (i,))
        live.wait(lambda e, i=i: len(e) >= i + 1)
    settle(server, "/items", live, 6, quiet=0.2)
    early = live.events[1].id
    with harness.connect(empty_db) as conn:
        before = conn.execute("SELECT count(*) FROM rocket.change_log").fetchone()[0]
        removed = conn.execute("SELECT rocket.prune('0 seconds', 0, (SELECT max(id) FROM rocket.ticks))").fetchone()[0]
        after = conn.execute("SELECT count(*) FROM rocket.change_log").fetchone()[0]
    assert removed > 0 and after < before, (before, removed, after)
    for how in ("header", "since"):
        current, _ = server.document("/items")
        stream = subscribe(server, "/items", **({"last_event_id": early} if how == "header" else {"since": early}))
        first = stream.wait(lambda e: len(e) >= 1)[0]
        assert first.event == "reset", (first.event, first.id, first.data[:200])
        assert first.id
        assert json.loads(first.data) == current
        with harness.connect(empty_db) as conn:
            conn.execute("INSERT INTO items (id, v) VALUES ((SELECT max(id) + 1 FROM items), 'after')")
        stream.wait(lambda e: len(e) >= 2)
        time.sleep(0.5)
        assert [e.event for e in stream.events] == ["reset", "patch"]
        assert replay(stream.events) == server.document("/items")[0]
        stream.close()
    live.close()


# --- 5. Faults ---------------------------------------------------------------------------

def check_single_writer_oracle(server, path, stream, writer, base=None):
    """Replay == GET, one patch per committed transaction, in commit order."""
    events = settle(server, path, stream, len(writer.committed), base=base, timeout=40)
    got = tx_ids(events)
    assert got == writer.committed, \
        (f"feed order differs from commit order: twice {sorted(i for i in set(got) if got.count(i) > 1)}, "
         f"missing {sorted(set(writer.committed) - set(got))}, unexpected {sorted(set(got) - set(writer.committed))}")
    return events


def test_listener_terminated_three_times_during_writes(empty_db, serve):
    make_tables(empty_db, "items")
    server = serve(empty_db)
    stream = subscribe(server, "/items")
    stream.wait(lambda e: len(e) >= 1)
    writer = Writer(empty_db, "items", Counter(), seed=7, pause=0.01)
    writer.start()
    late = None
    try:
        for round in range(3):
            time.sleep(0.7)
            with harness.connect(empty_db) as conn:
                killed = conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                      "WHERE application_name = 'rocket-listener' AND datname = current_database()").fetchone()[0]
            assert killed == 1, f"round {round}: {killed} listener backends"
            if round == 0:
                # A stream that joins while the listener is down.
                late = subscribe(server, "/items")
        time.sleep(0.7)
    finally:
        writer.stop()
    assert len(writer.committed) > 30
    check_single_writer_oracle(server, "/items", stream, writer)
    settle(server, "/items", late, sum(1 for i in writer.committed if i > tx_ids_reset(late)), timeout=20)
    wait_until(lambda: server.log_path.read_text().count("listener.retry") >= 3, 10,
               lambda: "listener.retry not logged 3 times: " + server.log_path.read_text()[-3000:])
    assert metric(server, "rocket_listener_reconnects_total") >= 3
    assert ready_status(server) == 200
    stream.close()
    late.close()


def test_listener_terminated_during_a_backfill_sends_nothing_twice(empty_db, serve):
    """A stream resuming from an old cursor is backfilled from the log on the
    listener's connection; if that connection dies half-way, the stream must
    continue where the backfill got to, not start the backfill again."""
    make_tables(empty_db, "items")
    # A buffer large enough that this test is about the backfill, not overflow.
    server = serve(empty_db, "--max-subscriber-buffer", "512M")
    live = subscribe(server, "/items")
    live.wait(lambda e: len(e) >= 1)
    rows = 300
    with harness.connect(empty_db) as conn:
        for i in range(1, rows + 1):
            conn.execute("INSERT INTO items (id, v) VALUES (%s, %s)", (i, "x" * 20000))
            conn.execute("SELECT rocket.tick()")   # one tick per transaction: a long backfill
    live.wait(lambda e: len(e) >= rows + 1, timeout=60)
    full = patches(live)
    interrupted = []
    for delay in (0.05, 0.3):
        resumed = subscribe(server, "/items", last_event_id=full[0][0])
        time.sleep(delay)
        with harness.connect(empty_db) as conn:
            killed = conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE application_name = 'rocket-listener' AND datname = current_database()").fetchone()[0]
        assert killed == 1
        received_at_kill = len(resumed.events)
        interrupted.append(received_at_kill < rows - 1)
        resumed.wait_for_id(full[-1][0], timeout=60)
        time.sleep(1)
        got = [e.id for e in resumed.events]
        twice = sorted({i for i in got if got.count(i) > 1}, key=tick_of)
        assert len(got) == len(set(got)) == rows - 1, \
            (f"listener terminated {delay}s into a backfill of {rows - 1} events ({received_at_kill} received by then): "
             f"{len(got)} events, {len(set(got))} distinct; sent twice: {len(twice)} events, {twice[:3]}…{twice[-3:]}")
        assert [(e.id, e.event, e.data) for e in resumed.events] == full[1:]
        resumed.close()
    assert any(interrupted), "every kill came after the backfill had been delivered: the test exercised nothing"
    live.close()


def tx_ids_reset(stream):
    """The highest writer id in a stream's opening reset."""
    rows = json.loads(stream.events[0].data)["items"]
    assert stream.events[0].event == "reset"
    return max([int(k) for k in rows if int(k) < 10000000] or [0])


def test_postgres_restart_during_writes(empty_db, serve):
    make_tables(empty_db, "items")
    server = serve(empty_db)
    stream = subscribe(server, "/items")
    stream.wait(lambda e: len(e) >= 1)
    writer = Writer(empty_db, "items", Counter(), seed=11, tolerant=True, pause=0.005)
    writer.start()
    try:
        time.sleep(1.0)
        before = len(writer.committed)
        cluster.restart_shared_cluster()
        time.sleep(1.5)
        wait_until(lambda: len(writer.committed) > before + 10, 20, "the writer made no progress after the restart")
    finally:
        writer.stop()
    assert writer.failures > 0, "the restart did not interrupt the writer: not a fault"
    print(f"{len(writer.committed)} committed, {writer.failures} failed attempts, "
          f"commits with an unknown outcome (id, committed): {writer.unknown_commits}")
    wait_until(lambda: ready_status(server) == 200, 30, lambda: "never ready again: " + server.log_path.read_text()[-3000:])
    check_single_writer_oracle(server, "/items", stream, writer)
    assert "listener.retry" in server.log_path.read_text()
    # A resume from before the restart still works after it.
    early = stream.events[2]
    resumed = subscribe(server, "/items", last_event_id=early.id)
    final = stream.events[-1].id
    resumed.wait_for_id(final)
    time.sleep(0.2)
    assert [(e.id, e.event, e.data) for e in resumed.events] == \
           [(e.id, e.event, e.data) for e in stream.events[3:]]
    resumed.close()
    stream.close()


@pytest.fixture
def private_cluster():
    pg = cluster.Cluster()
    yield pg
    pg.destroy()


def test_postgres_down_when_rocket_starts(private_cluster, serve):
    pg = private_cluster
    pg.start()
    url = pg.url()
    harness.rocket("migrate", "--database-url", url)
    make_tables(url, "items")
    pg.stop()

    server = serve(url, wait_ready=False)
    time.sleep(2.5)
    log = server.log_path.read_text()
    assert server.process.poll() is None, \
        (f"rocket serve exited with status {server.process.returncode} while PostgreSQL was down "
         f"(it must keep retrying with backoff); its output: {log.strip()}")
    assert ready_status(server) == 503
    response = requests.get(server.base + "/ready", timeout=5)
    assert response.json()["listener"] is False
    retries = log.count("listener.retry")
    assert retries >= 2, f"expected listener.retry lines while PostgreSQL is down: {log}"

    pg.start()
    server.wait_ready(timeout=30)
    stream = subscribe(server, "/items")
    stream.wait(lambda e: len(e) >= 1)
    assert stream.events[0].event == "reset"
    with harness.connect(url) as conn:
        conn.execute("INSERT INTO items (id, v) VALUES (1, 'after')")
        conn.execute("UPDATE items SET n = 5 WHERE id = 1")
    stream.wait(lambda e: len(e) >= 3)
    assert [e.event for e in stream.events] == ["reset", "patch", "patch"]
    assert replay(stream.events) == server.document("/items")[0]
    stream.close()


def test_rocket_killed_and_restarted_client_resumes(empty_db, serve):
    make_tables(empty_db, "items")
    reference_server = serve(empty_db)
    first = serve(empty_db)
    port = first.port
    reference = subscribe(reference_server, "/items")
    client = subscribe(first, "/items")
    for s in (reference, client):
        s.wait(lambda e: len(e) >= 1)
    writer = Writer(empty_db, "items", Counter(), seed=23, pause=0.01)
    writer.start()
    try:
        client.wait(lambda e: sum(1 for x in e if x.event == "patch") >= 10)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(10)
        client.closed.wait(10)
        assert client.closed.is_set(), "the stream did not end when its server was killed"
        shutil.copy(first.log_path, str(first.log_path) + ".killed")
        before = complete_events(client)
        last_id = [e.id for e in before if e.id][-1]
        time.sleep(0.5)  # writes go on while no bridge is up on this port
        second = serve(empty_db, port=port)
        resumed = subscribe(second, "/items", last_event_id=last_id)
        time.sleep(1.0)
    finally:
        writer.stop()
    assert len(writer.committed) > 30
    check_single_writer_oracle(reference_server, "/items", reference, writer)
    # The client's two connections together: the reference stream, exactly.
    settle(second, "/items", resumed, len([i for i in writer.committed if i not in tx_ids(before)]),
           base=replay_from(None, before))
    union = [(e.id, e.event, e.data) for e in before + resumed.events if e.event == "patch"]
    assert union == patches(reference), \
        (f"resumed after {last_id}: before the kill {len(tx_ids(before))} patches, after {len(resumed.events)} events; "
         f"ids differ at {next((n for n, (a, b) in enumerate(zip(union, patches(reference))) if a != b), None)}")
    assert all(e.event == "patch" for e in resumed.events)
    resumed.close()
    reference.close()


# --- 6. Two instances ---------------------------------------------------------------

def test_two_instances_agree_and_a_client_can_switch(empty_db, serve):
    make_tables(empty_db, "a", "b")
    one = serve(empty_db)
    two = serve(empty_db)
    on_one = subscribe(one, "/a")
    on_two = subscribe(two, "/a")
    switching = subscribe(one, "/a")
    for s in (on_one, on_two, switching):
        s.wait(lambda e: len(e) >= 1)
    result = {}
    worker = threading.Thread(target=lambda: result.update(
        interleaved_workload(empty_db, seed=99, transactions=70, pause=0.03)), daemon=True)
    worker.start()
    switching.wait(lambda e: sum(1 for x in e if x.event == "patch") >= 8, timeout=30)
    switching.close()
    before = complete_events(switching)
    switched = subscribe(two, "/a", last_event_id=before[-1].id)
    # A GET on one instance, its cursor used on the other.
    time.sleep(0.3)
    document, cursor = one.document("/a")
    crossed = subscribe(two, "/a", last_event_id=cursor)
    worker.join(120)
    assert not worker.is_alive() and "a" in result, "workload failed"
    settle(one, "/a", on_one, result["a"])
    settle(two, "/a", on_two, result["a"])
    assert patches(on_one) == patches(on_two), "the two instances sent different events"
    full = patches(on_one)
    k = len([e for e in before if e.event == "patch"])
    assert k < len(full), "the switch happened after the workload"
    switched.wait_for_id(full[-1][0])
    time.sleep(0.5)
    assert [(e.id, e.event, e.data) for e in switched.events] == full[k:]
    # The GET-cursor stream: a subsequence of the full feed (the transactions
    # the GET had not seen), which brings the GET's document up to date.
    crossed.wait_for_id(full[-1][0])
    time.sleep(0.3)
    got = [(e.id, e.event, e.data) for e in crossed.events]
    assert all(e.event == "patch" for e in crossed.events)
    positions = [full.index(item) for item in got]
    assert positions == sorted(set(positions)), "not a subsequence of the feed, or duplicates"
    assert all(tick_of(item[0]) > tick_of(cursor) for item in got)
    assert replay_from(document, crossed.events) == one.document("/a")[0]
    for s in (on_one, on_two, switched, crossed):
        s.close()


# --- 7. Retention under writes ----------------------------------------------------------

def test_prune_under_writes_never_loses_undelivered_changes(empty_db, serve):
    make_tables(empty_db, "items")
    # A long retention keeps the listener's own prune out of the way; the
    # test prunes by hand, protecting what the listener has delivered.
    server = serve(empty_db, "--retention", "1h")
    live = subscribe(server, "/items")
    live.wait(lambda e: len(e) >= 1)
    writer = Writer(empty_db, "items", Counter(), seed=31, pause=0.01)
    writer.start()
    try:
        time.sleep(1.5)
        with harness.connect(empty_db) as conn:
            before = conn.execute("SELECT count(*) FROM rocket.change_log").fetchone()[0]
            protect = metric(server, "rocket_tick_position")   # what the listener has delivered
            removed = conn.execute("SELECT rocket.prune('0 seconds', 0, %s)", (protect,)).fetchone()[0]
            after = conn.execute("SELECT count(*) FROM rocket.change_log").fetchone()[0]
            oldest = conn.execute("SELECT min(id) FROM rocket.ticks").fetchone()[0]
        time.sleep(1.5)
    finally:
        writer.stop()
    assert removed > 0 and after < before, (before, removed, after)
    events = check_single_writer_oracle(server, "/items", live, writer)

    full = [(e.id, e.event, e.data) for e in events if e.event == "patch"]
    # A cursor from before the pruned boundary: a reset, then live.
    pruned = full[0][0]
    assert tick_of(pruned) - 1 < oldest
    stream = subscribe(server, "/items", last_event_id=pruned)
    stream.wait(lambda e: len(e) >= 1)
    assert stream.events[0].event == "reset"
    assert json.loads(stream.events[0].data) == server.document("/items")[0]
    stream.close()
    # A cursor within the retained log: exact continuation, no reset.
    kept = [n for n, item in enumerate(full) if tick_of(item[0]) - 1 >= oldest and n < len(full) - 1]
    assert kept, "no retained cursor to resume from"
    n = kept[0]
    stream = subscribe(server, "/items", last_event_id=full[n][0])
    stream.wait_for_id(full[-1][0])
    time.sleep(0.2)
    assert [(e.id, e.event, e.data) for e in stream.events] == full[n + 1:]
    stream.close()
    live.close()


def test_an_instance_that_lags_behind_another_instances_prune_resets_rather_than_skips(empty_db, serve):
    """Two bridges on one database; B prunes the log (as its periodic prune
    does with --retention 1s) while A is paused (SIGSTOP: a frozen VM, a
    long GC pause). A's streams then cannot be continued from the log: they
    must get a reset (or be closed so that they resume by cursor), never
    skip the pruned transactions silently."""
    make_tables(empty_db, "items")
    a = serve(empty_db, "--retention", "1h")
    b = serve(empty_db, "--retention", "1s")   # prunes every second
    on_a = subscribe(a, "/items")
    on_b = subscribe(b, "/items")
    with harness.connect(empty_db) as conn:
        conn.execute("INSERT INTO items (id) VALUES (1)")
    for stream in (on_a, on_b):
        stream.wait(lambda e: len(e) >= 2)
    a.process.send_signal(signal.SIGSTOP)
    try:
        with harness.connect(empty_db) as conn:
            for i in range(2, 12):
                conn.execute("INSERT INTO items (id) VALUES (%s)", (i,))
        on_b.wait(lambda e: len(e) >= 12)
        # B's own periodic prune removes what A has not read yet.
        pruned_before = metric(b, "rocket_changelog_pruned_total")
        deadline = time.time() + 10
        while metric(b, "rocket_changelog_pruned_total") < pruned_before + 10 and time.time() < deadline:
            time.sleep(0.2)
        removed = metric(b, "rocket_changelog_pruned_total") - pruned_before
        with harness.connect(empty_db) as conn:
            conn.execute("INSERT INTO items (id) VALUES (100)")
        assert removed > 0
    finally:
        a.process.send_signal(signal.SIGCONT)
    on_b.wait(lambda e: len(e) >= 13)
    try:
        on_a.wait(lambda e: on_a.closed.is_set() or any(x.event == "patch" and "/items/100" in x.data for x in e))
        on_a.closed.wait(1)
        events = complete_events(on_a)
        document = replay(events) if not on_a.closed.is_set() else None
        want = get_document(a, "/items")[0]
        assert on_a.closed.is_set() or document == want, \
            (f"A's stream skipped pruned transactions without a reset: events "
             f"{[(e.event, e.id) for e in events]}, B's: {[(e.event, e.id) for e in on_b.events]}; "
             + describe_difference(document, want))
    finally:
        on_a.close()
        on_b.close()
