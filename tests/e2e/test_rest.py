"""The REST layer, black-box: every filter operator, select, order, limit and
offset on GET against Chinook (PostgreSQL itself is the oracle: the same query
is run in SQL and compared), every bad input with its status and error code,
and every kind of write, each seen by a live subscriber and carrying a
Rocket-Cursor; failed writes change nothing."""
import decimal
import http.client
import json

import pytest
import requests

import harness
from harness import Stream, replay


# --- Helpers ----------------------------------------------------------------

def loads(text):
    """JSON with exact numbers on both sides of every comparison."""
    return json.loads(text, parse_float=decimal.Decimal, parse_int=int)


def oracle(url, sql, params=()):
    """[(key, row)] from PostgreSQL; the SQL selects key text and row JSON text."""
    with harness.connect(url) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        rows = conn.execute(sql, params).fetchall()
    return [(key, loads(row)) for key, row in rows]


def sql_value(url, sql, params=()):
    with harness.connect(url) as conn:
        return conn.execute(sql, params).fetchone()


def sql_row(url, table, where, params=()):
    """One row as PostgreSQL's to_json renders it, or None."""
    found = sql_value(url, f"SELECT to_json(t)::text FROM {table} t WHERE {where}", params)
    return loads(found[0]) if found else None


def execute(url, sql, params=()):
    with harness.connect(url) as conn:
        return conn.execute(sql, params).rowcount


def assert_error(response, status, code):
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"], body
    assert "details" in body, body
    return body


def subscribe(server, path, **kw):
    stream = Stream(server.base + path, method="SUBSCRIBE", **kw)
    assert stream.status == 200, stream.body
    return stream


def wait_reset(stream):
    events = stream.wait(lambda e: len(e) >= 1)
    assert events[0].event == "reset", events[0].event
    return loads(events[0].data)


def wait_patches(stream, count, timeout=20):
    stream.wait(lambda events: len([e for e in events if e.event == "patch"]) >= count, timeout)
    return [loads(e.data) for e in stream.patches()]


def fence(url, stream, sql, path_part, params=()):
    """Commits a change the stream must report, and waits for it: every
    event of an earlier transaction has arrived by then (one ordered feed)."""
    execute(url, sql, params)
    stream.wait(lambda events: any(e.event == "patch" and path_part in e.data for e in events))
    return [loads(e.data) for e in stream.patches()]


def write(server, method, path, body=None, content_type="application/json", raw=None, headers=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body))
    hdrs = dict(headers or {})
    if content_type is not None and data is not None:
        hdrs["Content-Type"] = content_type
    return requests.request(method, server.base + path, data=data, headers=hdrs, timeout=30)


def assert_cursor(response):
    cursor = response.headers.get("Rocket-Cursor")
    assert cursor and "\n" not in cursor and "\r" not in cursor, response.headers
    return cursor


# --- A shared read-only Chinook for the GET cases ----------------------------

@pytest.fixture(scope="module")
def ro(chinook_template):
    url = harness.create_database(template=chinook_template)
    with harness.connect(url) as conn:
        conn.execute("CREATE TABLE gadget (id uuid PRIMARY KEY, n integer)")
        conn.execute("INSERT INTO gadget VALUES ('5f0c1b8e-3a3a-4c1d-9d7e-0a0b0c0d0e0f', 1)")
    harness.rocket("attach", "gadget", "--database-url", url)
    server = harness.Server(url)
    yield server, url
    server.stop()


def table_sql(table, key, where="TRUE", order=None, columns=None):
    row = "to_json(t)::text"
    if columns:
        row = "json_build_object(" + ", ".join(f"'{c}', t.{c}" for c in columns) + ")::text"
    return (f"SELECT {key}::text, {row} FROM {table} t WHERE {where} "
            f"ORDER BY {order + ', ' if order else ''}t.{key}")


