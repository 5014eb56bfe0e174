#!/usr/bin/env bash
# Validation throughput: Sluice's validation-run against a stub provider answering after 300 ms, a second pass
# served from the cache, and the reference Python asyncio + aiohttp client against the same stub. See bench/README.md.
#   bench/validation.sh                       # 3,000 addresses, concurrency 100
#   bench/validation.sh -Dbench.n=6000        # any -D is passed to the benchmark JVM (bench.n, bench.concurrency, bench.delay-ms)
# Needs: JDK 17, the Maven wrapper (dependency classpath), Debian's python3-aiohttp. Bounded by BENCH_TIMEOUT (default 300 s).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=target/bench-validation
mkdir -p "$OUT"
if ! /usr/bin/python3 -c 'import aiohttp' 2>/dev/null; then
  echo "the reference client needs Debian's python3-aiohttp: apt-get update && apt-get install -y python3-aiohttp" >&2
  exit 2
fi
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=test >/dev/null
DEPS=$(cat "$OUT/classpath.txt")
rm -rf "$OUT/classes" "$OUT/test-classes"
mkdir -p "$OUT/classes" "$OUT/test-classes"
find src/main/java -name '*.java' >"$OUT/main-sources.txt"
JAVAC=(javac --release 17 -encoding UTF-8 -parameters -nowarn -Xlint:none)
"${JAVAC[@]}" -d "$OUT/classes" -cp "$DEPS" @"$OUT/main-sources.txt"
"${JAVAC[@]}" -d "$OUT/test-classes" -cp "$OUT/classes:$DEPS" src/test/java/io/sluice/bench/ValidationBenchmark.java
cp -r src/main/resources/. "$OUT/classes/"
cp -r sql "$OUT/classes/sql"
cp application.properties "$OUT/classes/"
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load $(cut -d' ' -f1-3 /proc/loadavg)"
# The stub is the JDK's HttpServer: without TCP_NODELAY its separate header and body writes meet the client's delayed
# ACK (Nagle), ~50 ms per answer on top of the 300 ms, which capped both clients at ~84 % of the ideal rate.
timeout "${BENCH_TIMEOUT:-300}" java -XX:MaxRAMPercentage=75 -Dlog4j2.configurationFile=bench/log4j2-bench.xml \
  -Dsun.net.httpserver.nodelay=true "$@" \
  -cp "$OUT/test-classes:$OUT/classes:$DEPS" io.sluice.bench.ValidationBenchmark
