"""Every PostgreSQL type and every kind of name, black-box: documents equal
what PostgreSQL's own to_json renders (numbers compared exactly), streams
replay to the same document, writes accept the JSON that GET returns, and
names and keys with any character round-trip through URLs and JSON
Pointers. Partitioned tables stream under the parent's name."""
import decimal
import http.client
import json
import urllib.parse

import pytest

import harness
from harness import loads, patches, replay_exact, subscribe, wait_patch_count


# --- Helpers ----------------------------------------------------------------


def dumps_exact(value):
    """JSON text with every number exactly as parsed by loads()."""
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dumps_exact(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps_exact(v) for v in value) + "]"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (int, decimal.Decimal)):
        return str(value)
    raise TypeError(type(value))



def execute(url, *statements):
    """Runs statements in one transaction."""
    with harness.connect(url, autocommit=False) as conn:
        for statement in statements:
            if isinstance(statement, tuple):
                conn.execute(*statement)
            else:
                conn.execute(statement)
        conn.commit()


def sql_rows(url, sql, params=()):
    with harness.connect(url) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        return conn.execute(sql, params or None).fetchall()


def raw(server, method, target, body=None, headers=None):
    """A request sent exactly as written (no client-side re-quoting or
    dot-segment removal): (status, headers, text)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    hdrs = dict(headers or {})
    if body is not None:
        body = body.encode() if isinstance(body, str) else body
        hdrs.setdefault("Content-Type", "application/json")
    connection.request(method, target, body=body, headers=hdrs)
    response = connection.getresponse()
    text = response.read().decode()
    result = (response.status, dict(response.getheaders()), text)
    connection.close()
    return result


def seg(text):
    """One percent-encoded URL path segment."""
    return urllib.parse.quote(text, safe="")


def pointer(*parts):
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)





def document(server, target):
    status, headers, text = raw(server, "GET", target)
    assert status == 200, (target, status, text)
    assert headers.get("Rocket-Cursor")
    return loads(text), text


# --- Every type ---------------------------------------------------------------

TYPES_SCHEMA = r"""
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'very "happy", indeed');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TYPE pair AS (x integer, label text);
CREATE TABLE everything (
    id integer PRIMARY KEY,
    c_smallint smallint, c_integer integer, c_bigint bigint,
    c_numeric numeric, c_numeric_scaled numeric(40,10),
    c_real real, c_double double precision,
    c_boolean boolean, c_text text, c_varchar varchar(20), c_char char(5),
    c_uuid uuid, c_date date, c_time time, c_timetz time with time zone,
    c_timestamp timestamp, c_timestamptz timestamptz, c_interval interval,
    c_bytea bytea, c_json json, c_jsonb jsonb,
    c_int_array integer[], c_text_array text[], c_2d integer[][], c_numeric_array numeric[],
    c_enum mood, c_enum_array mood[], c_domain posint, c_composite pair,
    c_inet inet, c_cidr cidr, c_macaddr macaddr, c_money money,
    c_int4range int4range, c_tstzrange tstzrange,
    c_generated bigint GENERATED ALWAYS AS (c_integer::bigint * 2) STORED
);
INSERT INTO everything (id) VALUES (1);
INSERT INTO everything VALUES (
    2, 1, 21, 3, 4.5, 1.5, 1.5, 2.25, true, 'hello', 'varchar', 'ab', '5f0c1b8e-3a3a-4c1d-9d7e-0a0b0c0d0e0f',
    '2024-02-29', '13:14:15.5', '13:14:15+05:30', '2024-02-29 23:59:59.123456', '2024-02-29 23:59:59.123456+05:30',
    '1 year 2 mons 3 days 04:05:06.789', '\x00ff10',
    '{"a": [1, 2.50, {"b": null}], "s": "x\u00e9"}',
    '{"z": 1, "a": {"nested": [true, false, null, {"deep": [[1], [2, [3]]]}]}, "big": 123456789012345678901234567890}',
    '{1,NULL,3}', '{"a,b","c\"d",NULL,"",NULL}', '{{1,2},{3,NULL}}', '{1.10,NaN}',
    'happy', '{sad,"very \"happy\", indeed"}', 7, '(1,"x, \"y\"")',
    '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', 1234.56,
    '[1,10)', '[2024-01-01 00:00:00+00,2024-02-01 00:00:00+00)');
INSERT INTO everything VALUES (
    3, -32768, 2147483647, 9223372036854775807, 123456789012345678901234567890.123456789012, 9007199254740993,
    'NaN', 'Infinity', false, E'line\nbreak\t"quote"\\ back ✓ 🚀 \u2028 end', '', ' ', '00000000-0000-0000-0000-000000000000',
    'infinity', '24:00:00', '00:00:00-12', '0044-03-15 BC', '-infinity', '-3 days -04:05:06',
    '\x', '[]', '"string"',
    '{}', '{}', '{{NULL,NULL},{NULL,NULL}}', '{Infinity,-Infinity,0.000001}',
    'very "happy", indeed', '{}', 2147483647, '(,)',
    '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', '-92233720368547758.08',
    'empty', '(,)');
INSERT INTO everything VALUES (
    4, 32767, -2147483648, -9223372036854775808, -0.000000000000000000000000000001, -9007199254740993.0000000001,
    3.4028235e38, '-Infinity', NULL, '', 'x', 'abcde', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
    '0001-01-01 BC', '00:00:00', '23:59:59.999999+14', '294276-12-31 23:59:59.999999', '2000-01-01 00:00:00+00',
    '178000000 years', '\xdeadbeef',
    '{"dup": 1, "space":   "kept"}', '{"é": "ü", "esc": "\"\\/\b\f\n\r\t", "n": -0.0e10, "e": 1E+2, "arr": []}',
    '{-2147483648,2147483647}', '{"\\","NULL","null"}', '{{1},{2}}', '{NaN}',
    'sad', '{ok,ok}', 1, '(-5,"")',
    '0.0.0.0/0', '0.0.0.0/0', '00:00:00:00:00:00', '92233720368547758.07',
    '(,5]', '[2024-01-01 00:00:00+00,)');