FILTERS = [
    # (resource, query parameters, SQL condition, SQL parameters)
    ("track", [("genre_id", "eq.1")], "genre_id = %s", (1,)),
    ("track", [("genre_id", "neq.1")], "genre_id <> %s", (1,)),
    ("track", [("milliseconds", "gt.500000")], "milliseconds > %s", (500000,)),
    ("track", [("milliseconds", "gte.343719")], "milliseconds >= %s", (343719,)),
    ("track", [("bytes", "lt.1000000")], "bytes < %s", (1000000,)),
    ("track", [("milliseconds", "lte.100000")], "milliseconds <= %s", (100000,)),
    ("track", [("unit_price", "gt.0.99")], "unit_price > %s", (decimal.Decimal("0.99"),)),
    ("track", [("unit_price", "eq.1.990")], "unit_price = %s", (decimal.Decimal("1.99"),)),
    ("track", [("name", "like.*Love*")], "name LIKE %s", ("%Love%",)),
    ("track", [("name", "like.B_d*")], "name LIKE %s", ("B_d%",)),
    ("track", [("name", "ilike.*LOVE*")], "name ILIKE %s", ("%love%",)),
    ("track", [("name", "not.ilike.*e*")], "NOT (name ILIKE %s)", ("%e%",)),
    ("track", [("name", "not.like.*a*")], "NOT (name LIKE %s)", ("%a%",)),
    ("track", [("composer", "is.null")], "composer IS NULL", ()),
    ("track", [("composer", "not.is.null")], "composer IS NOT NULL", ()),
    ("track", [("genre_id", "in.(1,3,5)")], "genre_id IN (1, 3, 5)", ()),
    ("track", [("genre_id", "not.in.(1,2,3)")], "genre_id NOT IN (1, 2, 3)", ()),
    ("track", [("composer", 'in.("Angus Young, Malcolm Young, Brian Johnson","AC/DC",Queen)')],
     "composer IN (%s, %s, %s)", ("Angus Young, Malcolm Young, Brian Johnson", "AC/DC", "Queen")),
    ("track", [("composer", 'not.in.("Angus Young, Malcolm Young, Brian Johnson",AC/DC)')],
     "composer NOT IN (%s, %s)", ("Angus Young, Malcolm Young, Brian Johnson", "AC/DC")),
    ("track", [("composer", 'in.("F. Baltes, S. Kaufman, U. Dirkscneider & W. Hoffman")')],
     "composer IN (%s)", ("F. Baltes, S. Kaufman, U. Dirkscneider & W. Hoffman",)),
    ("track", [("composer", "neq.AC/DC")], "composer <> %s", ("AC/DC",)),
    ("track", [("composer", "not.eq.AC/DC")], "NOT (composer = %s)", ("AC/DC",)),
    ("track", [("genre_id", "eq.1"), ("milliseconds", "gt.300000")], "genre_id = 1 AND milliseconds > 300000", ()),
    ("track", [("genre_id", "eq.1"), ("genre_id", "eq.2")], "FALSE", ()),
    ("track", [("name", "eq.'; DROP TABLE track; --")], "name = %s", ("'; DROP TABLE track; --",)),
    ("track", [("name", "eq.Snowballed")], "name = %s", ("Snowballed",)),
    ("invoice", [("total", "gt.10")], "total > %s", (10,)),
    ("invoice", [("total", "lte.1.98")], "total <= %s", (decimal.Decimal("1.98"),)),
    ("invoice", [("invoice_date", "gte.2025-01-01")], "invoice_date >= %s::timestamp", ("2025-01-01",)),
    ("invoice", [("invoice_date", "lt.2021-03-01T12:00:00")], "invoice_date < %s::timestamp", ("2021-03-01T12:00:00",)),
    ("invoice", [("invoice_date", "eq.2021-01-01 00:00:00")], "invoice_date = %s::timestamp", ("2021-01-01",)),
    ("invoice", [("billing_state", "is.null")], "billing_state IS NULL", ()),
    ("invoice", [("billing_country", 'in.(Germany,"United Kingdom")')], "billing_country IN ('Germany', 'United Kingdom')", ()),
    ("customer", [("company", "not.is.null")], "company IS NOT NULL", ()),
    ("customer", [("country", 'in.(Brazil,USA,"Czech Republic")')], "country IN ('Brazil', 'USA', 'Czech Republic')", ()),
    ("customer", [("email", "ilike.*@GMAIL.COM")], "email ILIKE %s", ("%@gmail.com",)),
    ("customer", [("first_name", "like.*ç*")], "first_name LIKE %s", ("%ç%",)),
    ("customer", [("first_name", "ilike.*Ø*")], "first_name ILIKE %s", ("%ø%",)),
    ("customer", [("support_rep_id", "eq.3"), ("fax", "is.null")], "support_rep_id = 3 AND fax IS NULL", ()),
    ("customer", [("state", "not.in.(SP,CA)")], "state NOT IN ('SP', 'CA')", ()),
    ("customer", [("last_name", "gte.M"), ("last_name", "lt.S")], "last_name >= 'M' AND last_name < 'S'", ()),
]

KEYS = {"track": "track_id", "invoice": "invoice_id", "customer": "customer_id"}


@pytest.mark.parametrize("resource,query,where,params", FILTERS,
                         ids=[f"{r}?{'&'.join(k + '=' + v for k, v in q)}" for r, q, _, _ in FILTERS])
def test_get_filter_matches_sql(ro, resource, query, where, params):
    server, url = ro
    response = server.get("/" + resource, params=query)
    assert response.status_code == 200, response.text
    assert_cursor(response)
    document = loads(response.text)
    assert list(document) == [resource]
    expected = oracle(url, table_sql(resource, KEYS[resource], where), params)
    assert list(document[resource].items()) == expected


