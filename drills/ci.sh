#!/usr/bin/env bash
# The drills' short form for CI (about 5 minutes on an idle 2-core machine): kill -9 with 3 cycles on H2, two SMTP
# faults of 10 s (drop after the final dot, port refused), and every bad input. Exits non-zero if any check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/drills
status=0
passed=0
failed=0
run() {
  local name=$1
  shift
  "$@" 2>&1 | tee "target/drills/ci-$name.out"
  local rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || status=1
  # each drill ends with "<name>: N passed, M failed" (its checks)
  local line
  line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed$" "target/drills/ci-$name.out" | tail -1)
  if [ -n "$line" ]; then
    passed=$((passed + $(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')))
    failed=$((failed + $(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')))
  else
    failed=$((failed + 1))
  fi
}
run kill9 drills/kill9.sh --cycles 3 --n 1500 --settle-timeout-seconds 120
run faults drills/faults.sh --faults drop-after-dot,refused --fault-seconds 10 --n 1500
run bad-input drills/bad-input.sh
echo "drill checks: $passed passed, $failed failed"
exit $status