INSERT INTO everything (id, c_real, c_double, c_numeric, c_numeric_array)
VALUES (5, 'nan', 1e-320, 'NaN', '{-0.0, 1e20}');
"""

BIG_DIGITS = ["9223372036854775807", "-9223372036854775808", "123456789012345678901234567890.123456789012",
              "9007199254740993.0000000000", "-9007199254740993.0000000001", "123456789012345678901234567890",
              "-0.000000000000000000000000000001", "2147483647", "4294967294"]


@pytest.fixture
def typed(empty_db, serve):
    with harness.connect(empty_db) as conn:
        conn.execute(TYPES_SCHEMA)
    harness.rocket("attach", "everything", "--database-url", empty_db)
    return empty_db, serve(empty_db)


def oracle_document(url):
    rows = sql_rows(url, "SELECT id::text, to_json(t)::text FROM everything t ORDER BY id")
    return {"everything": {key: loads(row) for key, row in rows}}


def writable_columns(url):
    return [name for (name,) in sql_rows(url, """
        SELECT attname FROM pg_attribute WHERE attrelid = 'everything'::regclass AND attnum > 0
           AND NOT attisdropped AND attgenerated = '' ORDER BY attnum""")]


def test_documents_equal_postgres_to_json_exactly(typed):
    url, server = typed
    got, text = document(server, "/everything")
    expected = oracle_document(url)
    assert got == expected
    assert list(got["everything"]) == ["1", "2", "3", "4", "5"]
    for digits in BIG_DIGITS:
        assert digits in text, digits
    for key, row in expected["everything"].items():
        one, one_text = document(server, "/everything/" + key)
        assert one == row, key
    # The generated column is PostgreSQL's value.
    assert got["everything"]["3"]["c_generated"] == 4294967294
    # Spot checks of the rendering the contract names.
    three = got["everything"]["3"]
    assert three["c_real"] == "NaN" and three["c_double"] == "Infinity"
    assert got["everything"]["2"]["c_bytea"] == "\\x00ff10"
    assert got["everything"]["2"]["c_jsonb"]["a"]["nested"][3] == {"deep": [[1], [2, [3]]]}
    assert got["everything"]["2"]["c_2d"] == [[1, 2], [3, None]]


def test_stream_of_every_type_replays_to_the_document(typed):
    url, server = typed
    stream = subscribe(server, "/everything")
    columns = writable_columns(url)
    copy = ", ".join(c for c in columns if c != "id")
    execute(url, f"INSERT INTO everything ({', '.join(columns)}) SELECT id + 10, {copy} FROM everything WHERE id IN (2, 3)")
    execute(url, f"INSERT INTO everything ({', '.join(columns)}) SELECT id + 10, {copy} FROM everything WHERE id = 4")
    execute(url, "UPDATE everything SET c_bigint = -9223372036854775808, c_numeric = 0.1e-40, c_integer = 5, "
                 "c_jsonb = c_jsonb || '{\"added\": [1.000, 2e5]}', c_2d = '{{7,NULL}}', c_money = 0 WHERE id = 12")
    execute(url, "UPDATE everything SET c_real = 'Infinity', c_double = 'NaN', c_bytea = '\\x00' WHERE id = 13",
            "DELETE FROM everything WHERE id = 14")
    execute(url, f"INSERT INTO everything ({', '.join(columns)}) SELECT id + 20, {copy} FROM everything WHERE id = 5")
    events = wait_patch_count(stream, 5)
    assert len(events) == 5
    got, _ = document(server, "/everything")
    assert replay_exact(stream.events) == got == oracle_document(url)
    data = "".join(e.data for e in stream.patches())
    for digits in ["9223372036854775807", "123456789012345678901234567890.123456789012", "9007199254740993.0000000000",
                   "-9223372036854775808", "123456789012345678901234567890", "1.000", "200000"]:
        assert digits in data, digits
    # The generated column's computed value is in the streamed rows.
    added = {op["path"]: op["value"] for patch in events for op in patch if op["op"] == "add"}
    assert added["/everything/12"]["c_generated"] == 42
    assert added["/everything/13"]["c_generated"] == 4294967294
    replaced = [op["value"] for op in events[2] if op["op"] == "replace"]
    assert replaced and replaced[0]["c_generated"] == 10
    stream.close()


def test_writes_accept_the_json_get_returns(typed):
    url, server = typed
    stream = subscribe(server, "/everything")
    originals = {key: row for key, row in oracle_document(url)["everything"].items()}
    for key, row in originals.items():
        body = {k: v for k, v in row.items() if k != "c_generated"}
        # POST a copy for a new key.
        status, headers, text = raw(server, "POST", "/everything", dumps_exact({**body, "id": 100 + int(key)}))
        assert status == 201, (key, text)
        assert headers.get("Rocket-Cursor")
        expected = {**row, "id": 100 + int(key)}
        assert loads(text) == expected, key
        assert document(server, f"/everything/{100 + int(key)}")[0] == expected, key
        # PUT a copy for another new key, then PUT it again unchanged.
        for attempt, want in [(1, 201), (2, 200)]:
            status, _, text = raw(server, "PUT", f"/everything/{200 + int(key)}", dumps_exact({**body, "id": 200 + int(key)}))
            assert status == want, (key, attempt, text)
            assert loads(text) == {**row, "id": 200 + int(key)}, (key, attempt)
        # A merge patch that writes every value back changes nothing.
        status, _, text = raw(server, "PATCH", f"/everything/{key}", dumps_exact(body),
                              {"Content-Type": "application/merge-patch+json"})
        assert status == 200, (key, text)
        assert loads(text) == row, key
        # A JSON Patch that replaces every value with itself, too.
        ops = [{"op": "replace", "path": "/" + k, "value": v} for k, v in body.items() if k != "id"]
        status, _, text = raw(server, "PATCH", f"/everything/{key}", dumps_exact(ops),
                              {"Content-Type": "application/json-patch+json"})
        assert status == 200, (key, text)
        assert loads(text) == row, key
    assert oracle_document(url)["everything"]["3"] == originals["3"]
    # The generated column cannot be written.
    status, _, text = raw(server, "POST", "/everything", json.dumps({"id": 999, "c_generated": 1}))
    assert status == 400 and json.loads(text)["code"] == "generated_column", text
    status, _, text = raw(server, "PATCH", "/everything/2", json.dumps({"c_generated": 1}),
                          {"Content-Type": "application/merge-patch+json"})
    assert status == 400 and json.loads(text)["code"] == "generated_column", text
    # Values that do not fit their type: 400, nothing written.
    for column, value in [("c_domain", 0), ("c_enum", "ecstatic"), ("c_smallint", 32768), ("c_uuid", "nope"),
                          ("c_int4range", "[5,1)"), ("c_2d", [[1, 2], [3]])]:
        status, _, text = raw(server, "POST", "/everything", json.dumps({"id": 998, column: value}))
        assert status == 400, (column, status, text)
    assert not sql_rows(url, "SELECT 1 FROM everything WHERE id IN (998, 999)")
    # The stream followed all of it.
    got = document(server, "/everything")[0]
    stream.wait(lambda events: replay_exact(events) == got, timeout=20)
    stream.close()


def test_filters_on_typed_columns_match_sql(typed):
    url, server = typed
    cases = [
        ("c_bigint", "eq.9223372036854775807", "c_bigint = 9223372036854775807"),
        ("c_numeric", "gt.1e29", "c_numeric > 1e29"),
        ("c_numeric_scaled", "eq.9007199254740993", "c_numeric_scaled = 9007199254740993"),
        ("c_uuid", "eq.5F0C1B8E-3A3A-4C1D-9D7E-0A0B0C0D0E0F", "c_uuid = '5f0c1b8e-3a3a-4c1d-9d7e-0a0b0c0d0e0f'"),
        ("c_timestamptz", "gt.2024-02-29T00:00:00+00:00", "c_timestamptz > '2024-02-29T00:00:00+00:00'"),
        ("c_date", "lt.2025-01-01", "c_date < '2025-01-01'"),
        ("c_enum", "in.(happy,\"very \\\"happy\\\", indeed\")", "c_enum IN ('happy', 'very \"happy\", indeed')"),
        ("c_boolean", "is.false", "c_boolean IS FALSE"),
        ("c_boolean", "not.is.true", "c_boolean IS NOT TRUE"),
        ("c_jsonb", "eq.\"string\"", "c_jsonb = '\"string\"'"),
        ("c_int_array", "eq.{}", "c_int_array = '{}'"),
        ("c_text", "like.*✓*", "c_text LIKE '%✓%'"),
        ("c_char", "eq.ab", "c_char = 'ab'"),
        ("c_inet", "eq.::1", "c_inet = '::1'"),
    ]
    failures = []
    for column, expression, where in cases:
        status, _, text = raw(server, "GET", "/everything?" + urllib.parse.urlencode({column: expression}))
        assert status == 200, (column, expression, text)
        expected = [key for (key,) in sql_rows(url, f"SELECT id::text FROM everything WHERE {where} ORDER BY id")]
        if list(loads(text)["everything"]) != expected:
            failures.append((column, expression, list(loads(text)["everything"]), expected))
    assert not failures


def test_database_and_writer_settings_do_not_change_values_or_keys(empty_db, serve):
    """Time zone, DateStyle and IntervalStyle of the database or of a
    writer's session change neither the JSON nor the keys: timestamps are
    ISO 8601 in UTC everywhere, and the stream's keys are the GET's keys."""
    url = empty_db
    name = url.split("?")[0].rsplit("/", 1)[1]
    with harness.connect(url) as conn:
        conn.execute(f"ALTER DATABASE {ident(name)} SET TimeZone = 'America/New_York'")
        conn.execute(f"ALTER DATABASE {ident(name)} SET DateStyle = 'SQL, DMY'")
        conn.execute(f"ALTER DATABASE {ident(name)} SET IntervalStyle = 'sql_standard'")
    with harness.connect(url) as conn:
        conn.execute("CREATE TABLE happening (at timestamptz PRIMARY KEY, day date, span interval, local timestamp)")
        conn.execute("INSERT INTO happening VALUES ('2024-01-01 00:00:00+00', '2024-01-01', '1 day', '2024-01-01 00:00')")
    harness.rocket("attach", "happening", "--database-url", url)
    server = serve(url)
    stream = subscribe(server, "/happening")
    with harness.connect(url) as conn:  # a writer with the database's settings
        conn.execute("INSERT INTO happening VALUES ('2024-07-01 12:00:00+02', '2024-07-01', '1 day 02:00:00', '2024-07-01 12:00')")
    with harness.connect(url) as conn:  # and one with settings of its own
        conn.execute("SET TimeZone = 'Asia/Kolkata'")
        conn.execute("SET DateStyle = 'German'")
        conn.execute("SET IntervalStyle = 'iso_8601'")
        conn.execute("INSERT INTO happening VALUES ('2024-12-24 18:30:00+05:30', '2024-12-24', '-3 mons', '2024-12-24 18:30')")
        conn.execute("UPDATE happening SET span = span + interval '1 hour' WHERE day = '2024-01-01'")
    wait_patch_count(stream, 3)
    with harness.connect(url) as conn:
        conn.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'")
        rows = conn.execute("SELECT at::text, to_json(h)::text FROM happening h ORDER BY at").fetchall()
    expected = {"happening": {k: loads(r) for k, r in rows}}
    assert list(expected["happening"]) == ["2024-01-01 00:00:00+00", "2024-07-01 10:00:00+00", "2024-12-24 13:00:00+00"]
    got, _ = document(server, "/happening")
    assert got == expected
    assert got["happening"]["2024-07-01 10:00:00+00"]["at"] == "2024-07-01T10:00:00+00:00"
    assert got["happening"]["2024-07-01 10:00:00+00"]["span"] == "1 day 02:00:00"
    assert replay_exact(stream.events) == expected
    assert [op["path"] for patch in patches(stream) for op in patch] == [
        "/happening/2024-07-01 10:00:00+00", "/happening/2024-12-24 13:00:00+00", "/happening/2024-01-01 00:00:00+00"]
    for key, row in expected["happening"].items():
        assert document(server, "/happening/" + seg(key))[0] == row
    query = urllib.parse.urlencode({"at": "gt.2024-07-01T12:00:00+02:00"})
    filtered = subscribe(server, "/happening?" + query)
    assert loads(filtered.events[0].data) == document(server, "/happening?" + query)[0]
    assert list(loads(filtered.events[0].data)["happening"]) == ["2024-12-24 13:00:00+00"]
    with harness.connect(url) as conn:
        conn.execute("SET TimeZone = 'Pacific/Chatham'")
        conn.execute("INSERT INTO happening (at) VALUES ('2024-07-01 09:59:59+00')")
        conn.execute("INSERT INTO happening (at) VALUES ('2024-07-01 10:00:01+00')")
    assert [[op["path"] for op in patch] for patch in wait_patch_count(filtered, 1)] == [
        ["/happening/2024-07-01 10:00:01+00"]]
    assert replay_exact(filtered.events) == document(server, "/happening?" + query)[0]
    filtered.close()
    stream.close()


# --- Names --------------------------------------------------------------------

ODD_TABLE = 'Order "Items"/2024 ~ü'
ODD_COLUMNS = ["Key", "select", "Server Model", "a,b%c", "x/y~z", 'na"me', "ünï", "order"]
ODD_KEYS = ["", "-", "01", "1", "a/b", "/", "~", "~0", "~1", "a,b", ",", "100%", "%", "%2C", "%25", "a b", "+",
            "a+b", "ü", "日本", "?", "#", "&x=1", ".", "..", "a..b", '"quoted"', "'", "\\", "tab\tkey", "line\nkey",
            "~1~0/~", "%2F", "select"]
COMPOSITE_SCHEMA = "My Schema"
COMPOSITE_TABLE = "Mixed,%Case"
COMPOSITE_NAME = f"{COMPOSITE_SCHEMA}.{COMPOSITE_TABLE}"
COMPOSITE_ROWS = [("a,b", "1"), ("100%", "2"), ("x/y", "-3"), ("", "0"), ("%2C", "5"), (",", "1.50"), ("~", "10"),
                  ("a%,b,", "1e3"), ("ü,%", "-0.001")]


def ident(name):
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture
def named(empty_db, serve):
    url = empty_db
    with harness.connect(url) as conn:
        conn.execute(f'CREATE TABLE {ident(ODD_TABLE)} ("Key" text PRIMARY KEY, "select" integer, '
                     + ", ".join(f"{ident(c)} text" for c in ODD_COLUMNS[2:]) + ")")
        conn.execute(f"CREATE SCHEMA {ident(COMPOSITE_SCHEMA)}")
        conn.execute(f"CREATE TABLE {ident(COMPOSITE_SCHEMA)}.{ident(COMPOSITE_TABLE)} "
                     f'(tag text, n numeric, "Server Model" text, PRIMARY KEY (tag, n))')
        conn.execute('CREATE TABLE "user" (id integer PRIMARY KEY, "from" text)')
    # The CLI takes the SQL-quoted name; a DBA attaches from SQL.
    harness.rocket("attach", ident(ODD_TABLE), "--database-url", url)
    harness.rocket("attach", '"user"', "--database-url", url)
    with harness.connect(url) as conn:
        name = conn.execute("SELECT rocket.attach(%s::regclass)",
                            (f"{ident(COMPOSITE_SCHEMA)}.{ident(COMPOSITE_TABLE)}",)).fetchone()[0]
    assert name == COMPOSITE_NAME
    return url, serve(url)


def odd_values(key, i):
    return (key, i, f"model-{i % 3}", f"x{i}" if i % 2 else None, "v" if i % 4 == 0 else None, 'q"' + str(i), "ü" * (i % 3),
            f"o{i}")


def insert_odd(conn, rows):
    conn.execute(f"INSERT INTO {ident(ODD_TABLE)} VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows)),
                 [v for row in rows for v in row])


def test_odd_names_and_keys_round_trip(named):
    url, server = named
    name = ODD_TABLE
    stream = subscribe(server, "/" + seg(name))
    with harness.connect(url) as conn:
        insert_odd(conn, [odd_values(key, i) for i, key in enumerate(ODD_KEYS)])
    # One transaction, one event, one add per row with the RFC 6901 path.
    events = wait_patch_count(stream, 1)
    raw_paths = [op["path"] for op in json.loads(stream.patches()[0].data)]
    assert raw_paths == [pointer(name, key) for key in ODD_KEYS]
    # Each key is found by its percent-encoded URL.
    expected = {key: loads(row) for key, row in sql_rows(
        url, f'SELECT "Key", to_json(t)::text FROM {ident(ODD_TABLE)} t')}
    for key in ODD_KEYS:
        got, _ = document(server, f"/{seg(name)}/{seg(key)}")
        assert got == expected[key], repr(key)
    whole, _ = document(server, "/" + seg(name))
    assert list(whole) == [name]
    assert whole[name] == expected
    assert list(whole[name]) == [k for (k,) in sql_rows(url, f'SELECT "Key" FROM {ident(ODD_TABLE)} ORDER BY "Key"')]
    # Updates and deletes name the same paths; jsonpatch applies them.
    for i, key in enumerate(ODD_KEYS):
        execute(url, (f'UPDATE {ident(ODD_TABLE)} SET "select" = "select" + 100 WHERE "Key" = %s', (key,)))
    execute(url, (f'DELETE FROM {ident(ODD_TABLE)} WHERE "Key" = ANY(%s)', (ODD_KEYS[::3],)))
    events = wait_patch_count(stream, 2 + len(ODD_KEYS))
    assert [[op["path"] for op in patch] for patch in events[1:-1]] == [[pointer(name, key)] for key in ODD_KEYS]
    assert [op["path"] for op in events[-1]] == [pointer(name, key) for key in ODD_KEYS[::3]]
    assert replay_exact(stream.events) == document(server, "/" + seg(name))[0]
    stream.close()


def test_odd_keys_through_writes(named):
    url, server = named
    name = ODD_TABLE
    stream = subscribe(server, "/" + seg(name))
    count = 0
    for i, key in enumerate(ODD_KEYS):
        target = f"/{seg(name)}/{seg(key)}"
        status, headers, text = raw(server, "PUT", target, json.dumps({"select": i, "Server Model": "M", "x/y~z": key}))
        assert status == 201, (key, status, text)
        assert loads(text)["Key"] == key
        status, _, text = raw(server, "PATCH", target,
                              json.dumps([{"op": "replace", "path": "/Server Model", "value": "N"},
                                          {"op": "replace", "path": "/x~1y~0z", "value": "~/"},
                                          {"op": "add", "path": '/na"me', "value": key}]),
                              {"Content-Type": "application/json-patch+json"})
        assert status == 200, (key, status, text)
        assert loads(text) == {"Key": key, "select": i, "Server Model": "N", "a,b%c": None, "x/y~z": "~/",
                               'na"me': key, "ünï": None, "order": None}
        count += 2
    # POST answers with a Location that finds the row.
    status, headers, text = raw(server, "POST", "/" + seg(name), json.dumps({"Key": "new/~,%?#", "select": 1}))
    assert status == 201, text
    status, _, text = raw(server, "GET", headers["Location"])
    assert status == 200 and loads(text)["Key"] == "new/~,%?#", (headers["Location"], text)
    count += 1
    for key in ODD_KEYS[::2]:
        status, _, text = raw(server, "DELETE", f"/{seg(name)}/{seg(key)}")
        assert status == 204, (key, text)
        count += 1
    events = wait_patch_count(stream, count)
    assert len(events) == count
    assert events[0] == [{"op": "add", "path": pointer(name, ODD_KEYS[0]), "value": {
        "Key": "", "select": 0, "Server Model": "M", "a,b%c": None, "x/y~z": "", 'na"me': None, "ünï": None, "order": None}}]
    assert replay_exact(stream.events) == document(server, "/" + seg(name))[0]
    assert {k for (k,) in sql_rows(url, f'SELECT "Key" FROM {ident(ODD_TABLE)}')} == set(ODD_KEYS[1::2]) | {"new/~,%?#"}
    stream.close()


def test_quoted_and_odd_column_names_in_queries(named):
    url, server = named
    with harness.connect(url) as conn:
        insert_odd(conn, [odd_values(key, i) for i, key in enumerate(ODD_KEYS)])
    table = ident(ODD_TABLE)
    cases = [
        ({'"Server Model"': "eq.model-1"}, '"Server Model" = \'model-1\'', None),
        ({"Server Model": "eq.model-2"}, '"Server Model" = \'model-2\'', None),
        ({'"select"': "gt.20"}, '"select" > 20', None),
        ({'"order"': "in.(o1,o2,o30)"}, '"order" IN (\'o1\', \'o2\', \'o30\')', None),
        ({'"na\\"me"': 'eq.q"3'}, '"na""me" = \'q"3\'', None),
        ({'"a,b%c"': "like.x1*"}, '"a,b%c" LIKE \'x1%\'', None),
        ({'"x/y~z"': "is.null"}, '"x/y~z" IS NULL', None),
        ({"ünï": "eq.üü"}, '"ünï" = \'üü\'', None),
        ({'"ünï"': "neq."}, '"ünï" <> \'\'', None),
        ({"Key": 'in.("a,b",",","%2C","")'}, '"Key" IN (\'a,b\', \',\', \'%2C\', \'\')', None),
        ({"order": '"select".desc', "limit": "5"}, "TRUE", '"select" DESC'),
        ({"order": '"Server Model".desc,"na\\"me"'}, "TRUE", '"Server Model" DESC, "na""me"'),
    ]
    for params, where, order in cases:
        status, _, text = raw(server, "GET", "/" + seg(ODD_TABLE) + "?" + urllib.parse.urlencode(params))
        assert status == 200, (params, text)
        sql = (f'SELECT "Key", to_json(t)::text FROM {table} t WHERE {where} '
               f'ORDER BY {order + ", " if order else ""}t."Key"' + (" LIMIT 5" if "limit" in params else ""))
        assert list(loads(text)[ODD_TABLE].items()) == [(k, loads(r)) for k, r in sql_rows(url, sql)], params
    # select with quoted names: the key column always comes along.
    status, _, text = raw(server, "GET", "/" + seg(ODD_TABLE) + "?" + urllib.parse.urlencode(
        {"select": '"select","x/y~z","na\\"me"', '"Key"': "eq.a,b"}))
    assert status == 200, text
    assert loads(text) == {ODD_TABLE: {"a,b": {"Key": "a,b", "select": ODD_KEYS.index("a,b"), "x/y~z": None,
                                               'na"me': 'q"' + str(ODD_KEYS.index("a,b"))}}}
    # An unknown quoted name is still an unknown column.
    status, _, text = raw(server, "GET", "/" + seg(ODD_TABLE) + "?" + urllib.parse.urlencode({'"Select"': "eq.1"}))
    assert status == 400 and json.loads(text)["code"] == "unknown_column", text


def test_stream_with_odd_names_filters_and_field_patches(named):
    url, server = named
    with harness.connect(url) as conn:
        insert_odd(conn, [odd_values(key, i) for i, key in enumerate(ODD_KEYS)])
    query = urllib.parse.urlencode({'"Server Model"': "eq.model-1", "patch": "field"})
    stream = subscribe(server, f"/{seg(ODD_TABLE)}?{query}")
    key = ODD_KEYS[4]  # "a/b", model-1
    assert odd_values(key, 4)[2] == "model-1"
    execute(url, (f'UPDATE {ident(ODD_TABLE)} SET "x/y~z" = %s, "na""me" = NULL WHERE "Key" = %s', ("~1", key)))
    events = wait_patch_count(stream, 1)
    assert events[0] == [{"op": "replace", "path": pointer(ODD_TABLE, key, "x/y~z"), "value": "~1"},
                         {"op": "replace", "path": pointer(ODD_TABLE, key, 'na"me'), "value": None}]
    execute(url, (f'UPDATE {ident(ODD_TABLE)} SET "Server Model" = %s WHERE "Key" = %s', ("model-9", key)))
    execute(url, (f'UPDATE {ident(ODD_TABLE)} SET "Server Model" = %s WHERE "Key" = %s', ("model-1", "~")))
    events = wait_patch_count(stream, 3)
    assert events[1] == [{"op": "remove", "path": pointer(ODD_TABLE, key)}]
    assert [op["op"] for op in events[2]] == ["add"] and events[2][0]["path"] == pointer(ODD_TABLE, "~")
    expected = document(server, f"/{seg(ODD_TABLE)}?{urllib.parse.urlencode({'Server Model': 'eq.model-1'})}")[0]
    assert replay_exact(stream.events) == expected
    stream.close()


def composite_key(tag, n_text):
    return ",".join(p.replace("%", "%25").replace(",", "%2C") for p in (tag, n_text))


def test_composite_keys_over_text_and_numbers(named):
    url, server = named
    table = f"{ident(COMPOSITE_SCHEMA)}.{ident(COMPOSITE_TABLE)}"
    stream = subscribe(server, "/" + seg(COMPOSITE_NAME))
    with harness.connect(url) as conn:
        for tag, n in COMPOSITE_ROWS:
            conn.execute(f"INSERT INTO {table.replace('%', '%%')} VALUES (%s, %s::numeric, 'm')", (tag, n))
    rows = sql_rows(url, f"SELECT tag, n::text, to_json(t)::text FROM {table} t")
    keys = {composite_key(tag, n): loads(row) for tag, n, row in rows}
    printed = {tag: n for tag, n, _ in rows}
    assert len(printed) == len(COMPOSITE_ROWS)
    events = wait_patch_count(stream, len(COMPOSITE_ROWS))
    assert [[op["path"] for op in patch] for patch in events] == [
        [pointer(COMPOSITE_NAME, composite_key(tag, printed[tag]))] for tag, _ in COMPOSITE_ROWS]
    whole, _ = document(server, "/" + seg(COMPOSITE_NAME))
    assert whole == {COMPOSITE_NAME: keys}
    for key, row in keys.items():
        assert document(server, f"/{seg(COMPOSITE_NAME)}/{seg(key)}")[0] == row, key
    # The number part is compared as a number: 1.5 names the row printed 1.50.
    assert document(server, f"/{seg(COMPOSITE_NAME)}/{seg(composite_key(',', '1.5'))}")[0] == keys[composite_key(",", "1.50")]
    # Writes by composite key; moving the key by PATCH.
    key = composite_key("a,b", "1")
    status, headers, text = raw(server, "PATCH", f"/{seg(COMPOSITE_NAME)}/{seg(key)}",
                                json.dumps([{"op": "replace", "path": "/tag", "value": "c%d,"}]),
                                {"Content-Type": "application/json-patch+json"})
    assert status == 200, text
    moved = composite_key("c%d,", "1")
    assert raw(server, "GET", headers["Location"])[0] == 200, headers
    status, _, text = raw(server, "PUT", f"/{seg(COMPOSITE_NAME)}/{seg(composite_key('p,q', '7.25'))}",
                          json.dumps({"Server Model": "put"}))
    assert status == 201, text
    assert loads(text) == {"tag": "p,q", "n": decimal.Decimal("7.25"), "Server Model": "put"}
    status, _, text = raw(server, "DELETE", f"/{seg(COMPOSITE_NAME)}/{seg(composite_key('100%', '2'))}")
    assert status == 204, text
    events = wait_patch_count(stream, len(COMPOSITE_ROWS) + 3)
    assert events[len(COMPOSITE_ROWS)] == [{"op": "remove", "path": pointer(COMPOSITE_NAME, key)},
                                           {"op": "add", "path": pointer(COMPOSITE_NAME, moved),
                                            "value": {"tag": "c%d,", "n": 1, "Server Model": "m"}}]
    assert events[-1] == [{"op": "remove", "path": pointer(COMPOSITE_NAME, composite_key("100%", "2"))}]
    assert replay_exact(stream.events) == document(server, "/" + seg(COMPOSITE_NAME))[0]
    stream.close()


def test_reserved_word_table_and_attach_while_serving(named):
    url, server = named
    execute(url, "INSERT INTO \"user\" VALUES (1, 'from')")
    assert document(server, "/user")[0] == {"user": {"1": {"id": 1, "from": "from"}}}
    assert document(server, "/user?" + urllib.parse.urlencode({"from": "eq.from"}))[0] == {"user": {"1": {"id": 1, "from": "from"}}}
    # Attached from SQL while the server runs: found at once.
    execute(url, 'CREATE TABLE "Late Table" (id integer PRIMARY KEY)', "INSERT INTO \"Late Table\" VALUES (7)")
    execute(url, "SELECT rocket.attach('\"Late Table\"'::regclass)")
    assert document(server, "/Late%20Table")[0] == {"Late Table": {"7": {"id": 7}}}
    stream = subscribe(server, "/Late%20Table")
    execute(url, "INSERT INTO \"Late Table\" VALUES (8)")
    assert wait_patch_count(stream, 1) == [[{"op": "add", "path": "/Late Table/8", "value": {"id": 8}}]]
    stream.close()


@pytest.mark.parametrize("column", ["t", "s"])
def test_a_column_named_like_an_sql_alias(empty_db, serve, column):
    """Column names are the user's: one called t or s (or any alias an
    implementation might use in its SQL) is an ordinary column."""
    url = empty_db
    with harness.connect(url) as conn:
        conn.execute(f'CREATE TABLE aliases (id integer PRIMARY KEY, {ident(column)} text, other text, "excluded" text)')
        conn.execute("INSERT INTO aliases VALUES (1, 'one', 'o1', 'ex'), (2, NULL, 'o2', NULL)")
    harness.rocket("attach", "aliases", "--database-url", url)
    server = serve(url)
    stream = subscribe(server, "/aliases")
    oracle = lambda: {k: loads(r) for k, r in sql_rows(url, "SELECT id::text, to_json(a)::text FROM aliases a")}
    assert document(server, "/aliases")[0] == {"aliases": oracle()}
    assert document(server, "/aliases/1")[0] == oracle()["1"]
    assert document(server, f"/aliases?select={column},other")[0] == {"aliases": {
        "1": {"id": 1, column: "one", "other": "o1"}, "2": {"id": 2, column: None, "other": "o2"}}}
    assert document(server, "/aliases?select=other")[0] == {"aliases": {
        "1": {"id": 1, "other": "o1"}, "2": {"id": 2, "other": "o2"}}}
    assert document(server, f"/aliases?{column}=eq.one")[0] == {"aliases": {"1": oracle()["1"]}}
    status, _, text = raw(server, "POST", "/aliases", json.dumps({"id": 3, column: "new", "other": "o3"}))
    assert status == 201 and loads(text) == oracle()["3"], text
    status, _, text = raw(server, "PUT", "/aliases/4", json.dumps({column: "put"}))
    assert status == 201 and loads(text) == oracle()["4"], text
    status, _, text = raw(server, "PATCH", "/aliases/1", json.dumps({column: "patched"}),
                          {"Content-Type": "application/merge-patch+json"})
    assert status == 200 and loads(text) == oracle()["1"], text
    assert oracle()["1"][column] == "patched"
    events = wait_patch_count(stream, 3)
    assert events[0] == [{"op": "add", "path": "/aliases/3", "value": oracle()["3"]}]
    assert replay_exact(stream.events) == document(server, "/aliases")[0] == {"aliases": oracle()}
    stream.close()


# --- Partitioned tables ---------------------------------------------------------

PARTITIONS = """
CREATE TABLE measurement (region text, id integer, v integer, note text, PRIMARY KEY (region, id)) PARTITION BY LIST (region);
CREATE TABLE measurement_eu PARTITION OF measurement FOR VALUES IN ('eu');
CREATE TABLE measurement_us PARTITION OF measurement FOR VALUES IN ('us');
CREATE TABLE reading (id integer, day date, v numeric, PRIMARY KEY (id, day)) PARTITION BY RANGE (day);
CREATE TABLE reading_2024 PARTITION OF reading FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE reading_2025 PARTITION OF reading FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
"""


@pytest.fixture
def partitioned(empty_db, serve):
    with harness.connect(empty_db) as conn:
        conn.execute(PARTITIONS)
    harness.rocket("attach", "measurement", "reading", "--database-url", empty_db)
    return empty_db, serve(empty_db)


def test_partitioned_tables_stream_under_the_parents_name(partitioned):
    url, server = partitioned
    m = subscribe(server, "/measurement")
    r = subscribe(server, "/reading")
    transactions = [
        ["INSERT INTO measurement_eu VALUES ('eu', 1, 10, 'direct')"],
        ["INSERT INTO measurement VALUES ('us', 1, 20, 'via parent'), ('eu', 2, 30, NULL)"],
        ["UPDATE measurement SET v = v + 1 WHERE region = 'eu' AND id = 2"],
        ["UPDATE measurement SET region = 'us', id = 3 WHERE region = 'eu' AND id = 1"],   # moves partition
        ["CREATE TABLE measurement_asia PARTITION OF measurement FOR VALUES IN ('asia')",
         "INSERT INTO measurement VALUES ('asia', 1, 40, 'new partition')"],
        ["UPDATE measurement SET region = 'asia', id = 2 WHERE region = 'us' AND id = 1"],
        ["DELETE FROM measurement_us WHERE id = 3"],
    ]
    for statements in transactions:
        execute(url, *statements)
    events = wait_patch_count(m, len(transactions))
    assert len(events) == len(transactions)
    assert events[0] == [{"op": "add", "path": "/measurement/eu,1",
                          "value": {"region": "eu", "id": 1, "v": 10, "note": "direct"}}]
    assert events[3] == [{"op": "remove", "path": "/measurement/eu,1"},
                         {"op": "add", "path": "/measurement/us,3",
                          "value": {"region": "us", "id": 3, "v": 10, "note": "direct"}}]
    assert events[4] == [{"op": "add", "path": "/measurement/asia,1",
                          "value": {"region": "asia", "id": 1, "v": 40, "note": "new partition"}}]
    assert [op["op"] for op in events[5]] == ["remove", "add"]
    assert replay_exact(m.events) == document(server, "/measurement")[0] == {"measurement": {
        k: loads(row) for k, row in sql_rows(url, "SELECT region || ',' || id, to_json(t)::text FROM measurement t")}}
    # RANGE partitions: moving a row to another year is one event.
    execute(url, "INSERT INTO reading VALUES (1, '2024-06-01', 1.5), (2, '2025-06-01', 2.5)")
    execute(url, "UPDATE reading SET day = '2025-02-02' WHERE id = 1")
    execute(url, "UPDATE reading SET day = day + 1, v = v * 2")
    events = wait_patch_count(r, 3)
    assert len(events) == 3
    assert events[1] == [{"op": "remove", "path": "/reading/1,2024-06-01"},
                         {"op": "add", "path": "/reading/1,2025-02-02",
                          "value": {"id": 1, "day": "2025-02-02", "v": decimal.Decimal("1.5")}}]
    assert len(events[2]) == 4
    assert replay_exact(r.events) == document(server, "/reading")[0]
    # Partitions themselves are not resources, and cannot be attached.
    assert raw(server, "GET", "/measurement_eu")[0] == 404
    assert harness.rocket("attach", "measurement_eu", "--database-url", url, check=False).returncode != 0
    m.close()
    r.close()


def test_truncating_one_partition_keeps_the_parent_document_right(partitioned):
    url, server = partitioned
    execute(url, "INSERT INTO measurement VALUES ('eu', 1, 1, NULL), ('us', 2, 2, NULL)")
    stream = subscribe(server, "/measurement")
    execute(url, "TRUNCATE measurement_eu")
    execute(url, "INSERT INTO measurement VALUES ('us', 3, 3, 'fence')")
    stream.wait(lambda events: any("us,3" in e.data for e in events if e.event == "patch"))
    expected = document(server, "/measurement")[0]
    assert expected == {"measurement": {k: loads(row) for k, row in sql_rows(
        url, "SELECT region || ',' || id, to_json(t)::text FROM measurement t")}}
    assert replay_exact(stream.events) == expected
    stream.close()


# --- Long names -------------------------------------------------------------------

LONG_NAMES = [
    "long_table_name_for_rocket_trigger_collision_checks_abcdefgh_1",
    "long_table_name_for_rocket_trigger_collision_checks_abcdefgh_2",
    "ü" * 30 + "_1",
    "ü" * 30 + "_2",
    "x" * 63,
]


def test_long_similar_names_each_stream_their_own_changes(empty_db, serve):
    url = empty_db
    for name in LONG_NAMES:
        assert 60 <= len(name.encode()) <= 63
    long_column = "c" * 62 + "1"
    with harness.connect(url) as conn:
        for name in LONG_NAMES:
            conn.execute(f"CREATE TABLE {ident(name)} (id integer PRIMARY KEY, {ident(long_column)} text, "
                         f"{ident(long_column[:-1] + '2')} text)")
    for name in LONG_NAMES:
        harness.rocket("attach", ident(name), "--database-url", url)
    server = serve(url)
    streams = {name: subscribe(server, "/" + seg(name)) for name in LONG_NAMES}
    for i, name in enumerate(LONG_NAMES):
        execute(url, (f"INSERT INTO {ident(name)} VALUES (%s, %s, NULL)", (i, name)))
    for i, name in enumerate(LONG_NAMES):
        execute(url, (f"UPDATE {ident(name)} SET {ident(long_column)} = 'u' WHERE id = %s", (i,)))
    for i, name in enumerate(LONG_NAMES):
        events = wait_patch_count(streams[name], 2)
        assert len(events) == 2, name
        assert events[0] == [{"op": "add", "path": pointer(name, str(i)),
                              "value": {"id": i, long_column: name, long_column[:-1] + "2": None}}], name
        assert events[1][0]["path"] == pointer(name, str(i))
        assert replay_exact(streams[name].events) == document(server, "/" + seg(name))[0]
        assert document(server, "/" + seg(name))[0] == {name: {str(i): {"id": i, long_column: "u", long_column[:-1] + "2": None}}}
    functions = sql_rows(url, "SELECT capture_function FROM rocket.resources")
    assert len({f for (f,) in functions}) == len(functions) == len(LONG_NAMES)
    for stream in streams.values():
        stream.close()