SHAPES = [
    # (resource, query parameters, SQL condition, ORDER BY prefix, columns (None: all), LIMIT, OFFSET)
    ("track", [("select", "name,genre_id"), ("genre_id", "eq.5")], "genre_id = 5", None,
     ["track_id", "name", "genre_id"], None, None),
    ("track", [("select", "track_id,name"), ("limit", "5")], "TRUE", None, ["track_id", "name"], 5, None),
    ("track", [("select", "composer"), ("select", "bytes"), ("limit", "4")], "TRUE", None,
     ["track_id", "composer", "bytes"], 4, None),
    ("track", [("select", '"name"'), ("order", "name.desc"), ("limit", "6")], "TRUE", "name DESC", ["track_id", "name"], 6, None),
    ("track", [("order", "milliseconds.desc"), ("limit", "10")], "TRUE", "milliseconds DESC", None, 10, None),
    ("track", [("order", "composer.nullsfirst"), ("limit", "30")], "TRUE", "composer ASC NULLS FIRST", None, 30, None),
    ("track", [("order", "composer.desc.nullslast"), ("limit", "30")], "TRUE", "composer DESC NULLS LAST", None, 30, None),
    ("track", [("order", "composer.desc"), ("limit", "30")], "TRUE", "composer DESC", None, 30, None),
    ("track", [("order", "composer.asc"), ("offset", "2500")], "TRUE", "composer ASC", None, None, 2500),
    ("track", [("order", "genre_id,milliseconds.desc"), ("limit", "50"), ("offset", "10")], "TRUE",
     "genre_id, milliseconds DESC", None, 50, 10),
    ("track", [("order", "genre_id.desc"), ("order", "name"), ("limit", "20")], "TRUE", "genre_id DESC, name", None, 20, None),
    ("customer", [("order", '"country".desc,city.asc'), ("select", "country,city")], "TRUE", "country DESC, city ASC",
     ["customer_id", "country", "city"], None, None),
    ("customer", [("order", "state.nullsfirst,last_name"), ("select", "state,last_name")], "TRUE",
     "state NULLS FIRST, last_name", ["customer_id", "state", "last_name"], None, None),
    ("invoice", [("order", "total.desc,invoice_date"), ("limit", "7"), ("total", "gt.5")], "total > 5",
     "total DESC, invoice_date", None, 7, None),
    ("invoice", [("order", "invoice_date.desc"), ("limit", "3"), ("offset", "3")], "TRUE", "invoice_date DESC", None, 3, 3),
    ("track", [("limit", "0")], "TRUE", None, None, 0, None),
    ("track", [("offset", "3500")], "TRUE", None, None, None, 3500),
    ("track", [("limit", "3"), ("offset", "100000")], "TRUE", None, None, 3, 100000),
]


@pytest.mark.parametrize("resource,query,where,order,columns,limit,offset", SHAPES,
                         ids=[f"{s[0]}?{'&'.join(k + '=' + v for k, v in s[1])}" for s in SHAPES])
def test_get_select_order_limit_offset_match_sql(ro, resource, query, where, order, columns, limit, offset):
    server, url = ro
    response = server.get("/" + resource, params=query)
    assert response.status_code == 200, response.text
    document = loads(response.text)
    sql = table_sql(resource, KEYS[resource], where, order, columns)
    if limit is not None:
        sql += f" LIMIT {limit}"
    if offset is not None:
        sql += f" OFFSET {offset}"
    expected = oracle(url, sql)
    assert list(document[resource].items()) == expected
    if columns:
        for row in document[resource].values():
            assert sorted(row) == sorted(columns)  # the key is always there, no column twice


def test_select_on_composite_key_keeps_every_key_column(ro):
    server, url = ro
    document = loads(server.get("/playlist_track", params={"select": "track_id", "limit": "3"}).text)
    expected = oracle(url, "SELECT playlist_id::text || ',' || track_id::text, json_build_object('playlist_id', playlist_id, "
                           "'track_id', track_id)::text FROM playlist_track t ORDER BY playlist_id, track_id LIMIT 3")
    assert list(document["playlist_track"].items()) == expected


def test_record_get_matches_sql(ro):
    server, url = ro
    for path, table, where in [("/track/1", "track", "track_id = 1"), ("/invoice/98", "invoice", "invoice_id = 98"),
                               ("/playlist_track/1,3402", "playlist_track", "playlist_id = 1 AND track_id = 3402"),
                               ("/gadget/5F0C1B8E-3A3A-4C1D-9D7E-0A0B0C0D0E0F", "gadget", "n = 1")]:
        response = server.get(path)
        assert response.status_code == 200, (path, response.text)
        assert_cursor(response)
        assert loads(response.text) == sql_row(url, table, where), path


