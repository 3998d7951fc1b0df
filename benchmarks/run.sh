#!/usr/bin/env bash
# Builds the benchmarks jar, creates the schema if needed, runs the JMH suite, then the same comparisons
# with the variants alternating in one process, and writes the report.
#   benchmarks/run.sh          full run (2 forks, 3x2 s warmup, 5x2 s measurement), then CpuSplit reads
#                              (every read variant, each shape), CpuSplit writes, ColdRoundTrip, CpuSplit scale,
#                              ConcurrentSplit hits and misses: ~50 min on 2 cores. Raw outputs go to
#                              benchmarks/target/results/ (jmh-result.json.gz, jmh-output.txt, interleaved.tsv,
#                              the tools' *.txt, load.txt; the previous run's JSON becomes before.json.gz there),
#                              never committed; the report to benchmarks/results/ (REPORT.md, latency.png).
#   benchmarks/run.sh quick    CI-sized (2 forks, 1x1 s warmup, 2x1 s measurement): ~8 min,
#                              raw outputs and report in benchmarks/target/quick/
#   BENCH='ReadBenchmark' benchmarks/run.sh quick   only the benchmarks matching a regex (no one-process tools)
# Needs MariaDB/MySQL and Redis as for the tests (SQLCACHE_TEST_MYSQL_URL, SQLCACHE_TEST_REDIS_URL).
set -euo pipefail
mode="${1:-full}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jar=benchmarks/target/sqlcache-benchmarks.jar

mvn -B -q ${MVN_OFFLINE--o} -pl benchmarks -am package -DskipTests
java -cp "$jar" io.sqlcache.bench.BenchData

# out: the raw outputs (under target/, never committed); report: REPORT.md and latency.png
case "$mode" in
    full)  out=benchmarks/target/results; report=benchmarks/results; opts=() ;;
    quick) out=benchmarks/target/quick; report=$out; opts=(-wi 1 -w 1 -i 2 -r 1) ;;
    *) echo "usage: $0 [full|quick]" >&2; exit 2 ;;
esac
mkdir -p "$out" "$report"
# the previous full run is the "before" of this one's report
before=$out/before.json.gz
if [ "$mode" = full ]; then
    if [ -f "$out/jmh-result.json.gz" ]; then
        cp "$out/jmh-result.json.gz" "$before"
    elif [ -f "$out/jmh-result.json" ]; then
        gzip -9 -c "$out/jmh-result.json" > "$before"
    fi
    rm -f "$out/jmh-result.json" "$out/jmh-result.json.gz"
fi
echo "before the run: $(cat /proc/loadavg)" > "$out/load.txt"
# -f 2 always: the issue asks for two forks at least, whatever the mode
java -jar "$jar" "${BENCH:-.*Benchmark}" -f 2 "${opts[@]}" -prof gc \
    -rf json -rff "$out/jmh-result.json" | tee "$out/jmh-output.txt"
# the same reads with the variants alternating in one process (CpuSplit): ratios free of the
# drift between JMH's forks, minutes apart (~5 min in full mode)
variants=direct,handwritten,sqlcache-redis-hit,sqlcache-redis-hit-park,sqlcache-redis-hit-cold,sqlcache-local-hit,sqlcache-miss,handwritten-miss,floor,redis-get,direct-2rt
if [ -z "${BENCH:-}" ]; then
    rm -f "$out/interleaved.tsv"
    for shape in POINT RANGE JOIN; do
        if [ "$mode" = full ]; then slice=2 rounds=6; else slice=1 rounds=3; fi
        java -cp "$jar" io.sqlcache.bench.CpuSplit reads "$variants" "$shape" "$slice" "$rounds" "$out/interleaved.tsv" 2>&1 \
            | grep -v '^SLF4J' | tee -a "$out/jmh-output.txt"
    done
    # the writes likewise (CpuSplit writes), and what a round trip costs after a statement (ColdRoundTrip)
    if [ "$mode" = full ]; then slice=2 rounds=9; else slice=1 rounds=2; fi
    java -cp "$jar" io.sqlcache.bench.CpuSplit writes "$slice" "$rounds" 2>&1 | grep -v '^SLF4J' | tee "$out/write-interleaved.txt"
    if [ "$mode" = full ]; then slice=3 rounds=5; else slice=1 rounds=2; fi
    java -cp "$jar" io.sqlcache.bench.ColdRoundTrip "$slice" "$rounds" 2>&1 | grep -v '^SLF4J' | tee "$out/cold-round-trip.txt"
    # the hit-scale trials likewise, each in a Redis database of its own (CpuSplit scale)
    if [ "$mode" = full ]; then slice=2 rounds=6; else slice=1 rounds=2; fi
    java -cp "$jar" io.sqlcache.bench.CpuSplit scale "$slice" "$rounds" 2>&1 | grep -v '^SLF4J' | tee "$out/scale-interleaved.txt"
    # the hit's spin against parking, many threads each with work of its own (ConcurrentSplit hits)
    if [ "$mode" = full ]; then hits=(2 5); else hits=(1 2 1,4 0); fi
    java -cp "$jar" io.sqlcache.bench.ConcurrentSplit hits "${hits[@]}" 2>&1 | grep -v '^SLF4J' | tee "$out/concurrent-hits.txt"
    # a stream of misses from many threads: what the lanes' daemon thread costs (ConcurrentSplit misses)
    if [ "$mode" = full ]; then misses=(3 5 8); else misses=(1 2 4); fi
    java -cp "$jar" io.sqlcache.bench.ConcurrentSplit misses "${misses[@]}" 2>&1 | grep -v '^SLF4J' | tee "$out/concurrent-misses.txt"
fi
echo "after the run: $(cat /proc/loadavg)" >> "$out/load.txt"
gzip -9 -f "$out/jmh-result.json"
java -cp "$jar" io.sqlcache.bench.ReportWriter "$out/jmh-result.json.gz" "$report" "$before"
