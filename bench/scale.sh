#!/usr/bin/env bash
# Sluice at 7 million recipients: claim + mark an 8,000 batch at the start, middle and end of the table, the counts
# and GET /api/status (ScaleBenchmark), and the audience import of a 7M-row CSV (ImportBenchmark). See bench/README.md.
#   bench/scale.sh claim postgresql            # one database: h2 | mariadb | postgresql
#   bench/scale.sh claim mariadb -Dbench.phases=load,compare,drop -Dbench.reps=21 -Dbench.mariadb.buffer-pool-mb=4096
#                                              # route recipients-claim against the claim before it (bench/claim-before),
#                                              # taking turns, at the start and the end of the table (ClaimComparison),
#                                              # after 2,000 small warm-up claims each (-Dbench.warmup-claims=N)
#   bench/scale.sh claim mariadb -Dbench.rows=1000000 -Dbench.phases=load,chunks,drop
#                                              # the claims alone, one chunk of 1,000 at a time, time and CPU per chunk
#   bench/scale.sh import postgresql           # 7M-row CSV through AudienceImporter with -Xmx512m
#   bench/scale.sh rows mariadb                # per-row cost of claim and outcome UPDATEs (RowCostProbe), on a
#                                              # database loaded and kept by: bench/scale.sh claim mariadb -Dbench.phases=load
# Extra arguments go to the JVM (-Dbench.rows=..., -Dbench.phases=load,claim,status,drop).
# Bounded by BENCH_TIMEOUT seconds (default 3600). Data lives under target/scale-bench and is deleted afterwards;
# the server databases are named sluice_bench_scale / sluice_bench_import and dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT=${1:?claim, import or rows}; DB=${2:?h2, mariadb or postgresql}; shift 2
OUT=target/scale-bench
mkdir -p "$OUT"
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=test >/dev/null
DEPS=$(cat "$OUT/classpath.txt")
# Compiled apart from target/classes, so a build in this work tree cannot pull classes away from a long run.
rm -rf "$OUT/classes" "$OUT/test-classes"
mkdir -p "$OUT/classes" "$OUT/test-classes"
find src/main/java -name '*.java' >"$OUT/main-sources.txt"
JAVAC=(javac --release 17 -encoding UTF-8 -parameters -nowarn -Xlint:none)
"${JAVAC[@]}" -d "$OUT/classes" -cp "$DEPS" @"$OUT/main-sources.txt"
"${JAVAC[@]}" -d "$OUT/test-classes" -cp "$OUT/classes:$DEPS" src/test/java/io/sluice/bench/ScaleBenchmark.java src/test/java/io/sluice/bench/ImportBenchmark.java \
  src/test/java/io/sluice/bench/RowCostProbe.java src/test/java/io/sluice/bench/ClaimComparison.java
cp -r src/main/resources/. "$OUT/classes/"
cp -r sql "$OUT/classes/sql"
cp application.properties "$OUT/classes/"
case "$WHAT" in
  claim) MAIN=io.sluice.bench.ScaleBenchmark; HEAP=${JAVA_HEAP:--Xmx2g} ;;
  import) MAIN=io.sluice.bench.ImportBenchmark; HEAP=-Xmx512m ;;
  rows) MAIN=io.sluice.bench.RowCostProbe; HEAP=-Xmx256m ;;
  *) echo "claim, import or rows" >&2; exit 2 ;;
esac
echo "== $(nproc) cores, $(free -g | awk '/^Mem:/{print $2 " GiB"}'), $(java -version 2>&1 | head -1), $HEAP"
timeout "${BENCH_TIMEOUT:-3600}" java $HEAP -Dlog4j2.configurationFile=bench/log4j2-bench.xml -Dbench.log="$OUT/sluice.log" \
  -Dbench.db="$DB" -Dbench.dir="$OUT" "$@" -cp "$OUT/classes:$OUT/test-classes:$DEPS" "$MAIN" | tee "$OUT/$WHAT-$DB.txt"