BAD = [
    # (path, query parameters, status, code)
    ("/track", [("nope", "eq.1")], 400, "unknown_column"),
    ("/track", [('"Genre_Id"', "eq.1")], 400, "unknown_column"),
    ("/track", [("select", "name,nope")], 400, "unknown_column"),
    ("/track", [("order", "nope.desc")], 400, "unknown_column"),
    ("/track", [("order", '"Name"')], 400, "unknown_column"),
    ("/track", [("genre_id", "equals.1")], 400, "unknown_operator"),
    ("/track", [("genre_id", "not.foo.1")], 400, "unknown_operator"),
    ("/track", [("genre_id", "eq.abc")], 400, "invalid_value"),
    ("/track", [("genre_id", "eq.99999999999")], 400, "invalid_value"),
    ("/track", [("genre_id", "gt.1.5")], 400, "invalid_value"),
    ("/track", [("genre_id", "in.(1,x)")], 400, "invalid_value"),
    ("/track", [("unit_price", "gt.cheap")], 400, "invalid_value"),
    ("/invoice", [("invoice_date", "gt.2021-13-45")], 400, "invalid_value"),
    ("/invoice", [("invoice_date", "eq.not a date")], 400, "invalid_value"),
    ("/gadget", [("id", "eq.not-a-uuid")], 400, "invalid_value"),
    ("/gadget", [("id", "in.(5f0c1b8e-3a3a-4c1d-9d7e-0a0b0c0d0e0f,nope)")], 400, "invalid_value"),
    ("/track", [("composer", 'in.("AC/DC)')], 400, "invalid_parameter"),
    ("/track", [("composer", 'in.(AC"DC)')], 400, "invalid_parameter"),
    ("/track", [('"composer', "eq.x")], 400, "invalid_parameter"),
    ("/track", [("select", '"name')], 400, "invalid_parameter"),
    ("/track", [("order", '"name.desc')], 400, "invalid_parameter"),
    ("/track", [("select", "")], 400, "invalid_parameter"),
    ("/track", [("limit", "-1")], 400, "invalid_parameter"),
    ("/track", [("limit", "ten")], 400, "invalid_parameter"),
    ("/track", [("limit", "")], 400, "invalid_parameter"),
    ("/track", [("offset", "1.5")], 400, "invalid_parameter"),
    ("/track", [("genre_id", "eq")], 400, "invalid_parameter"),
    ("/track", [("genre_id", "in.1,2")], 400, "invalid_parameter"),
    ("/track", [("order", "name.sideways")], 400, "invalid_parameter"),
    ("/track", [("composer", "is.maybe")], 400, "invalid_parameter"),
    ("/track", [("genre_id", "like.1*")], 400, "invalid_filter"),
    ("/track", [("milliseconds", "ilike.*1*")], 400, "invalid_filter"),
    ("/invoice", [("total", "like.1*")], 400, "invalid_filter"),
    ("/track", [("composer", "is.true")], 400, "invalid_filter"),
    ("/nope", [], 404, "unknown_resource"),
    ("/Track", [], 404, "unknown_resource"),
    ("/track/999999", [], 404, "not_found"),
    ("/playlist_track/1", [], 404, "not_found"),
    ("/playlist_track/1,2,3", [], 404, "not_found"),
]


@pytest.mark.parametrize("path,query,status,code", BAD,
                         ids=[f"{p}?{'&'.join(k + '=' + v for k, v in q)}" for p, q, _, _ in BAD])
def test_bad_input_is_a_json_error(ro, path, query, status, code):
    server, _ = ro
    assert_error(server.get(path, params=query), status, code)


def test_bad_percent_encoding_in_query_is_400(ro):
    server, _ = ro
    for target in ["/track?genre_id=eq.%ZZ", "/track?genre_id=eq.%FF", "/track?genre_id=eq.%2", "/track?%C3=eq.1"]:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", target)  # sent as is: requests would re-quote it
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
        assert response.status == 400, (target, response.status, text)
        assert json.loads(text)["code"] == "invalid_parameter", (target, text)


def test_bad_stream_input_is_the_same_json_error(ro):
    server, _ = ro
    for query, code in [("nope=eq.1", "unknown_column"), ("genre_id=eq.abc", "invalid_value"),
                        ("genre_id=zz.1", "unknown_operator"), ("select=nope", "unknown_column")]:
        stream = Stream(server.base + "/track?" + query, method="SUBSCRIBE")
        assert stream.status == 400, (query, stream.status)
        assert json.loads(stream.body)["code"] == code, (query, stream.body)


def test_the_database_is_unchanged_by_hostile_filters(ro):
    server, url = ro
    server.get("/track", params={"name": "eq.x'); DELETE FROM track; --"})
    server.get("/track", params={'"name"; DELETE FROM track; --': "eq.1"})
    server.get("/track", params={"order": 'name; DELETE FROM track'})
    assert sql_value(url, "SELECT count(*) FROM track")[0] == 3503


# --- Writes, each watched by a live subscriber --------------------------------

def test_post_object_is_streamed_with_a_cursor_that_resumes_after_it(chinook, serve):
    server = serve(chinook)
    stream = subscribe(server, "/genre")
    wait_reset(stream)
    before = server.document("/genre")[1]
    response = write(server, "POST", "/genre", {"genre_id": 100, "name": "Polka ✓ \"quoted\""})
    assert response.status_code == 201, response.text
    cursor = assert_cursor(response)
    row = sql_row(chinook, "genre", "genre_id = 100")
    assert row == {"genre_id": 100, "name": "Polka ✓ \"quoted\""}
    assert loads(response.text) == row
    assert response.headers["Location"] == "/genre/100"
    assert server.get(response.headers["Location"]).json() == row
    assert wait_patches(stream, 1) == [[{"op": "add", "path": "/genre/100", "value": row}]]
    # Resuming from the write's cursor gives what follows it, not the write.
    after = Stream(server.base + "/genre", method="SUBSCRIBE", headers={"Last-Event-ID": cursor})
    assert after.status == 200
    # Resuming from a cursor taken before it gives the write.
    earlier = Stream(server.base + "/genre?since=" + requests.utils.quote(before, safe=""), method="SUBSCRIBE")
    assert earlier.status == 200
    execute(chinook, "INSERT INTO genre VALUES (101, 'next')")
    assert [p[0]["path"] for p in wait_patches(after, 1)] == ["/genre/101"]
    assert [p[0]["path"] for p in wait_patches(earlier, 2)] == ["/genre/100", "/genre/101"]
    assert not [e for e in after.events if e.event == "reset"]
    for s in (stream, after, earlier):
        s.close()


