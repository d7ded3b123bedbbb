#!/usr/bin/env python3
"""Rocket's benchmark (issue 5). Run through scripts/bench, which builds what
it needs and starts a throwaway PostgreSQL (ROCKET_TEST_* variables).

Every comparison is measured side by side in this run, alternating, and
reported as the median of the repetitions. Prints one table: scenario,
figure, reference, ratio, target, verdict. No dependency beyond python3; the
peer relay gets its own virtual environment from PyPI."""
import argparse
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
PEER = ROOT.parent / "shared" / "peers" / "asyncpg-relay"
SSELOAD = ROOT / ".build" / "sseload"
PGBIN = pathlib.Path(os.environ.get("ROCKET_TEST_PGBIN", "/usr/lib/postgresql/15/bin"))
BASE_URL = os.environ.get("ROCKET_TEST_DATABASE_URL", "")


def log(*parts):
    print("bench:", *parts, file=sys.stderr, flush=True)


def db_url(name):
    head, _, query = BASE_URL.partition("?")
    return head.rsplit("/", 1)[0] + "/" + name + ("?" + query if query else "")


def psql(url, sql, quiet=True):
    result = subprocess.run([str(PGBIN / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr}")
    return result.stdout.strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """utime + stime of a process (and its waited-for children), in seconds."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def rss_mb(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_http(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except Exception:
            time.sleep(0.1)
    raise RuntimeError(f"{url} never answered 200")


class Process:
    def __init__(self, args, name, env=None):
        self.name = name
        self.log_path = pathlib.Path(f"/tmp/bench-{name}.log")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                        env={**os.environ, **(env or {})})

    @property
    def pid(self):
        return self.process.pid

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Rocket(Process):
    def __init__(self, binary, url, *extra):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        super().__init__([binary, "serve", "--database-url", url, "--listen", f"127.0.0.1:{self.port}",
                          "--log-level", "warning", *extra], "rocket")
        wait_http(self.base + "/ready")


class Peer(Process):
    def __init__(self, python, url):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        super().__init__([python, str(PEER / "relay.py"), "--port", str(self.port)], "peer",
                         env={"DATABASE_URL": url.replace("postgresql://", "postgresql://", 1)})
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("peer relay did not start: " + self.log_path.read_text())


def sseload(url, connections, duration, warmup=1.0, extra=(), method="GET"):
    out = pathlib.Path(f"/tmp/bench-sseload-{os.getpid()}-{time.time_ns()}.json")
    args = [str(SSELOAD), "--url", url, "--connections", str(connections), "--duration", str(duration),
            "--warmup", str(warmup), "--json-out", str(out), "--quiet", "--method", method, "--kernel-ts", *extra]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True), out


def finish_sseload(handle):
    process, out = handle
    _, err = process.communicate(timeout=300)
    if process.returncode not in (0,):
        raise RuntimeError(f"sseload failed ({process.returncode}): {err}")
    result = json.loads(out.read_text())
    out.unlink()
    # No samples (a quick run's tiny window) gives null percentiles.
    result["latency_ms"] = {k: (v if v is not None else float("nan")) for k, v in result["latency_ms"].items()}
    return result


def script_file(script):
    path = pathlib.Path(f"/tmp/bench-{os.getpid()}-{abs(hash(script))}.sql")
    path.write_text(script)
    return str(path)


def pgbench(url, script, clients, duration, rate=None, jobs=None):
    """Runs pgbench with a custom script; returns tps (excluding connections)."""
    args = [str(PGBIN / "pgbench"), "-n", "-f", script_file(script), "-c", str(clients), "-j", str(jobs or min(clients, 2)),
            "-T", str(int(duration)), "-d", url]
    if rate:
        args += ["-R", str(rate)]
    env = {**os.environ, "PGOPTIONS": "-c synchronous_commit=off"}
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError("pgbench failed: " + result.stderr[-2000:])
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", result.stdout)
    return float(match.group(1)) if match else 0.0


WRITE_SCRIPT = """\\set id random(1, 100000)
INSERT INTO items (ts, payload) VALUES ((extract(epoch from clock_timestamp()) * 1000000)::bigint, 'bench');
UPDATE items SET n = n + 1, ts = (extract(epoch from clock_timestamp()) * 1000000)::bigint WHERE id = :id;
"""

# One row per transaction, carrying its commit time (microseconds).
STAMP_SCRIPT = """INSERT INTO items (ts, payload) VALUES ((extract(epoch from clock_timestamp()) * 1000000)::bigint, 'bench');
"""

TABLE = """
DROP TABLE IF EXISTS items CASCADE;
CREATE TABLE items (id bigserial PRIMARY KEY, ts bigint NOT NULL, n int NOT NULL DEFAULT 0, payload text);
INSERT INTO items (ts, payload) SELECT 0, 'seed' FROM generate_series(1, 100000);
"""


class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.rows = []
        self.url = db_url("bench")
        psql(BASE_URL, "DROP DATABASE IF EXISTS bench")
        psql(BASE_URL, "CREATE DATABASE bench")
        subprocess.run([args.rocket, "migrate", "--database-url", self.url], check=True, capture_output=True)
        self.reps = 1 if self.quick else 3

    def scale(self, full, quick):
        return quick if self.quick else full

    def row(self, scenario, figure, value, reference_name, reference, ratio, target, met, unit=""):
        self.rows.append(dict(scenario=scenario, figure=figure, value=value, unit=unit, reference_name=reference_name,
                              reference=reference, ratio=ratio, target=target, met=None if self.quick else met))

    def reset_table(self, attach=True, peer=False, notify=True):
        psql(self.url, "SELECT rocket.detach(oid) FROM pg_class WHERE relname = 'items' AND relnamespace = 'public'::regnamespace")
        psql(self.url, TABLE)
        psql(self.url, "TRUNCATE rocket.change_log")
        if attach:
            subprocess.run([self.args.rocket, "attach", "items", "--database-url", self.url,
                            *([] if notify else ["--no-notify"])], check=True, capture_output=True)
        if peer:
            notify = (PEER / "notify.sql").read_text().replace(':"tbl"', "items")
            psql(self.url, notify)
        psql(self.url, "VACUUM ANALYZE items")

    # S1 ---------------------------------------------------------------------
    def s1_capture(self):
        duration = self.scale(6, 2)
        bare, attached, polled, notify = [], [], [], []
        for _ in range(self.reps):
            self.reset_table(attach=False)
            bare.append(pgbench(self.url, WRITE_SCRIPT, 4, duration))
            self.reset_table(attach=True)
            attached.append(pgbench(self.url, WRITE_SCRIPT, 4, duration))
            self.reset_table(attach=True, notify=False)
            polled.append(pgbench(self.url, WRITE_SCRIPT, 4, duration))
            self.reset_table(attach=False, peer=True)
            notify.append(pgbench(self.url, WRITE_SCRIPT, 4, duration))
        b, a, p, n = (statistics.median(x) for x in (bare, attached, polled, notify))
        log(f"S1 bare={bare} attached={attached} no-notify={polled} notify-per-row={notify}")
        self.row("S1", "write tps, Rocket attached (NOTIFY wake-up)", round(a), "bare table", round(b), a / b, "≥ 0.75",
                 a / b >= 0.75, "tx/s")
        self.row("S1", "write tps, Rocket attached --no-notify (poll)", round(p), "bare table", round(b), p / b, "≥ 0.75",
                 p / b >= 0.75, "tx/s")
        self.row("S1", "write tps, NOTIFY-per-row trigger", round(n), "bare table", round(b), n / b, "(reference)", None, "tx/s")

    # S2 ---------------------------------------------------------------------
    def s2_sustained(self):
        duration = self.scale(15, 3)
        self.reset_table()
        rocket = Rocket(self.args.rocket, self.url)
        try:
            before = int(psql(self.url, "SELECT coalesce(max(id), 0) FROM items"))
            load = sseload(rocket.base + "/items?since=now", 1, duration + 4, warmup=0)
            time.sleep(1)
            tps = pgbench(self.url, STAMP_SCRIPT, 4, duration)
            committed = int(psql(self.url, "SELECT coalesce(max(id), 0) FROM items")) - before
            backlog = int(psql(self.url, "SELECT count(*) FROM rocket.change_log"))
            result = finish_sseload(load)
        finally:
            rocket.stop()
        delivered = result.get("ts_values", result.get("latency_samples", 0))
        ratio = delivered / committed if committed else 0
        self.row("S2", "changes delivered to 1 subscriber", delivered, "committed", committed, ratio, "≥ 0.98",
                 ratio >= 0.98, "changes")
        self.row("S2", "write rate sustained", round(tps), "", "", None, f"log rows after: {backlog}", None, "tx/s")

    # S3 / S5 ------------------------------------------------------------------
    def run_delivery(self, server, subscribers, rate, duration, path="/items?since=now", script=None):
        load = sseload(server.base + path, subscribers, duration + 3, warmup=1.5)
        time.sleep(min(5, 1 + subscribers / 1500))
        cpu0 = cpu_seconds(server.pid)
        rss = rss_mb(server.pid)
        pgbench(self.url, script or STAMP_SCRIPT, 2, duration, rate=rate)
        cpu = cpu_seconds(server.pid) - cpu0
        result = finish_sseload(load)
        result["server_cpu_s"] = cpu
        result["server_rss_mb"] = max(rss, rss_mb(server.pid))
        return result

    def s3_latency(self):
        subscribers = self.scale(1000, 20)
        rate = self.scale(1000, 50)
        duration = self.scale(10, 2)
        self.reset_table()
        rocket = Rocket(self.args.rocket, self.url)
        try:
            results = [self.run_delivery(rocket, subscribers, rate, duration) for _ in range(self.reps)]
        finally:
            rocket.stop()
        p50 = statistics.median(r["latency_ms"]["p50"] for r in results)
        p99 = statistics.median(r["latency_ms"]["p99"] for r in results)
        log("S3", [(r["latency_ms"], r["events"]) for r in results])
        self.row("S3", f"commit→client p50, {subscribers} subs, {rate} tx/s", round(p50, 2), "", "", None, "≤ 10 ms", p50 <= 10, "ms")
        self.row("S3", f"commit→client p99, {subscribers} subs, {rate} tx/s", round(p99, 2), "", "", None, "≤ 50 ms", p99 <= 50, "ms")

    def s4_fanout(self):
        subscribers = self.scale(10000, 200)
        rate = 10
        duration = self.scale(15, 3)
        self.reset_table()
        rocket = Rocket(self.args.rocket, self.url, "--max-subscribers", "15000")
        try:
            idle_before = rss_mb(rocket.pid)
            result = self.run_delivery(rocket, subscribers, rate, duration)
        finally:
            rocket.stop()
        p99 = result["latency_ms"]["p99"]
        per = result.get("patches_per_connection", {})
        got_all = (result["established"] == subscribers and result.get("failed", 0) == 0
                   and per.get("min", 0) == per.get("max", -1) > 0)
        log("S4", result)
        self.row("S4", f"p99, {subscribers} subscribers, 10 tx/s", round(p99, 2), "", "", None, "≤ 150 ms", p99 <= 150 and got_all, "ms")
        self.row("S4", "Rocket RSS with them", round(result["server_rss_mb"], 1), "idle", round(idle_before, 1), None, "≤ 300 MB",
                 result["server_rss_mb"] <= 300, "MB")
        self.row("S4", "patch events per subscriber (min = max)", f"{per.get('min')} = {per.get('max')}", "", "", None,
                 "every event to every client", got_all, "")

    def s5_peer(self):
        if not PEER.exists():
            self.row("S5", "peer relay", "skipped", "", "", None, "../shared/peers missing", None)
            return
        python = self.peer_python()
        rate = self.scale(1000, 50)
        duration = self.scale(6, 2)
        for subscribers in (self.scale(100, 5), self.scale(1000, 20)):
            self.reset_table(attach=True, peer=True)
            rocket = Rocket(self.args.rocket, self.url)
            peer = Peer(python, self.url)
            ours, theirs = [], []
            try:
                for _ in range(self.reps):
                    ours.append(self.run_delivery(rocket, subscribers, rate, duration))
                    theirs.append(self.run_delivery(peer, subscribers, rate, duration))
            finally:
                rocket.stop()
                peer.stop()

            def rate_of(results):
                return statistics.median(r.get("ts_values", r["latency_samples"]) / duration for r in results)

            def per_cpu(results):
                return statistics.median(r.get("ts_values", r["latency_samples"]) / max(r["server_cpu_s"], 0.01) for r in results)

            ours_rate, peer_rate = rate_of(ours), rate_of(theirs)
            ours_p99 = statistics.median(r["latency_ms"]["p99"] for r in ours)
            peer_p99 = statistics.median(r["latency_ms"]["p99"] for r in theirs)
            ours_cpu, peer_cpu = per_cpu(ours), per_cpu(theirs)
            log("S5", subscribers, "rocket", [r["latency_ms"] for r in ours], "peer", [r["latency_ms"] for r in theirs])
            def ratio(a, b):
                return a / b if b else None   # the peer delivered nothing in the window

            self.row("S5", f"delivered changes/s, {subscribers} subs", round(ours_rate), "peer", round(peer_rate),
                     ratio(ours_rate, peer_rate), "≥ 3 ×", ours_rate >= 3 * peer_rate, "/s")
            self.row("S5", f"delivered per CPU-second, {subscribers} subs", round(ours_cpu), "peer", round(peer_cpu),
                     ratio(ours_cpu, peer_cpu), "≥ 3 × at equal CPU", ours_cpu >= 3 * peer_cpu, "/cpu-s")
            self.row("S5", f"p99, {subscribers} subs", round(ours_p99, 1), "peer", round(peer_p99, 1),
                     ratio(ours_p99, peer_p99), "lower",
                     ours_p99 < peer_p99 or (peer_p99 != peer_p99 and ours_rate > 0), "ms")

    def peer_python(self):
        venv = ROOT / ".build" / "peer-venv"
        if not (venv / "bin" / "python").exists():
            log("installing the peer relay's requirements from PyPI")
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check",
                            "-r", str(PEER / "requirements.txt")], check=True)
        return str(venv / "bin" / "python")

    # S6 ---------------------------------------------------------------------
    def s6_documents(self):
        chinook = db_url("bench_chinook")
        psql(BASE_URL, "DROP DATABASE IF EXISTS bench_chinook")
        psql(BASE_URL, "DROP DATABASE IF EXISTS chinook")
        subprocess.run([str(PGBIN / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", BASE_URL, "-f",
                        str(ROOT / "datasets" / "chinook" / "Chinook_PostgreSql.sql")], check=True, capture_output=True)
        psql(BASE_URL, "ALTER DATABASE chinook RENAME TO bench_chinook")
        subprocess.run([self.args.rocket, "migrate", "--database-url", chinook], check=True, capture_output=True)
        subprocess.run([self.args.rocket, "attach", "track", "--database-url", chinook], check=True, capture_output=True)
        duration = self.scale(8, 2)
        clients = self.scale(50, 4)
        bare_sql = ("SELECT json_build_object('track', json_object_agg(t.track_id::text, to_json(t) ORDER BY t.track_id))::text "
                    "FROM public.track AS t;\n")
        rocket = Rocket(self.args.rocket, chinook, "--pool-size", "8")
        ours, bare = [], []
        try:
            for _ in range(self.reps):
                ours.append(self.wrk(rocket.base + "/track", clients, duration))
                bare.append(pgbench(chinook, bare_sql, clients, duration, jobs=2))
        finally:
            rocket.stop()
        o, b = statistics.median(ours), statistics.median(bare)
        log("S6", ours, bare)
        self.row("S6", f"GET /track (3,503 rows), {clients} keep-alive clients", round(o), "bare SQL via libpq", round(b),
                 o / b, "≥ 0.8", o / b >= 0.8, "req/s")

    def wrk(self, url, clients, duration):
        wrk = shutil.which("wrk")
        if not wrk:
            raise RuntimeError("wrk is not installed (apt-get install wrk)")
        result = subprocess.run([wrk, "-t", "2", "-c", str(clients), "-d", f"{duration}s", url],
                                capture_output=True, text=True)
        match = re.search(r"Requests/sec:\s+([0-9.]+)", result.stdout)
        if not match:
            raise RuntimeError("wrk: " + result.stdout + result.stderr)
        return float(match.group(1))

    # S7 ---------------------------------------------------------------------
    def s7_slow(self):
        subscribers = self.scale(100, 10)
        rate = self.scale(1000, 50)
        duration = self.scale(10, 3)
        buffer = "256k"
        big = STAMP_SCRIPT.replace("'bench'", "repeat('x', 2000)")
        self.reset_table()
        rocket = Rocket(self.args.rocket, self.url, "--max-subscriber-buffer", buffer)
        try:
            baseline = self.run_delivery(rocket, subscribers, rate, duration, script=big)
        finally:
            rocket.stop()
        rocket = Rocket(self.args.rocket, self.url, "--max-subscriber-buffer", buffer)
        try:
            slow = sseload(rocket.base + "/items?since=now", 1, duration + 6, warmup=0, extra=("--stop-reading", "1"))
            normal = sseload(rocket.base + "/items?since=now", subscribers, duration + 3, warmup=1.5)
            time.sleep(1.5)
            rss0 = rss_mb(rocket.pid)
            pgbench(self.url, big, 2, duration, rate=rate)
            rss1 = rss_mb(rocket.pid)
            normal_result = finish_sseload(normal)
            slow_result = finish_sseload(slow)
            resumed = self.resume_check(rocket)
        finally:
            rocket.stop()
        p99_base = baseline["latency_ms"]["p99"]
        p99_slow = normal_result["latency_ms"]["p99"]
        change = (p99_slow - p99_base) / p99_base if p99_base else 0
        log("S7", baseline["latency_ms"], normal_result["latency_ms"], slow_result)
        overflowed = slow_result.get("slow", {}).get("overflow_events", 0) + slow_result.get("overflow_events", 0) > 0 \
            or slow_result.get("slow", {}).get("closed_by_server", 0) > 0
        self.row("S7", f"others' p99 with a stalled subscriber ({subscribers} readers)", round(p99_slow, 2),
                 "without it", round(p99_base, 2), 1 + change, "± 20 %", abs(change) <= 0.2, "ms")
        self.row("S7", "stalled subscriber closed with event: overflow", overflowed, "", "", None, "yes", overflowed, "")
        self.row("S7", "Rocket RSS during the stall", round(rss1, 1), "before", round(rss0, 1), None,
                 f"bounded (buffer {buffer})", rss1 - rss0 < 50, "MB")
        self.row("S7", "resume by cursor after overflow loses nothing", resumed, "", "", None, "yes", resumed, "")

    def resume_check(self, rocket):
        """Takes a cursor, writes, resumes from the cursor (as a client closed
        by overflow does) and checks every row written since arrives."""
        first = int(psql(self.url, "SELECT max(id) FROM items"))
        with urllib.request.urlopen(rocket.base + "/items?id=eq.1", timeout=10) as response:
            cursor = response.headers["Rocket-Cursor"]
        psql(self.url, "INSERT INTO items (ts, payload) SELECT 0, 'after' FROM generate_series(1, 50)")
        expected = set(int(x) for x in psql(self.url, f"SELECT id FROM items WHERE id > {first} AND payload = 'after'").split())
        seen = set()
        request = urllib.request.Request(rocket.base + "/items", headers={"Accept": "text/event-stream", "Last-Event-ID": cursor})
        deadline = time.time() + 10
        with urllib.request.urlopen(request, timeout=10) as response:
            while time.time() < deadline and not expected <= seen:
                line = response.readline().decode()
                if line.startswith("data: "):
                    for op in json.loads(line[6:]):
                        if op["op"] == "add":
                            seen.add(op["value"]["id"])
        return expected <= seen

    # Retention ---------------------------------------------------------------
    def retention(self):
        """Steady writes with a short retention: the change log's disk size
        must level off instead of growing with the number of writes."""
        duration = self.scale(45, 6)
        self.reset_table()
        rocket = Rocket(self.args.rocket, self.url, "--retention", "2s")
        sizes = []
        try:
            writer = subprocess.Popen([str(PGBIN / "pgbench"), "-n", "-f", script_file(STAMP_SCRIPT), "-c", "2",
                                       "-j", "2", "-T", str(duration), "-R", str(self.scale(2000, 200)), "-d", self.url],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      env={**os.environ, "PGOPTIONS": "-c synchronous_commit=off"})
            while writer.poll() is None:
                time.sleep(self.scale(5, 1))
                sizes.append(int(psql(self.url, "SELECT pg_total_relation_size('rocket.change_log')")))
            written = int(psql(self.url, "SELECT count(*) FROM items")) - 100000
        finally:
            rocket.stop()
        settled = max(sizes[len(sizes) // 3: 2 * len(sizes) // 3] or sizes)
        final = max(sizes[2 * len(sizes) // 3:] or sizes)
        log("retention sizes (bytes):", sizes)
        self.row("ret", f"change-log size after {written} writes, 2 s retention", round(final / 2**20, 1),
                 "at a third of the run", round(settled / 2**20, 1), final / max(settled, 1), "bounded (≤ 1.5 ×)",
                 final <= 1.5 * settled, "MiB")

    # Idle memory ---------------------------------------------------------------
    def idle_memory(self):
        subscribers = self.scale(15000, 100)
        self.reset_table()
        rocket = Rocket(self.args.rocket, self.url, "--max-subscribers", "16000")
        try:
            time.sleep(0.5)
            before = rss_mb(rocket.pid)
            hold = sseload(rocket.base + "/items?since=now", subscribers, self.scale(12, 3), warmup=0, extra=("--hold",))
            time.sleep(self.scale(9, 2))
            during = rss_mb(rocket.pid)
            result = finish_sseload(hold)
        finally:
            rocket.stop()
        per = (during - before) * 1024 / max(1, result["established"])
        self.row("mem", f"RSS per idle subscriber ({result['established']} held)", round(per, 1), "", "", None,
                 "reported", None, "KiB")

    def run(self):
        scenarios = {"S1": self.s1_capture, "S2": self.s2_sustained, "S3": self.s3_latency, "S4": self.s4_fanout,
                     "S5": self.s5_peer, "S6": self.s6_documents, "S7": self.s7_slow, "ret": self.retention,
                     "mem": self.idle_memory}
        only = self.args.only.split(",") if self.args.only else list(scenarios)
        for name in only:
            log(f"{name} …")
            started = time.time()
            try:
                scenarios[name]()
            except Exception as error:  # report and go on with the others
                log(f"{name} failed: {error}")
                self.row(name, "error", " ".join(str(error).split())[:100], "", "", None, "", False)
            log(f"{name} done in {time.time() - started:.0f}s")

    def table(self):
        header = ["#", "figure", "value", "reference", "ratio", "target", "met"]
        lines = [header]
        for r in self.rows:
            value = f"{r['value']} {r['unit']}".strip()
            reference = f"{r['reference_name']} {r['reference']}".strip()
            ratio = f"{r['ratio']:.2f}" if isinstance(r["ratio"], float) else ("—" if r["reference"] == 0 else "")
            met = {True: "yes", False: "NO", None: ""}[r["met"]]
            lines.append([r["scenario"], r["figure"], value, reference, ratio, r["target"], met])
        widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
        out = []
        for index, line in enumerate(lines):
            out.append("| " + " | ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(line)) + " |")
            if index == 0:
                out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rocket", required=True)
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny loads, seconds, no verdicts")
    parser.add_argument("--only", help="comma-separated scenarios: S1,S2,S3,S4,S5,S6,S7,ret,mem")
    parser.add_argument("--json", help="also write the rows as JSON here")
    args = parser.parse_args()
    if not BASE_URL:
        sys.exit("bench: run through scripts/bench (it starts PostgreSQL)")
    if not SSELOAD.exists():
        sys.exit("bench: .build/sseload is missing (scripts/bench builds it)")
    started = time.time()
    bench = Bench(args)
    bench.run()
    print(bench.table())
    print(f"\n{'quick smoke run' if args.quick else 'full run'} in {time.time() - started:.0f}s; "
          f"2 cores, PostgreSQL {psql(BASE_URL, 'SHOW server_version')}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(bench.rows, indent=2))
    failed = [r for r in bench.rows if r["figure"] == "error"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
