import pytest

import harness


@pytest.fixture(scope="session")
def chinook_template():
    """A Chinook database, migrated and fully attached, used as a template."""
    base = harness.server_url()
    with harness.connect(base) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'chinook'").fetchone()
    if not exists:
        harness.psql_file(base, harness.CHINOOK)
        url = harness.database_url("chinook")
        harness.rocket("migrate", "--database-url", url)
        harness.rocket("attach", "--all", "--database-url", url)
        with harness.connect(url) as conn:
            conn.execute("CHECKPOINT")
    return "chinook"


@pytest.fixture
def chinook(chinook_template):
    """A private copy of the Chinook template for one test."""
    return harness.create_database(template=chinook_template)


@pytest.fixture
def empty_db():
    """A new empty database, migrated."""
    url = harness.create_database()
    harness.rocket("migrate", "--database-url", url)
    return url


@pytest.fixture
def serve():
    servers = []

    def start(url, *extra, **kw):
        server = harness.Server(url, *extra, **kw)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
