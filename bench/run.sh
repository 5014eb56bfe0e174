#!/usr/bin/env bash
# Sluice pipeline vs a raw durable sender (plain JDBC + Jakarta Mail doing the same claim, delivery records and outcome
# writes) and raw Jakarta Mail, to Postfix's smtp-sink on loopback, in one JVM. See bench/README.md.
#   bench/run.sh                              # H2, 3 measured runs of 8,000 messages, 15 threads
#   bench/run.sh -Dbench.db=mariadb           # the same on a scratch database of the MariaDB at 127.0.0.1:3306 (dropped after)
#   bench/run.sh -Dbench.sink.delay-ms=100    # a sink that answers each message after 100 ms (bench/SlowSmtpSink), 1,500 per run
#   bench/run.sh -Dbench.profile=true         # plus a JFR profile of the measured phases, summarised
# Needs: JDK 17 (javac), the Maven wrapper (for the dependency classpath), Postfix's smtp-sink (not for the slow sink).
# Any argument is passed to the benchmark JVM (-Dbench.n=..., -Dbench.runs=..., -Dbench.threads=..., -Dbench.warmup=...).
# The JVM gets the Dockerfile's flags (-XX:MaxRAMPercentage=75, the Angus stream provider); JAVA_OPTS adds more
# (e.g. JAVA_OPTS=-Xms1g). Bounded: the run by BENCH_TIMEOUT seconds (default 600).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/bench
RUN_TIMEOUT=${BENCH_TIMEOUT:-600}
mkdir -p "$OUT"

