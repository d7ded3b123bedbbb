#!/bin/sh
# Migrates, attaches the tables ROCKET_ATTACH lists (space or comma
# separated; "all" for every table of ROCKET_SCHEMA), then serves.
set -eu
rocket=/opt/rocket/rocket
"$rocket" migrate
tables=$(printf '%s' "${ROCKET_ATTACH:-}" | tr ',' ' ')
if [ "$tables" = "all" ]; then
  "$rocket" attach --all
elif [ -n "$tables" ]; then
  # shellcheck disable=SC2086
  "$rocket" attach $tables
fi
exec "$rocket" serve "$@"
