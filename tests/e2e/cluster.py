"""PostgreSQL clusters for fault tests: a private throwaway cluster that a
test may stop and start at will, and `pg_ctl` on the shared test cluster
(the one scripts/with-postgres started).

Everything runs the server binaries as the `postgres` user when the suite
runs as root (PostgreSQL refuses root), exactly as scripts/with-postgres
does."""
import glob
import os
import pathlib
import random
import shlex
import shutil
import subprocess
import tempfile


def pgbin():
    path = os.environ.get("ROCKET_TEST_PGBIN")
    if path and os.access(os.path.join(path, "pg_ctl"), os.X_OK):
        return path
    found = [d for d in sorted(glob.glob("/usr/lib/postgresql/*/bin")) if os.access(os.path.join(d, "initdb"), os.X_OK)]
    assert found, "no PostgreSQL server binaries (initdb) found"
    return found[-1]


def as_postgres():
    """The command prefix that runs a server binary as the postgres user."""
    prefix = os.environ.get("ROCKET_TEST_PGUSER_PREFIX")
    if prefix is not None and prefix.strip():
        return shlex.split(prefix)
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def pg_ctl(data_dir, *args, timeout=90):
    """Runs pg_ctl on a data directory; returns the CompletedProcess, raising
    with its output on failure."""
    command = [*as_postgres(), os.path.join(pgbin(), "pg_ctl"), "-D", str(data_dir), *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {result.returncode}: {result.stdout}{result.stderr}")
    return result


def restart_shared_cluster():
    """Restarts the suite's shared cluster (fast shutdown) and waits until it
    accepts connections again. pg_ctl restart reuses the options recorded in
    postmaster.opts (socket dir, port, settings)."""
    data = os.environ.get("ROCKET_TEST_PGDATA")
    assert data, "ROCKET_TEST_PGDATA is not set: run the suite through scripts/with-postgres"
    log = pathlib.Path(data).parent / "postgres.log"
    # -l is needed: without it the postmaster would inherit (and hold open)
    # our capture pipes, and subprocess.run would never return.
    pg_ctl(data, "restart", "-m", "fast", "-w", "-t", "60", "-l", str(log))


class Cluster:
    """A private PostgreSQL cluster on a Unix socket in a temp dir, trust
    auth; `start`, `stop` and `destroy`."""

    def __init__(self):
        self.bin = pgbin()
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="rocket-lossless-pg."))
        os.chmod(self.dir, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        # The socket lives in our own directory, so the port only names it.
        self.port = random.randint(20000, 40000)
        self.running = False
        result = subprocess.run(
            [*as_postgres(), os.path.join(self.bin, "initdb"), "-D", str(self.data), "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
            capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise AssertionError(f"initdb failed: {result.stdout}{result.stderr}")

    def url(self, database="postgres"):
        return f"postgresql://postgres@/{database}?host={self.dir}&port={self.port}"

    def start(self):
        options = (f"-k {self.dir} -p {self.port} -c listen_addresses='' -c fsync=off "
                   "-c full_page_writes=off -c max_connections=100 -c timezone=UTC")
        pg_ctl(self.data, "-l", str(self.log), "-w", "-t", "60", "-o", options, "start")
        self.running = True

    def stop(self, mode="fast"):
        pg_ctl(self.data, "-m", mode, "-w", "-t", "60", "stop")
        self.running = False

    def destroy(self):
        if self.running or (self.data / "postmaster.pid").exists():
            try:
                pg_ctl(self.data, "-m", "immediate", "stop")
            except AssertionError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)
