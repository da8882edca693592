#!/usr/bin/env bash
# Builds lb-api and this benchmark, runs JMH briefly (about 3 minutes on 2 cores) and prints
# scheduler x servers -> picks/s. JMH's own output and CSV go to results/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")"

mvn -B -q -f ../../pom.xml -pl lb-api -am install -DskipTests
mvn -B -q package

mkdir -p results
java -jar target/benchmarks.jar PickBenchmark -f 1 -wi 2 -w 1s -i 3 -r 1s \
    -rf csv -rff results/jmh.csv "$@" | tee results/jmh.log

# CSV columns: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: scheduler","Param: servers"
echo
echo "picks/s (JMH throughput, 1 thread; mean of 3 x 1 s iterations)"
awk -F',' '
    NR == 1 { next }
    {
        gsub(/"/, "")
        s = $8; n = $9; score[s, n] = $5
        if (!(s in seen)) { seen[s] = 1; order[++count] = s }
        if (!(n in nseen)) { nseen[n] = 1; norder[++ncount] = n }
    }
    END {
        printf "%-10s", "scheduler"
        for (j = 1; j <= ncount; j++) printf " %16s", norder[j] " servers"
        printf "\n"
        for (i = 1; i <= count; i++) {
            printf "%-10s", tolower(order[i])
            for (j = 1; j <= ncount; j++) printf " %16.0f", score[order[i], norder[j]]
            printf "\n"
        }
    }' results/jmh.csv
