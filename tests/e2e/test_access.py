"""Access: bearer tokens (header or cookie), read-only tokens, CORS."""
import requests

import harness


def test_tokens(empty_db, serve, tmp_path):
    with harness.connect(empty_db) as conn:
        conn.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)")
    harness.rocket("attach", "notes", "--database-url", empty_db)
    tokens = tmp_path / "tokens"
    tokens.write_text("# who may do what\nreader-secret read\nwriter-secret write\n")
    server = serve(empty_db, "--token-file", str(tokens))
    url = server.base + "/notes"
    assert requests.get(url).status_code == 401
    assert requests.get(url).json()["code"] == "unauthorized"
    assert requests.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert requests.get(url, headers={"Authorization": "Bearer reader-secret"}).status_code == 200
    assert requests.get(url, cookies={"rocket_token": "reader-secret"}).status_code == 200
    denied = requests.post(url, json={"id": 1, "body": "x"}, headers={"Authorization": "Bearer reader-secret"})
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    created = requests.post(url, json={"id": 1, "body": "x"}, headers={"Authorization": "Bearer writer-secret"})
    assert created.status_code == 201
    # Streams too, including EventSource's cookie.
    assert harness.Stream(url).status == 401
    stream = harness.Stream(url, headers={"Cookie": "rocket_token=reader-secret"})
    assert stream.status == 200
    stream.close()
    # /health needs no token; tokens never reach the log.
    assert requests.get(server.base + "/health").status_code == 200
    assert "secret" not in server.log_path.read_text()


def test_bad_token_file_is_a_usage_error(empty_db, tmp_path):
    tokens = tmp_path / "tokens"
    tokens.write_text("just-a-token\n")
    result = harness.rocket("serve", "--database-url", empty_db, "--token-file", str(tokens), check=False)
    assert result.returncode == 1
    assert "expected 'TOKEN read' or 'TOKEN write'" in result.stderr


def test_cors(empty_db, serve):
    with harness.connect(empty_db) as conn:
        conn.execute("CREATE TABLE notes (id int PRIMARY KEY)")
    harness.rocket("attach", "notes", "--database-url", empty_db)
    server = serve(empty_db, "--cors-origin", "https://app.example")
    url = server.base + "/notes"
    preflight = requests.options(url, headers={"Origin": "https://app.example",
                                               "Access-Control-Request-Method": "SUBSCRIBE",
                                               "Access-Control-Request-Headers": "Last-Event-ID"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "SUBSCRIBE" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "Last-Event-ID"
    response = requests.get(url, headers={"Origin": "https://app.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Rocket-Cursor" in response.headers["Access-Control-Expose-Headers"]
    stream = harness.Stream(url, headers={"Origin": "https://app.example"})
    assert stream.headers["Access-Control-Allow-Origin"] == "https://app.example"
    stream.close()
    other = requests.get(url, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