def test_post_array_is_one_transaction_and_one_event(chinook, serve):
    server = serve(chinook)
    stream = subscribe(server, "/genre")
    wait_reset(stream)
    response = write(server, "POST", "/genre", [{"genre_id": 110, "name": "a"}, {"genre_id": 111, "name": None}])
    assert response.status_code == 201, response.text
    assert_cursor(response)
    rows = [sql_row(chinook, "genre", "genre_id = %s", (i,)) for i in (110, 111)]
    assert loads(response.text) == rows
    patches = fence(chinook, stream, "INSERT INTO genre VALUES (199, 'fence')", "/genre/199")
    assert patches[0] == [{"op": "add", "path": "/genre/110", "value": rows[0]},
                          {"op": "add", "path": "/genre/111", "value": rows[1]}]
    assert len(patches) == 2
    assert replay(stream.events) == server.document("/genre")[0]
    stream.close()


def test_put_creates_then_replaces(chinook, serve):
    server = serve(chinook)
    stream = subscribe(server, "/genre")
    wait_reset(stream)
    created = write(server, "PUT", "/genre/120", {"name": "New"})
    assert created.status_code == 201, created.text
    assert_cursor(created)
    assert loads(created.text) == {"genre_id": 120, "name": "New"} == sql_row(chinook, "genre", "genre_id = 120")
    replaced = write(server, "PUT", "/genre/120", {"genre_id": 120, "name": "Newer"})
    assert replaced.status_code == 200, replaced.text
    assert_cursor(replaced)
    assert loads(replaced.text) == {"genre_id": 120, "name": "Newer"} == sql_row(chinook, "genre", "genre_id = 120")
    assert wait_patches(stream, 2) == [
        [{"op": "add", "path": "/genre/120", "value": {"genre_id": 120, "name": "New"}}],
        [{"op": "replace", "path": "/genre/120", "value": {"genre_id": 120, "name": "Newer"}}],
    ]
    # The body's key must be the URL's.
    mismatch = write(server, "PUT", "/genre/120", {"genre_id": 121, "name": "Other"})
    assert mismatch.status_code == 400, mismatch.text
    assert sql_row(chinook, "genre", "genre_id = 120") == {"genre_id": 120, "name": "Newer"}
    assert sql_row(chinook, "genre", "genre_id = 121") is None
    patches = fence(chinook, stream, "INSERT INTO genre VALUES (198, 'fence')", "/genre/198")
    assert len(patches) == 3
    stream.close()


def test_put_replaces_the_whole_row(chinook, serve):
    """PUT is "insert or replace that row": the stored row is the body, and
    a column the body leaves out gets what an insert of the same body would
    give it (here NULL), not its previous value."""
    server = serve(chinook)
    before = sql_row(chinook, "track", "track_id = 1")
    assert before["composer"] is not None and before["bytes"] is not None
    body = {k: v for k, v in before.items() if k not in ("composer", "bytes")}
    body["unit_price"] = str(body["unit_price"])
    body["name"] = "Replaced"
    response = write(server, "PUT", "/track/1", body)
    assert response.status_code == 200, response.text
    after = sql_row(chinook, "track", "track_id = 1")
    assert loads(response.text) == after
    assert after == {**before, "name": "Replaced", "composer": None, "bytes": None}


def test_put_on_a_composite_key(chinook, serve):
    server = serve(chinook)
    stream = subscribe(server, "/playlist_track?playlist_id=eq.18")
    wait_reset(stream)
    track = sql_value(chinook, "SELECT min(track_id) FROM track WHERE track_id NOT IN "
                               "(SELECT track_id FROM playlist_track WHERE playlist_id = 18)")[0]
    response = write(server, "PUT", f"/playlist_track/18,{track}", {})
    assert response.status_code == 201, response.text
    assert_cursor(response)
    assert loads(response.text) == {"playlist_id": 18, "track_id": track}
    assert sql_row(chinook, "playlist_track", "playlist_id = 18 AND track_id = %s", (track,)) is not None
    assert wait_patches(stream, 1) == [[{"op": "add", "path": f"/playlist_track/18,{track}",
                                         "value": {"playlist_id": 18, "track_id": track}}]]
    stream.close()


