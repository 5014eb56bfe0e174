#!/usr/bin/env bash
# Drill 2: two jars on one MariaDB database (127.0.0.1:3306, root; a fresh database, dropped after), the second
# killed repeatedly while it holds claims; the survivor takes them back and finishes. See drills/README.md.
#   drills/two-instances.sh               # 5 kills
#   drills/two-instances.sh --kills 3
source "$(dirname "$0")/lib.sh"
drill_run "${DRILL_TIMEOUT:-2400}" TwoInstancesDrill "$@"