# -Dbench.sink.delay-ms=N (N > 0): the slow sink of this package instead of smtp-sink, which waits whole seconds only.
SINK_DELAY_MS=0
for arg in "$@"; do
  case "$arg" in -Dbench.sink.delay-ms=*) SINK_DELAY_MS=${arg#-Dbench.sink.delay-ms=} ;; esac
done

SINK=$(command -v smtp-sink || true)
[ -z "$SINK" ] && [ -x /usr/sbin/smtp-sink ] && SINK=/usr/sbin/smtp-sink
if [ -z "$SINK" ] && [ "$SINK_DELAY_MS" = 0 ]; then
  echo "smtp-sink not found. It comes with Debian's postfix package (the daemon is never started):" >&2
  echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postfix" >&2
  exit 2
fi

echo "== build: dependency classpath (Maven), then javac into $OUT"
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=test >/dev/null
DEPS=$(cat "$OUT/classpath.txt")
# Compiled here rather than in target/classes: other builds and test runs share this work tree, and a `mvn clean`
# or a half-finished compile there would pull classes away from under a running benchmark.
rm -rf "$OUT/classes" "$OUT/test-classes"
mkdir -p "$OUT/classes" "$OUT/test-classes"
find src/main/java -name '*.java' >"$OUT/main-sources.txt"
JAVAC=(javac --release 17 -encoding UTF-8 -parameters -nowarn -Xlint:none)
if ! "${JAVAC[@]}" -d "$OUT/classes" -cp "$DEPS" @"$OUT/main-sources.txt" >"$OUT/javac.log" 2>&1 \
   || ! "${JAVAC[@]}" -d "$OUT/test-classes" -cp "$OUT/classes:$DEPS" src/test/java/io/sluice/bench/*.java >>"$OUT/javac.log" 2>&1; then
  cat "$OUT/javac.log" >&2
  echo "compilation failed" >&2
  exit 2
fi
# The resources as the pom packages them: src/main/resources, sql/ and the root application.properties.
cp -r src/main/resources/. "$OUT/classes/"
cp -r sql "$OUT/classes/sql"
cp application.properties "$OUT/classes/"

# A free loopback port for the sink: one nothing answers on; smtp-sink fails to bind if we lose a race, so retry.
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
SINK_PID=""
cleanup() {
  if [ -n "$SINK_PID" ] && kill -0 "$SINK_PID" 2>/dev/null; then
    kill "$SINK_PID" 2>/dev/null || true
    wait "$SINK_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM
SINK_USER=()
[ "$(id -u)" = 0 ] && SINK_USER=(-u nobody)
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  PORT=$((20000 + RANDOM % 40000))
  in_use "$PORT" && continue
  if [ "$SINK_DELAY_MS" != 0 ]; then
    # Answers each message's data after SINK_DELAY_MS, as a remote provider does; prints smtp-sink-style counters.
    timeout $((RUN_TIMEOUT + 20)) java -Xmx64m -XX:+UseSerialGC -cp "$OUT/test-classes" io.sluice.bench.SlowSmtpSink \
      127.0.0.1 "$PORT" "$SINK_DELAY_MS" >"$OUT/smtp-sink.out" 2>&1 &
  else
    # -c: running counters (sess, quit, mesg) on stdout; no -d/-D: nothing is written to disk; 256 = listen backlog.
    timeout $((RUN_TIMEOUT + 20)) "$SINK" -c "${SINK_USER[@]}" "127.0.0.1:$PORT" 256 >"$OUT/smtp-sink.out" 2>&1 &
  fi
  SINK_PID=$!
  for _ in $(seq 1 25); do
    sleep 0.2
    in_use "$PORT" && break
  done
  if kill -0 "$SINK_PID" 2>/dev/null && in_use "$PORT"; then
    break
  fi
  cleanup
  SINK_PID=""
done
if [ -z "$SINK_PID" ]; then
  echo "could not start smtp-sink on a free loopback port" >&2
  cat "$OUT/smtp-sink.out" >&2 || true
  exit 2
fi
# The sink itself (child of timeout), so the benchmark can tell its CPU from other programs' load.
SINK_CHILD=$(cat "/proc/$SINK_PID/task/$SINK_PID/children" 2>/dev/null | awk '{print $1}')
if [ "$SINK_DELAY_MS" != 0 ]; then
  echo "== slow sink (${SINK_DELAY_MS} ms per message) on 127.0.0.1:$PORT (pid ${SINK_CHILD:-?})"
else
  echo "== smtp-sink on 127.0.0.1:$PORT (pid ${SINK_CHILD:-?})"
fi
# How busy the machine is before we start (another build or test run here skews every figure).
busy_percent() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
BUSY=$(busy_percent)
if [ "$BUSY" -gt 15 ]; then
  echo "== warning: the machine is already ${BUSY}% busy before the run; figures will be skewed. Busiest processes:"
  ps -eo pid=,pcpu=,etime=,args= --sort=-pcpu | head -4 | cut -c1-150
else
  echo "== machine idle before the run (${BUSY}% busy)"
fi


echo "== machine: $(nproc) cores, $(free -g 2>/dev/null | awk '/^Mem:/{print $2 " GiB"}'), $(java -version 2>&1 | head -1); JAVA_OPTS=${JAVA_OPTS:-}"
set +e
timeout "$RUN_TIMEOUT" java -XX:MaxRAMPercentage=75 ${JAVA_OPTS:-} \
  -Djakarta.mail.util.StreamProvider=org.eclipse.angus.mail.util.MailStreamProvider \
  -Dlog4j2.configurationFile=bench/log4j2-bench.xml -Dbench.log="$OUT/sluice.log" \
  -Dbench.smtp.port="$PORT" -Dbench.sink.pid="${SINK_CHILD:-}" -Dbench.dir="$OUT/run-$(date +%Y%m%d-%H%M%S)" \
  "$@" \
  -cp "$OUT/classes:$OUT/test-classes:$(cat "$OUT/classpath.txt")" io.sluice.bench.PipelineBenchmark \
  | tee "$OUT/result.txt"
STATUS=${PIPESTATUS[0]}
set -e
sleep 0.5
echo "== smtp-sink counters at the end: $(tr '\r' '\n' <"$OUT/smtp-sink.out" | grep -a 'mesg=' | tail -1)"
echo "== Sluice log: $OUT/sluice.log; figures: $OUT/result.txt"
if [ "$STATUS" = 124 ]; then
  echo "benchmark timed out after ${RUN_TIMEOUT}s" >&2
fi
exit "$STATUS"