def test_patch_json_patch_and_a_failing_test_op(chinook, serve):
    server = serve(chinook)
    stream = subscribe(server, "/track")
    wait_reset(stream)
    before = sql_row(chinook, "track", "track_id = 1")
    patch = [{"op": "test", "path": "/name", "value": before["name"]},
             {"op": "replace", "path": "/name", "value": "Rocked ✓"},
             {"op": "add", "path": "/composer", "value": None},
             {"op": "copy", "from": "/milliseconds", "path": "/bytes"}]
    response = write(server, "PATCH", "/track/1", patch, "application/json-patch+json")
    assert response.status_code == 200, response.text
    assert_cursor(response)
    after = sql_row(chinook, "track", "track_id = 1")
    assert after == {**before, "name": "Rocked ✓", "composer": None, "bytes": before["milliseconds"]}
    assert loads(response.text) == after
    assert wait_patches(stream, 1) == [[{"op": "replace", "path": "/track/1", "value": after}]]

    # A failing test op: 409, nothing changed, nothing streamed.
    failing = [{"op": "replace", "path": "/name", "value": "Nope"},
               {"op": "test", "path": "/milliseconds", "value": 1}]
    assert_error(write(server, "PATCH", "/track/1", failing, "application/json-patch+json"), 409, "test_failed")
    # An op that cannot apply: 409 too.
    assert_error(write(server, "PATCH", "/track/1", [{"op": "remove", "path": "/nope/deeper"}],
                       "application/json-patch+json"), 409, "patch_conflict")
    # A column that does not exist.
    body = assert_error(write(server, "PATCH", "/track/1", [{"op": "add", "path": "/nope", "value": 1}],
                              "application/json-patch+json"), 400, "unknown_column")
    assert "nope" in json.dumps(body)
    # Not a JSON Patch at all.
    assert write(server, "PATCH", "/track/1", {"op": "replace"}, "application/json-patch+json").status_code == 400
    # No such row.
    assert_error(write(server, "PATCH", "/track/999999", [{"op": "replace", "path": "/name", "value": "x"}],
                       "application/json-patch+json"), 404, "not_found")
    assert sql_row(chinook, "track", "track_id = 1") == after
    patches = fence(chinook, stream, "UPDATE track SET name = 'fence' WHERE track_id = 2", "/track/2")
    assert len(patches) == 2
    stream.close()


def test_patch_moving_a_key_moves_the_row(chinook, serve):
    server = serve(chinook)
    genres = subscribe(server, "/genre")
    pairs = subscribe(server, "/playlist_track?playlist_id=eq.1")
    wait_reset(genres)
    wait_reset(pairs)
    execute(chinook, "INSERT INTO genre VALUES (130, 'movable')")
    response = write(server, "PATCH", "/genre/130", [{"op": "replace", "path": "/genre_id", "value": 131}],
                     "application/json-patch+json")
    assert response.status_code == 200, response.text
    assert_cursor(response)
    assert loads(response.text) == {"genre_id": 131, "name": "movable"}
    assert response.headers["Location"] == "/genre/131"
    assert sql_row(chinook, "genre", "genre_id = 130") is None
    assert wait_patches(genres, 2)[1] == [{"op": "remove", "path": "/genre/130"},
                                          {"op": "add", "path": "/genre/131", "value": {"genre_id": 131, "name": "movable"}}]
    # A composite key: one part changes.
    track = sql_value(chinook, "SELECT min(track_id) FROM track WHERE track_id NOT IN "
                               "(SELECT track_id FROM playlist_track WHERE playlist_id = 1)")[0]
    response = write(server, "PATCH", "/playlist_track/1,3402", [{"op": "replace", "path": "/track_id", "value": track}],
                     "application/json-patch+json")
    assert response.status_code == 200, response.text
    assert loads(response.text) == {"playlist_id": 1, "track_id": track}
    assert response.headers["Location"] == f"/playlist_track/1%2C{track}"
    assert server.get(f"/playlist_track/1,{track}").status_code == 200
    assert server.get("/playlist_track/1,3402").status_code == 404
    assert wait_patches(pairs, 1) == [[{"op": "remove", "path": "/playlist_track/1,3402"},
                                       {"op": "add", "path": f"/playlist_track/1,{track}",
                                        "value": {"playlist_id": 1, "track_id": track}}]]
    assert replay(pairs.events) == server.document("/playlist_track?playlist_id=eq.1")[0]
    genres.close()
    pairs.close()


def test_merge_patch_with_null(chinook, serve):
    server = serve(chinook)
    stream = subscribe(server, "/track")
    wait_reset(stream)
    before = sql_row(chinook, "track", "track_id = 1")
    assert before["composer"] is not None
    response = write(server, "PATCH", "/track/1", {"composer": None, "bytes": 1, "name": "Merged"},
                     "application/merge-patch+json")
    assert response.status_code == 200, response.text
    assert_cursor(response)
    after = sql_row(chinook, "track", "track_id = 1")
    assert after == {**before, "composer": None, "bytes": 1, "name": "Merged"}
    assert loads(response.text) == after
    assert loads(stream.wait(lambda e: len(e) >= 2)[1].data) == [{"op": "replace", "path": "/track/1", "value": after}]
    # null on a NOT NULL column: 400, and nothing changes.
    body = assert_error(write(server, "PATCH", "/track/1", {"name": None, "bytes": 2}, "application/merge-patch+json"),
                        400, "not_null_violation")
    assert body["details"]["column"] == "name"
    assert sql_row(chinook, "track", "track_id = 1") == after
    patches = fence(chinook, stream, "UPDATE track SET name = 'fence' WHERE track_id = 2", "/track/2")
    assert len(patches) == 2
    stream.close()


