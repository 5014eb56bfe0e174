#!/usr/bin/env bash
# Drill 4: hostile and broken input at every door of the running jar (-Xmx512m): each must get a clear 4xx, change
# nothing (status, database) and leave the jar up with no OutOfMemoryError. See drills/README.md.
#   drills/bad-input.sh                  # H2 (the product's default URL)
#   drills/bad-input.sh --db mariadb     # a fresh MariaDB database, with a database check after every request
source "$(dirname "$0")/lib.sh"
drill_run "${DRILL_TIMEOUT:-900}" BadInputDrill "$@"
