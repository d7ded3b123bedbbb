"""`rocket demo`: the embedded default, as the README's first command runs it."""
import json
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time

import requests

import harness


def test_demo_serves_chinook_and_a_live_table():
    port = harness.free_port()
    # A folder the postgres user can reach (run as root, the demo's
    # PostgreSQL runs as postgres).
    root = pathlib.Path(tempfile.mkdtemp(prefix="rocket-demo-test-", dir="/tmp"))
    root.chmod(0o755)
    data = root / "demo"
    process = subprocess.Popen([str(harness.ROCKET), "demo", "--data-dir", str(data), "--listen", f"127.0.0.1:{port}"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            assert process.poll() is None, process.stdout.read()
            try:
                if requests.get(base + "/ready", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            raise AssertionError("the demo never became ready")
        names = {r["name"] for r in requests.get(base + "/", headers={"Accept": "application/json"}).json()["resources"]}
        assert {"track", "album", "playlist_track", "messages"} <= names
        assert len(requests.get(base + "/track").json()["track"]) == 3503
        assert len(requests.get(base + "/messages").json()["messages"]) >= 290
        assert "EventSource" in requests.get(base + "/", headers={"Accept": "text/html"}).text
        # The demo writes a change every second: the stream is visibly live.
        stream = harness.Stream(base + "/messages")
        events = stream.wait(lambda e: any(x.event == "patch" for x in e), timeout=10)
        assert json.loads([e for e in events if e.event == "patch"][0].data)
        stream.close()
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "live viewer" in output
    # Its PostgreSQL stopped with it; the data stays for the next run.
    assert not (data / "pgdata" / "postmaster.pid").exists()
    assert (data / "pgdata" / "PG_VERSION").exists()
    shutil.rmtree(root, ignore_errors=True)