def test_delete_then_404(chinook, serve):
    server = serve(chinook)
    stream = subscribe(server, "/genre")
    wait_reset(stream)
    execute(chinook, "INSERT INTO genre VALUES (140, 'doomed')")
    response = requests.delete(server.base + "/genre/140", timeout=10)
    assert response.status_code == 204, response.text
    assert_cursor(response)
    assert sql_row(chinook, "genre", "genre_id = 140") is None
    assert wait_patches(stream, 2)[1] == [{"op": "remove", "path": "/genre/140"}]
    assert_error(requests.delete(server.base + "/genre/140", timeout=10), 404, "not_found")
    # A referenced row: the foreign key says no, by name.
    body = assert_error(requests.delete(server.base + "/genre/1", timeout=10), 409, "foreign_key_violation")
    assert body["details"]["constraint"] == "track_genre_id_fkey"
    assert sql_row(chinook, "genre", "genre_id = 1") is not None
    patches = fence(chinook, stream, "INSERT INTO genre VALUES (197, 'fence')", "/genre/197")
    assert len(patches) == 3
    assert replay(stream.events) == server.document("/genre")[0]
    stream.close()


def test_constraint_violations_name_the_constraint_and_change_nothing(chinook, serve):
    execute(chinook, "ALTER TABLE track ADD CONSTRAINT track_ms_positive CHECK (milliseconds > 0)")
    execute(chinook, "ALTER TABLE genre ADD CONSTRAINT genre_name_unique UNIQUE (name)")
    server = serve(chinook)
    stream = subscribe(server, "/genre")
    tracks = subscribe(server, "/track")
    wait_reset(stream)
    wait_reset(tracks)
    count = lambda table: sql_value(chinook, f"SELECT count(*) FROM {table}")[0]
    genres_before, tracks_before = count("genre"), count("track")
    track = {"track_id": 5000, "name": "t", "media_type_id": 1, "genre_id": 1, "milliseconds": 10, "unit_price": 0.99}

    body = assert_error(write(server, "POST", "/genre", {"genre_id": 1, "name": "dup"}), 409, "unique_violation")
    assert body["details"]["constraint"] == "genre_pkey"
    body = assert_error(write(server, "POST", "/genre", {"genre_id": 150, "name": "Rock"}), 409, "unique_violation")
    assert body["details"]["constraint"] == "genre_name_unique"
    body = assert_error(write(server, "POST", "/track", {k: v for k, v in track.items() if k != "name"}),
                        400, "not_null_violation")
    assert body["details"]["column"] == "name"
    body = assert_error(write(server, "POST", "/track", {**track, "genre_id": 9999}), 409, "foreign_key_violation")
    assert body["details"]["constraint"] == "track_genre_id_fkey"
    body = assert_error(write(server, "POST", "/track", {**track, "milliseconds": -5}), 400, "check_violation")
    assert body["details"]["constraint"] == "track_ms_positive"
    body = assert_error(write(server, "PUT", "/track/1", {**track, "track_id": 1, "milliseconds": 0}), 400, "check_violation")
    assert body["details"]["constraint"] == "track_ms_positive"
    body = assert_error(write(server, "PUT", "/genre/2", {"name": "Rock"}), 409, "unique_violation")
    assert body["details"]["constraint"] == "genre_name_unique"
    body = assert_error(write(server, "PATCH", "/track/1", {"media_type_id": 77}, "application/merge-patch+json"),
                        409, "foreign_key_violation")
    assert body["details"]["constraint"] == "track_media_type_id_fkey"
    body = assert_error(write(server, "POST", "/genre", {"genre_id": 151, "nope": 1}), 400, "unknown_column")
    assert "nope" in json.dumps(body["details"])
    assert_error(write(server, "PUT", "/genre/152", {"nope": 1}), 400, "unknown_column")
    # A batch where the second row fails: the first is not kept either.
    body = assert_error(write(server, "POST", "/genre", [{"genre_id": 153, "name": "fine"}, {"genre_id": 1, "name": "dup"}]),
                        409, "unique_violation")
    assert sql_row(chinook, "genre", "genre_id = 153") is None
    # A value that does not parse for its column.
    assert_error(write(server, "POST", "/genre", {"genre_id": "abc", "name": "x"}), 400, "invalid_value")

    assert (count("genre"), count("track")) == (genres_before, tracks_before)
    assert sql_row(chinook, "track", "track_id = 1")["milliseconds"] != 0
    assert sql_row(chinook, "genre", "genre_id = 2")["name"] != "Rock"
    patches = fence(chinook, stream, "INSERT INTO genre VALUES (196, 'fence')", "/genre/196")
    assert patches == [[{"op": "add", "path": "/genre/196", "value": {"genre_id": 196, "name": "fence"}}]]
    patches = fence(chinook, tracks, "UPDATE track SET name = 'fence' WHERE track_id = 3", "/track/3")
    assert len(patches) == 1
    stream.close()
    tracks.close()


