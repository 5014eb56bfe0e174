#!/usr/bin/env bash
# Drill 1: kill -9 mid-send, N cycles, then finish and settle UNKNOWN against the Postmark stub. See drills/README.md.
#   drills/kill9.sh                      # H2, the product's default URL, 20 cycles
#   drills/kill9.sh --db mariadb         # a fresh database on 127.0.0.1:3306 (root), dropped after
#   drills/kill9.sh --cycles 3 --n 1500  # short form
source "$(dirname "$0")/lib.sh"
drill_run "${DRILL_TIMEOUT:-2400}" Kill9Drill "$@"
