"""Test harness for the black-box suite: throwaway databases, the built
`rocket` binary as a user runs it, and a real SSE client."""
import decimal
import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time
import uuid

import jsonpatch
import psycopg
import requests
import sseclient

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROCKET = ROOT / ".build" / "debug" / "rocket"
CHINOOK = ROOT / "datasets" / "chinook" / "Chinook_PostgreSql.sql"


def server_url():
    url = os.environ.get("ROCKET_TEST_DATABASE_URL")
    assert url, "ROCKET_TEST_DATABASE_URL is not set: run the suite through scripts/test (it starts PostgreSQL)"
    return url


def database_url(name, base=None):
    """The URL of database `name` on the test server."""
    base = base or server_url()
    head, _, query = base.partition("?")
    return head.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")


def connect(url, autocommit=True):
    return psycopg.connect(url, autocommit=autocommit)


def create_database(template=None, base=None):
    name = "t_" + uuid.uuid4().hex[:12]
    with connect(base or server_url()) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return database_url(name, base)


def psql_file(url, path):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", str(path)],
                   check=True, stdout=subprocess.DEVNULL)


def rocket(*args, env=None, check=True, timeout=60):
    """Runs a rocket command; returns the CompletedProcess."""
    result = subprocess.run([str(ROCKET), *args], capture_output=True, text=True, env={**os.environ, **(env or {})},
                            timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"rocket {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`rocket serve` on a free port; stopped with SIGTERM."""

    def __init__(self, url, *extra, port=None, wait_ready=True):
        self.db = url
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = pathlib.Path(f"/tmp/rocket-e2e-{self.port}.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(ROCKET), "serve", "--database-url", url, "--listen", f"127.0.0.1:{self.port}", *extra],
            stdout=self.log, stderr=subprocess.STDOUT)
        if wait_ready:
            self.wait_ready()

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"rocket serve exited {self.process.returncode}: {self.log_path.read_text()}")
            try:
                if requests.get(self.base + "/ready", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError("rocket serve never became ready: " + self.log_path.read_text())

    def get(self, path, **kw):
        return requests.get(self.base + path, timeout=30, **kw)

    def document(self, path):
        response = self.get(path)
        assert response.status_code == 200, response.text
        return response.json(), response.headers["Rocket-Cursor"]

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise
        self.log.close()
        return self.process.returncode


class Stream:
    """A real SSE client (sseclient-py over requests) reading in a thread."""

    def __init__(self, url, headers=None, method="GET"):
        self.events = []
        self.error = None
        self.closed = threading.Event()
        self.lock = threading.Condition()
        self.response = requests.request(method, url, stream=True, timeout=(5, 120),
                                         headers={"Accept": "text/event-stream", **(headers or {})})
        self.status = self.response.status_code
        self.headers = self.response.headers
        if self.status == 200:
            self.thread = threading.Thread(target=self._read, daemon=True)
            self.thread.start()
        else:
            self.body = self.response.text
            self.closed.set()

    def _read(self):
        try:
            for event in sseclient.SSEClient(self.response.iter_content(chunk_size=None)).events():
                with self.lock:
                    self.events.append(event)
                    self.lock.notify_all()
        except Exception as error:  # the connection ended
            self.error = error
        finally:
            self.closed.set()
            with self.lock:
                self.lock.notify_all()

    def wait(self, predicate, timeout=20):
        deadline = time.time() + timeout
        with self.lock:
            while not predicate(self.events):
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError(f"timed out; events so far: {[(e.event, e.id, e.data[:200]) for e in self.events]}")
                self.lock.wait(min(left, 0.2))
            return list(self.events)

    def wait_for_id(self, cursor, timeout=20):
        return self.wait(lambda events: any(e.id == cursor for e in events), timeout)

    def patches(self):
        return [e for e in self.events if e.event == "patch"]

    def close(self):
        hang_up(self.response)
        self.closed.wait(5)


def replay(events):
    """The document from the first reset plus every later patch, in order,
    each applied atomically by an independent RFC 6902 implementation."""
    document = None
    for event in events:
        if event.event == "reset":
            document = json.loads(event.data)
        elif event.event == "patch":
            assert document is not None, "patch before reset"
            document = jsonpatch.apply_patch(document, json.loads(event.data))
    return document


def current_cursor_after(server, path):
    """A cursor taken after everything committed so far (a fresh GET)."""
    return server.document(path)[1]


def loads(text):
    """JSON with exact numbers (Decimal for fractions), for comparing values
    the way PostgreSQL wrote them."""
    return json.loads(text, parse_float=decimal.Decimal, parse_int=int)


def subscribe(server, path, method="SUBSCRIBE"):
    """A stream that answered 200 and opened with its reset."""
    stream = Stream(server.base + path, method=method)
    assert stream.status == 200, (path, stream.status, stream.body)
    events = stream.wait(lambda e: len(e) >= 1)
    assert events[0].event == "reset", events[0].event
    return stream


def patches(stream):
    """The stream's patch events, parsed with exact numbers."""
    return [loads(e.data) for e in stream.patches()]


def wait_patch_count(stream, count, timeout=20):
    stream.wait(lambda events: len([e for e in events if e.event == "patch"]) >= count, timeout)
    return patches(stream)


def hang_up(response):
    """Closes a streaming response at once (closing it alone waits for a
    reader thread's blocked read to return)."""
    connection = getattr(response.raw, "_connection", None) or getattr(response.raw, "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    response.close()


def replay_exact(events):
    """Like replay(), with exact numbers; a record's document may be null."""
    document, started = None, False
    for event in events:
        if event.event == "reset":
            document, started = loads(event.data), True
        elif event.event == "patch":
            assert started, "patch before reset"
            document = jsonpatch.apply_patch(document, loads(event.data))
    return document
