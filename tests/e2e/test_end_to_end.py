"""Issue 2: the whole slice on a real PostgreSQL with Chinook: documents,
streams with one patch per committed transaction, the oracle."""
import json
import random
import time

import requests

import harness
from harness import Stream, replay


def test_chinook_documents(chinook, serve):
    server = serve(chinook)
    document, cursor = server.document("/track")
    assert len(document["track"]) == 3503
    assert document["track"]["1"]["name"] == "For Those About To Rock (We Salute You)"
    assert cursor
    row, _ = server.document("/playlist_track/1,3402")
    assert row == {"playlist_id": 1, "track_id": 3402}
    # Numbers keep every digit: numeric(10,2) prices come as written by PostgreSQL.
    response = server.get("/track/1")
    assert '"unit_price":0.99' in response.text
    # Non-ASCII survives.
    artists, _ = server.document("/artist")
    assert any("ç" in a["name"] or "é" in a["name"] for a in artists["artist"].values())


def test_unknown_resource_and_row_are_404_with_json(chinook, serve):
    server = serve(chinook)
    response = server.get("/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_resource"
    response = server.get("/track/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    response = server.get("/playlist_track/1")  # composite key with one part
    assert response.status_code == 404


def test_unattached_table_is_404(chinook, serve):
    with harness.connect(chinook) as conn:
        conn.execute("CREATE TABLE hidden (id int PRIMARY KEY)")
    server = serve(chinook)
    assert server.get("/hidden").status_code == 404


def test_stream_headers_reset_and_one_patch_per_transaction(chinook, serve):
    server = serve(chinook)
    stream = Stream(server.base + "/genre", method="SUBSCRIBE")
    assert stream.status == 200
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    assert stream.headers["Cache-Control"] == "no-cache"
    assert stream.headers["X-Accel-Buffering"] == "no"
    events = stream.wait(lambda e: len(e) >= 1)
    assert events[0].event == "reset" and events[0].id
    assert len(json.loads(events[0].data)["genre"]) == 25
    with harness.connect(chinook) as conn:
        with conn.transaction():
            conn.execute("INSERT INTO genre VALUES (100, 'a'), (101, 'b')")
            conn.execute("UPDATE genre SET name = 'c' WHERE genre_id = 100")
    events = stream.wait(lambda e: len(e) >= 2)
    patch = json.loads(events[1].data)
    assert events[1].event == "patch"
    assert patch == [
        {"op": "add", "path": "/genre/100", "value": {"genre_id": 100, "name": "a"}},
        {"op": "add", "path": "/genre/101", "value": {"genre_id": 101, "name": "b"}},
        {"op": "replace", "path": "/genre/100", "value": {"genre_id": 100, "name": "c"}},
    ]
    stream.close()


def test_get_with_accept_event_stream_streams(chinook, serve):
    server = serve(chinook)
    stream = Stream(server.base + "/media_type", method="GET")
    events = stream.wait(lambda e: len(e) >= 1)
    assert events[0].event == "reset"
    stream.close()


def test_keep_alive_comment_after_silence(chinook, serve):
    server = serve(chinook, "--keep-alive", "1s")
    response = requests.request("SUBSCRIBE", server.base + "/genre", stream=True, timeout=10)
    seen = b""
    deadline = time.time() + 8
    for chunk in response.iter_content(chunk_size=None):
        seen += chunk
        if b": keep-alive\n\n" in seen or time.time() > deadline:
            break
    response.close()
    assert b": keep-alive\n\n" in seen


def test_rolled_back_transactions_send_nothing(chinook, serve):
    server = serve(chinook)
    stream = Stream(server.base + "/genre")
    stream.wait(lambda e: len(e) >= 1)
    with harness.connect(chinook, autocommit=False) as conn:
        conn.execute("INSERT INTO genre VALUES (200, 'never')")
        conn.rollback()
        conn.execute("INSERT INTO genre VALUES (201, 'yes')")
        conn.commit()
    stream.wait(lambda e: len(e) >= 2)
    time.sleep(1.5)  # give a wrongly sent event time to arrive
    assert [json.loads(e.data)[0]["path"] for e in stream.patches()] == ["/genre/201"]
    stream.close()


def test_huge_row_streams_whole(chinook, serve):
    with harness.connect(chinook) as conn:
        conn.execute("CREATE TABLE big (id int PRIMARY KEY, body text)")
    harness.rocket("attach", "big", "--database-url", chinook)
    server = serve(chinook)
    stream = Stream(server.base + "/big")
    stream.wait(lambda e: len(e) >= 1)
    big = "é" * 60000 + "x" * 100000  # far beyond NOTIFY's 8000 bytes
    with harness.connect(chinook) as conn:
        conn.execute("INSERT INTO big VALUES (1, %s)", (big,))
    events = stream.wait(lambda e: len(e) >= 2)
    assert json.loads(events[1].data)[0]["value"]["body"] == big
    stream.close()


def test_many_subscribers_cost_one_read_of_the_log(chinook, serve):
    server = serve(chinook)
    streams = [Stream(server.base + "/genre") for _ in range(20)]
    for stream in streams:
        stream.wait(lambda e: len(e) >= 1)
    before = metrics(server)
    with harness.connect(chinook) as conn:
        for i in range(5):
            conn.execute("INSERT INTO genre VALUES (%s, 'm')", (300 + i,))
    for stream in streams:
        stream.wait(lambda e: len(e) >= 6)
    after = metrics(server)
    assert after["rocket_transactions_total"] - before["rocket_transactions_total"] == 5
    assert after["rocket_events_sent_total"] - before["rocket_events_sent_total"] == 100
    for stream in streams:
        stream.close()


def metrics(server):
    values = {}
    for line in server.get("/metrics").text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.split()
            values[name] = int(value)
    return values


# --- The oracle -------------------------------------------------------------

WATCHED = ["genre", "media_type", "playlist", "playlist_track", "notes", "artist"]


def test_oracle_scripted_and_random(chinook, serve):
    """For every resource: first reset + every patch = a fresh GET, and the
    number of patch events = the committed transactions that touched it."""
    with harness.connect(chinook) as conn:
        conn.execute("CREATE TABLE notes (id int PRIMARY KEY, body text, tags text[], meta jsonb)")
    harness.rocket("attach", "notes", "--database-url", chinook)
    server = serve(chinook)
    streams = {name: Stream(server.base + "/" + name) for name in WATCHED}
    for stream in streams.values():
        stream.wait(lambda e: len(e) >= 1)
    touched = {name: 0 for name in WATCHED}

    def run(statements, tables, commit=True):
        with harness.connect(chinook, autocommit=False) as conn:
            for sql, params in statements:
                conn.execute(sql, params)
            if commit:
                conn.commit()
                for table in set(tables):
                    touched[table] += 1
            else:
                conn.rollback()

    # Scripted.
    run([("INSERT INTO notes VALUES (1, 'héllo wörld ✓', '{a,b}', '{\"k\": [1, 2.50]}'), (2, 'two', NULL, NULL)", None)], ["notes"])
    run([("UPDATE notes SET body = %s WHERE id = 2", ("x" * 100_000,))], ["notes"])
    run([("UPDATE notes SET id = 3 WHERE id = 2", None)], ["notes"])                      # key change
    run([("INSERT INTO genre VALUES (50, 'Zydeco')", None),
         ("INSERT INTO notes VALUES (4, 'two tables', NULL, NULL)", None)], ["genre", "notes"])
    run([("DELETE FROM notes WHERE id = 4", None)], ["notes"], commit=False)            # rolled back
    run([("INSERT INTO playlist VALUES (100, 'Mix')", None),
         ("INSERT INTO playlist_track SELECT 100, track_id FROM track WHERE track_id <= 40", None)],
        ["playlist", "playlist_track"])                                                  # multi-row insert
    run([("UPDATE playlist_track SET track_id = track_id + 1000 WHERE playlist_id = 100 AND track_id > 35", None)],
        ["playlist_track"])                                                              # composite key changes
    run([("DELETE FROM playlist_track WHERE playlist_id = 100 AND track_id < 10", None)], ["playlist_track"])
    run([("TRUNCATE notes", None)], ["notes"])                                           # truncate of a small table
    run([("INSERT INTO notes VALUES (5, 'after truncate', '{}', '[]')", None)], ["notes"])
    run([("UPDATE media_type SET name = name || ' ⚡'", None)], ["media_type"])          # update every row

    # Randomised.
    rng = random.Random(20261203)
    next_id = 1000
    for _ in range(60):
        statements, tables = [], []
        for _ in range(rng.randint(1, 4)):
            choice = rng.random()
            if choice < 0.35:
                statements.append(("INSERT INTO notes VALUES (%s, %s, NULL, %s)",
                                   (next_id, "n" + "ü" * rng.randint(0, 5), json.dumps({"r": rng.randint(0, 9)}))))
                next_id += 1
                tables.append("notes")
            elif choice < 0.55:
                statements.append(("UPDATE notes SET body = body || 'u' WHERE id = (SELECT id FROM notes ORDER BY random() LIMIT 1)", None))
                tables.append("notes")
            elif choice < 0.65:
                statements.append(("DELETE FROM notes WHERE id = (SELECT max(id) FROM notes WHERE id > 5)", None))
                tables.append("notes")
            elif choice < 0.8:
                statements.append(("UPDATE genre SET name = name || '+' WHERE genre_id = %s", (rng.randint(1, 25),)))
                tables.append("genre")
            elif choice < 0.9:
                statements.append(("UPDATE artist SET name = %s WHERE artist_id = %s", ("Ärtist " + str(rng.random()), rng.randint(1, 275))))
                tables.append("artist")
            else:
                statements.append(("UPDATE notes SET id = id + 100000 WHERE id = (SELECT min(id) FROM notes WHERE id >= 1000 AND id < 100000)", None))
                tables.append("notes")
        # A statement that changes no row does not touch the resource.
        with harness.connect(chinook) as conn:
            pass
        run_counting(chinook, statements, tables, touched, commit=rng.random() > 0.15)

    # Converge, then compare.
    for name, stream in streams.items():
        def converged(events, name=name):
            try:
                return replay(events) == server.document("/" + name)[0]
            except Exception:
                return False
        stream.wait(converged, timeout=30)
    time.sleep(1)
    for name, stream in streams.items():
        assert replay(stream.events) == server.document("/" + name)[0], name
        assert len(stream.patches()) == touched[name], name
        ids = [e.id for e in stream.events]
        assert len(ids) == len(set(ids)), "duplicate event ids"
        stream.close()


def run_counting(url, statements, tables, touched, commit):
    """Runs a transaction; counts a resource as touched only if a statement
    on it changed rows (an UPDATE matching nothing fires no row trigger)."""
    changed = set()
    with harness.connect(url, autocommit=False) as conn:
        for (sql, params), table in zip(statements, tables):
            cursor = conn.execute(sql, params)
            if cursor.rowcount > 0:
                changed.add(table)
        if commit:
            conn.commit()
            for table in changed:
                touched[table] += 1
        else:
            conn.rollback()
