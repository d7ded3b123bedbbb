extension Configuration {
    /// `rocket --help`. Kept in step with the README (a golden test checks it).
    public static let usage = """
    Rocket \(version): every attached PostgreSQL table as a REST document with a
    live JSON Patch stream beside it (Server-Sent Events).

    USAGE
      rocket demo                      private PostgreSQL + sample data + live viewer
      rocket migrate [--dry-run]       install or upgrade the rocket schema
      rocket attach TABLE... [--as NAME] | --all [--no-notify]
                                       capture changes of tables (primary key required);
                                       --no-notify: no NOTIFY wake-up, for write-heavy
                                       tables served with a short --poll-interval
      rocket detach TABLE...           stop capturing tables
      rocket serve                     serve documents and streams over HTTP

    OPTIONS (environment variable in brackets)
      --database-url URL         PostgreSQL URL or conninfo [DATABASE_URL, ROCKET_DATABASE_URL]
      --listen HOST:PORT         where to listen (default 127.0.0.1:8080) [ROCKET_LISTEN]
      --schema NAME              schema whose tables are named without a prefix
                                 (default public) [ROCKET_SCHEMA]
      --read-only                refuse every write with 405 [ROCKET_READ_ONLY]
      --token-file FILE          bearer tokens, one per line: TOKEN read|write [ROCKET_TOKEN_FILE]
      --cors-origin ORIGIN       answer CORS for this origin; repeatable [ROCKET_CORS_ORIGIN]
      --keep-alive DURATION      comment sent on idle streams (default 15s) [ROCKET_KEEP_ALIVE]
      --max-subscribers N        open streams at most (default 15000) [ROCKET_MAX_SUBSCRIBERS]
      --max-subscriber-buffer BYTES
                                 bytes queued per stream before it is closed with
                                 event: overflow (default 4M) [ROCKET_MAX_SUBSCRIBER_BUFFER]
      --max-body BYTES           largest request body (default 1M) [ROCKET_MAX_BODY]
      --retention DURATION       keep the change log this long (default 24h) [ROCKET_RETENTION]
      --retention-rows N         and at most this many changes (default 5000000) [ROCKET_RETENTION_ROWS]
      --pool-size N              database connections for requests (default 8) [ROCKET_POOL_SIZE]
      --http-threads N           HTTP event-loop threads (default: one per core, up to 4)
                                 [ROCKET_HTTP_THREADS]
      --poll-interval DURATION   tick even without a notification (default 1s) [ROCKET_POLL_INTERVAL]
      --data-dir DIR             demo: where the private PostgreSQL lives (default .rocket)
                                 [ROCKET_DATA_DIR]
      --log-level LEVEL          trace, debug, info, notice, warning, error (default info)
                                 [ROCKET_LOG_LEVEL]
      -h, --help                 this text
      --version                  print the version

    EXIT STATUS
      0 success, 1 runtime failure, 64 usage error (and the usage is printed)
    """
}
