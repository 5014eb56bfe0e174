# Shared by the drill commands: builds what a drill needs, then runs its Java driver on the test classpath.
#   DRILL_JAR=path/to/sluice.jar   the jar under test (default target/sluice.jar, built by ./mvnw package if missing)
#   DRILL_JAVA_OPTS                extra options for the driver JVM
#   SLUICE_*                       passed to every jar the drill starts, over the drill's own settings
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=target/drills
mkdir -p "$OUT"

drill_build() {
  JAR=${DRILL_JAR:-target/sluice.jar}
  if [ ! -f "$JAR" ]; then
    if [ -n "${DRILL_JAR:-}" ]; then
      echo "DRILL_JAR=$DRILL_JAR does not exist" >&2
      exit 2
    fi
    echo "== $JAR missing: ./mvnw -B -q package -DskipTests"
    timeout 900 ./mvnw -B -q package -DskipTests
  fi
  # The dependency classpath (test scope: H2, MariaDB driver, Jackson), refreshed when the pom changes.
  if [ ! -s "$OUT/classpath.txt" ] || [ pom.xml -nt "$OUT/classpath.txt" ]; then
    timeout 600 ./mvnw -q -B dependency:build-classpath -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=test >/dev/null
  fi
  # Compiled here rather than in target/test-classes, as bench/run.sh does: a build in the same tree cannot pull the
  # classes away from under a running drill. The drivers use no product class: they judge the jar from outside.
  local stamp="$OUT/classes/.stamp"
  if [ ! -f "$stamp" ] || [ -n "$(find src/test/java/io/sluice/drills -newer "$stamp" -name '*.java' | head -1)" ]; then
    rm -rf "$OUT/classes"
    mkdir -p "$OUT/classes"
    if ! javac --release 17 -encoding UTF-8 -nowarn -Xlint:none -d "$OUT/classes" -cp "$(cat "$OUT/classpath.txt")" \
         src/test/java/io/sluice/drills/*.java >"$OUT/javac.log" 2>&1; then
      cat "$OUT/javac.log" >&2
      echo "drill compilation failed" >&2
      exit 2
    fi
    touch "$stamp"
  fi
  DRILL_JAR_PATH=$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")
}

# drill_run <seconds> <MainClass> [options...]: the driver, bounded; SIGTERM at the limit lets it end its processes.
drill_run() {
  local limit=$1 main=$2
  shift 2
  drill_build
  set +e
  timeout --signal=TERM --kill-after=60 "$limit" java -Xmx512m ${DRILL_JAVA_OPTS:-} -Ddrill.jar="$DRILL_JAR_PATH" \
    -cp "$OUT/classes:$(cat "$OUT/classpath.txt")" "io.sluice.drills.$main" "$@"
  local status=$?
  set -e
  if [ "$status" = 124 ]; then
    echo "drill $main stopped by its time limit (${limit}s)" >&2
  fi
  return "$status"
}
