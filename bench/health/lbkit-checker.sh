#!/usr/bin/env bash
# lbkit's HealthChecker as the harness's CHECKER_CMD (the launcher is lb-health's test class HealthBenchMain):
#   CHECKER_CMD=bench/health/lbkit-checker.sh bench/health/run.sh
# Builds lb-health (and what it needs) once from this checkout with Maven, then runs the launcher with the
# harness's LB_CHECK_* variables. JAVA_OPTS adds JVM flags; LB_REPORT_EVERY_RESULT=false reports changes only.
# Run `bench/health/lbkit-checker.sh --build` before run.sh: a build started by the harness would run inside the
# checker's warm-up and CPU accounting.
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
root=$(readlink -f "$here/../..")
work=${HEALTH_WORK:-/tmp/lbbench/health}
cp_file=$work/lbkit-checker.classpath
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
if [ ! -f "$cp_file" ] || [ -n "$(find "$root/lb-health/src" "$root/lb-api/src" -newer "$cp_file" -name '*.java' | head -1)" ]; then
  mkdir -p "$work"
  (cd "$root" && mvn -B -q -pl lb-api,lb-testkit install -DskipTests >&2 \
     && mvn -B -q -pl lb-health test-compile dependency:build-classpath -Dmdep.outputFile="$cp_file.deps" >&2)
  echo "$root/lb-health/target/test-classes:$root/lb-health/target/classes:$(cat "$cp_file.deps")" > "$cp_file"
fi
[ "${1:-}" = --build ] && exit 0
exec "$java" -Xms64m -Xmx256m -XX:+UseSerialGC ${JAVA_OPTS:-} -cp "$(cat "$cp_file")" dev.lbkit.health.HealthBenchMain
