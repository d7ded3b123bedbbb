"""Black-box: the built binary, as a user starts it."""
import pathlib

import harness

GOLDEN = pathlib.Path(__file__).parent / "golden" / "help.txt"


def test_help_exits_0_and_matches_golden():
    result = harness.rocket("--help")
    assert result.returncode == 0
    assert result.stdout == GOLDEN.read_text()


def test_version():
    result = harness.rocket("--version")
    assert result.returncode == 0 and result.stdout.startswith("rocket ")


def test_bad_flag_exits_64_with_usage():
    result = harness.rocket("serve", "--no-such-flag", check=False)
    assert result.returncode == 64
    assert "unknown option --no-such-flag" in result.stderr
    assert "USAGE" in result.stderr


def test_serve_without_database_is_a_usage_error():
    result = harness.rocket("serve", check=False, env={"DATABASE_URL": "", "ROCKET_DATABASE_URL": ""})
    assert result.returncode == 64
    assert "DATABASE_URL" in result.stderr


def test_serve_against_unreachable_database_fails_clearly():
    """A host that does not resolve is a configuration error: exit 1 at once.
    (A server that is merely down is waited for: see test_lossless.)"""
    result = harness.rocket("serve", "--database-url", "postgresql://nobody@db.invalid/x?connect_timeout=5",
                            "--listen", f"127.0.0.1:{harness.free_port()}", check=False, timeout=30)
    assert result.returncode == 1
    assert "cannot connect to the database" in result.stderr
    assert "Fatal error" not in result.stderr and "Segmentation" not in result.stderr


def test_database_url_environment_variable(empty_db):
    result = harness.rocket("migrate", "--dry-run", env={"DATABASE_URL": empty_db})
    assert result.returncode == 0
    assert "up to date" in result.stdout


def test_migrate_is_idempotent_and_dry_run_reports_pending():
    url = harness.create_database()
    pending = harness.rocket("migrate", "--dry-run", "--database-url", url, check=False)
    assert pending.returncode == 2 and "pending: 0001_change_log" in pending.stdout
    assert "applied: 0001_change_log" in harness.rocket("migrate", "--database-url", url).stdout
    assert "up to date" in harness.rocket("migrate", "--database-url", url).stdout


def test_attach_without_primary_key_is_refused(empty_db):
    with harness.connect(empty_db) as conn:
        conn.execute("CREATE TABLE logs (line text)")
    result = harness.rocket("attach", "logs", "--database-url", empty_db, check=False)
    assert result.returncode == 1
    assert "has no primary key" in result.stderr


def test_attach_as_sql_function_and_detach(empty_db, serve):
    with harness.connect(empty_db) as conn:
        conn.execute('CREATE TABLE "Order Items" (id int PRIMARY KEY, v text)')
        name = conn.execute("""SELECT rocket.attach('"Order Items"')""").fetchone()[0]
        assert name == "Order Items"
    server = serve(empty_db)
    assert server.get("/Order%20Items").json() == {"Order Items": {}}
    result = harness.rocket("detach", '"Order Items"', "--database-url", empty_db)
    assert "detached" in result.stdout
    with harness.connect(empty_db) as conn:
        triggers = conn.execute("""SELECT count(*) FROM pg_trigger WHERE tgrelid = '"Order Items"'::regclass AND NOT tgisinternal""").fetchone()[0]
        assert triggers == 0


def test_sigterm_ends_streams_and_exits_0(chinook):
    server = harness.Server(chinook)
    stream = harness.Stream(server.base + "/genre")
    stream.wait(lambda e: len(e) >= 1)
    assert server.stop() == 0
    stream.closed.wait(10)
    assert stream.closed.is_set()
    assert any(e.event == "shutdown" for e in stream.events)


def test_serve_against_missing_database_fails_clearly(empty_db):
    url = harness.database_url("no_such_database")
    result = harness.rocket("serve", "--database-url", url, "--listen", f"127.0.0.1:{harness.free_port()}",
                            check=False, timeout=30)
    assert result.returncode == 1
    assert 'database "no_such_database" does not exist' in result.stderr


def test_serve_needs_migrations():
    url = harness.create_database()
    result = harness.rocket("serve", "--database-url", url, "--listen", f"127.0.0.1:{harness.free_port()}",
                            check=False, timeout=30)
    assert result.returncode == 1
    assert "run rocket migrate" in result.stderr


def test_readme_shows_the_current_help():
    readme = (harness.ROOT / "README.md").read_text()
    assert harness.rocket("--help").stdout in readme


def test_attach_without_notify_is_served_by_polling(empty_db, serve):
    with harness.connect(empty_db) as conn:
        conn.execute("CREATE TABLE hot (id int PRIMARY KEY, v int)")
    harness.rocket("attach", "hot", "--no-notify", "--database-url", empty_db)
    with harness.connect(empty_db) as conn:
        source = conn.execute("SELECT prosrc FROM pg_proc p JOIN rocket.resources r ON p.proname = r.capture_function").fetchone()[0]
        assert "pg_notify" not in source
    server = serve(empty_db, "--poll-interval", "20ms")
    stream = harness.Stream(server.base + "/hot")
    stream.wait(lambda e: len(e) >= 1)
    with harness.connect(empty_db) as conn:
        conn.execute("INSERT INTO hot VALUES (1, 1)")
    stream.wait(lambda e: len(e) >= 2, timeout=5)
    stream.close()