def test_wrong_content_type_is_415(chinook, serve):
    server = serve(chinook)
    body = {"genre_id": 160, "name": "x"}
    assert_error(write(server, "POST", "/genre", body, "text/plain"), 415, "unsupported_media_type")
    assert_error(write(server, "POST", "/genre", body, None), 415, "unsupported_media_type")
    assert_error(write(server, "POST", "/genre", body, "application/x-www-form-urlencoded"), 415, "unsupported_media_type")
    assert_error(write(server, "PUT", "/genre/160", body, "application/merge-patch+json"), 415, "unsupported_media_type")
    assert_error(write(server, "PATCH", "/genre/1", {"name": "x"}, "application/json"), 415, "unsupported_media_type")
    assert_error(write(server, "PATCH", "/genre/1", {"name": "x"}, "text/plain"), 415, "unsupported_media_type")
    assert sql_row(chinook, "genre", "genre_id = 160") is None
    assert sql_row(chinook, "genre", "genre_id = 1")["name"] == "Rock"
    # Parameters on the media type are fine.
    ok = write(server, "POST", "/genre", body, "application/json; charset=utf-8")
    assert ok.status_code == 201, ok.text


def test_malformed_json_is_400(chinook, serve):
    server = serve(chinook)
    assert_error(write(server, "POST", "/genre", raw='{"genre_id": 161,'), 400, "invalid_json")
    assert_error(write(server, "POST", "/genre", raw='{"genre_id": 161} trailing'), 400, "invalid_json")
    assert_error(write(server, "POST", "/genre", raw=''), 400, "invalid_json")
    assert_error(write(server, "POST", "/genre", raw=b'{"genre_id": 161, "name": "\xff"}'), 400, "invalid_json")
    assert_error(write(server, "PUT", "/genre/161", raw='{name: 1}'), 400, "invalid_json")
    assert_error(write(server, "PATCH", "/genre/1", raw='[', content_type="application/json-patch+json"), 400, "invalid_json")
    assert_error(write(server, "PATCH", "/genre/1", raw='{', content_type="application/merge-patch+json"), 400, "invalid_json")
    # Valid JSON of the wrong shape.
    assert write(server, "POST", "/genre", raw='[1, 2]').status_code == 400
    assert write(server, "POST", "/genre", raw='"genre"').status_code == 400
    assert write(server, "PUT", "/genre/161", raw='[]').status_code == 400
    assert sql_row(chinook, "genre", "genre_id = 161") is None
    assert sql_row(chinook, "genre", "genre_id = 1")["name"] == "Rock"


def test_body_over_max_body_is_413(chinook, serve):
    server = serve(chinook, "--max-body", "1000")
    stream = subscribe(server, "/genre")
    wait_reset(stream)
    big = {"genre_id": 170, "name": "x" * 5000}
    assert_error(write(server, "POST", "/genre", big), 413, "payload_too_large")
    assert_error(write(server, "PUT", "/genre/170", big), 413, "payload_too_large")
    assert_error(write(server, "PATCH", "/genre/1", {"name": "y" * 5000}, "application/merge-patch+json"),
                 413, "payload_too_large")
    assert sql_row(chinook, "genre", "genre_id = 170") is None
    assert sql_row(chinook, "genre", "genre_id = 1")["name"] == "Rock"
    small = write(server, "POST", "/genre", {"genre_id": 171, "name": "small"})
    assert small.status_code == 201, small.text
    patches = wait_patches(stream, 1)
    assert patches == [[{"op": "add", "path": "/genre/171", "value": {"genre_id": 171, "name": "small"}}]]
    stream.close()


def test_read_only_refuses_every_write(chinook, serve):
    server = serve(chinook, "--read-only")
    stream = subscribe(server, "/genre")
    wait_reset(stream)
    document = server.document("/genre")[0]
    assert_error(write(server, "POST", "/genre", {"genre_id": 180, "name": "x"}), 405, "read_only")
    assert_error(write(server, "PUT", "/genre/1", {"name": "x"}), 405, "read_only")
    assert_error(write(server, "PATCH", "/genre/1", [{"op": "replace", "path": "/name", "value": "x"}],
                       "application/json-patch+json"), 405, "read_only")
    assert_error(write(server, "PATCH", "/genre/1", {"name": "x"}, "application/merge-patch+json"), 405, "read_only")
    assert_error(requests.delete(server.base + "/genre/25", timeout=10), 405, "read_only")
    assert server.document("/genre")[0] == document
    assert sql_row(chinook, "genre", "genre_id = 1")["name"] == "Rock"
    assert sql_row(chinook, "genre", "genre_id = 180") is None
    # Changes made in SQL still stream.
    patches = fence(chinook, stream, "INSERT INTO genre VALUES (195, 'fence')", "/genre/195")
    assert len(patches) == 1
    stream.close()
