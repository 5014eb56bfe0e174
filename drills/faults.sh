#!/usr/bin/env bash
# Drill 3: faults one at a time mid-send (SMTP, Postmark statistics, database). See drills/README.md.
#   drills/faults.sh                                     # every fault, 20 s each, H2 (db-down: a private mariadbd)
#   drills/faults.sh --faults drop-after-dot,refused     # some of them
#   drills/faults.sh --db mariadb --fault-seconds 10     # on a fresh MariaDB database, shorter faults
source "$(dirname "$0")/lib.sh"
drill_run "${DRILL_TIMEOUT:-3600}" FaultsDrill "$@"
