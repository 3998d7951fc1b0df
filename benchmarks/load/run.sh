#!/usr/bin/env bash
# sqlcache load benchmark: sysbench through the proxy and straight to MariaDB, same data, same
# threads, same duration, one workload after the other. Writes the raw sysbench outputs and a
# summary table to benchmarks/results/load/ (LOAD.md discusses them).
#
#   benchmarks/load/run.sh
#
# Needs the local MariaDB (127.0.0.1:3306, root, empty password), Redis (127.0.0.1:6379),
# sysbench 1.0 (apt-get install sysbench), a JDK 17 and Maven. Loopback only.
#
# Environment (defaults in brackets):
#   THREADS [8]  DURATION [30] seconds per measured run  WARMUP [10] seconds per warm-up run
#   TABLES [4]  TABLE_SIZE [100000]  DB [sbtest_load]
#   KEEP_DB [0]  1: keep the database at the end and reuse it next time (prepare takes ~1 min)
#   WORKLOADS ["point_select read_only read_only_skip_trx heavy_mix"]
#   HEAVY_OPTS ["--heavy_ranges=4 --range_size=5000 --reads_per_write=9"]
#   PROXY_JAVA_OPTS []  extra JVM options for the proxy, e.g. -XX:StartFlightRecording=...
#   OUT [benchmarks/results/load]
#
# The proxy gets a free port, a fresh Redis key prefix (its keys are deleted at the end) and,
# when it has the option, --catalog-user root. Everything it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

THREADS=${THREADS:-8}
DURATION=${DURATION:-30}
WARMUP=${WARMUP:-10}
TABLES=${TABLES:-4}
TABLE_SIZE=${TABLE_SIZE:-100000}
DB=${DB:-sbtest_load}
KEEP_DB=${KEEP_DB:-0}
WORKLOADS=${WORKLOADS:-"point_select read_only read_only_skip_trx heavy_mix"}
HEAVY_OPTS=${HEAVY_OPTS:-"--heavy_ranges=4 --range_size=5000 --reads_per_write=9"}
PROXY_JAVA_OPTS=${PROXY_JAVA_OPTS:-}
OUT=${OUT:-benchmarks/results/load}
MYSQL_HOST=127.0.0.1
MYSQL_PORT=3306
REDIS_URL=redis://127.0.0.1:6379

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
for tool in sysbench mariadb redis-cli java mvn python3; do
    command -v "$tool" >/dev/null || { echo "load: '$tool' is missing (sysbench: apt-get install sysbench)" >&2; exit 1; }
done
mariadb -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u root -e 'SELECT 1' >/dev/null \
    || { echo "load: MariaDB is not reachable on $MYSQL_HOST:$MYSQL_PORT (start it, e.g. .ci/run)" >&2; exit 1; }
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null \
    || { echo "load: Redis is not reachable on 127.0.0.1:6379 (start it, e.g. .ci/run)" >&2; exit 1; }

# ---- the proxy jar (same staleness rule as bin/proxy) ----
JAR=proxy-server/target/sqlcache-proxy.jar
if [ ! -f "$JAR" ] || [ -n "$(find pom.xml driver/pom.xml driver/src/main proxy-server/pom.xml proxy-server/src/main -newer "$JAR" -print -quit)" ]; then
    echo "load: building the proxy jar"
    mvn -B -q -DskipTests package >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }
    rm -f "$OUT/build.log"
fi

# ---- clean-up of everything started here ----
WORK=$(mktemp -d)
PREFIX="sqlcache-load-$(date +%s)-$$:"
PROXY_PID=
cleanup() {
    set +e
    if [ -n "$PROXY_PID" ] && kill -0 "$PROXY_PID" 2>/dev/null; then
        kill -TERM "$PROXY_PID"
        wait "$PROXY_PID" 2>/dev/null
    fi
    redis-cli -h 127.0.0.1 -p 6379 --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli -h 127.0.0.1 -p 6379 del >/dev/null
    if [ "$KEEP_DB" != 1 ]; then
        mariadb -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u root -e "DROP DATABASE IF EXISTS \`$DB\`"
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the data: one database, prepared once, used by both sides ----
SB_COMMON=(--threads="$THREADS" --tables="$TABLES" --table-size="$TABLE_SIZE" --mysql-user=root --mysql-db="$DB"
           --db-driver=mysql --mysql-ssl=off)
have_rows=$(mariadb -N -B -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u root -e \
    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$DB' AND table_name LIKE 'sbtest%'" 2>/dev/null || echo 0)
if [ "$have_rows" != "$TABLES" ] || [ "$(mariadb -N -B -h "$MYSQL_HOST" -u root -e "SELECT COUNT(*) FROM \`$DB\`.sbtest$TABLES" 2>/dev/null)" != "$TABLE_SIZE" ]; then
    echo "load: preparing $DB ($TABLES tables x $TABLE_SIZE rows)"
    mariadb -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u root -e "DROP DATABASE IF EXISTS \`$DB\`; CREATE DATABASE \`$DB\`"
    start=$(date +%s)
    sysbench oltp_read_only "${SB_COMMON[@]}" --threads=2 --mysql-host="$MYSQL_HOST" --mysql-port="$MYSQL_PORT" prepare \
        >"$OUT/prepare.txt"
    echo "load: prepared in $(( $(date +%s) - start )) s"
else
    echo "load: reusing $DB"
fi

# ---- the proxy ----
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
echo "sqlcache.prefix=$PREFIX" >"$WORK/proxy.properties"
PROXY_ARGS=(--backend "$MYSQL_HOST:$MYSQL_PORT" --listen "127.0.0.1:$PORT" --redis "$REDIS_URL" --config "$WORK/proxy.properties")
if java -jar "$JAR" --help 2>&1 | grep -q -- '--catalog-user'; then
    PROXY_ARGS+=(--catalog-user root)
fi
# shellcheck disable=SC2086
java $PROXY_JAVA_OPTS -jar "$JAR" "${PROXY_ARGS[@]}" >"$OUT/proxy.log" 2>&1 &
PROXY_PID=$!
for _ in $(seq 1 100); do
    mariadb -h 127.0.0.1 -P "$PORT" -u root -e 'SELECT 1' >/dev/null 2>&1 && break
    kill -0 "$PROXY_PID" 2>/dev/null || { cat "$OUT/proxy.log"; exit 1; }
    sleep 0.2
done
echo "load: proxy pid $PROXY_PID on 127.0.0.1:$PORT, prefix $PREFIX, args: ${PROXY_ARGS[*]}"

status() {
    mariadb -N -B -h 127.0.0.1 -P "$PORT" -u root -e 'SHOW SQLCACHE STATUS'
}
stat_value() { # file name
    awk -v n="$2" '$1 == n { print $2 }' "$1"
}

# ---- the runs ----
sysbench_args() { # workload -> script and options
    case "$1" in
        point_select) echo "oltp_point_select" ;;
        read_only) echo "oltp_read_only" ;;
        read_only_skip_trx) echo "oltp_read_only --skip_trx=on" ;;
        heavy_mix) echo "$ROOT/benchmarks/load/heavy_mix.lua $HEAVY_OPTS" ;;
        *) echo "load: unknown workload $1" >&2; exit 1 ;;
    esac
}

SUMMARY="$OUT/summary.tsv"
printf 'workload\ttarget\ttps\tqps\tp95_ms\thits\tmisses\thit_ratio\n' >"$SUMMARY"
for w in $WORKLOADS; do
    for target in direct proxy; do
        if [ "$target" = direct ]; then port=$MYSQL_PORT; else port=$PORT; fi
        # shellcheck disable=SC2046
        args=($(sysbench_args "$w") "${SB_COMMON[@]}" --mysql-host=127.0.0.1 --mysql-port="$port"
              --percentile=95 --histogram=off --report-interval=0 --rand-seed=42)
        echo "load: $w $target: warm-up ${WARMUP} s"
        sysbench "${args[@]}" --time="$WARMUP" run >"$WORK/warmup.txt" 2>&1 \
            || { cat "$WORK/warmup.txt"; exit 1; }
        [ "$target" = proxy ] && status >"$WORK/before.txt"
        echo "load: $w $target: ${DURATION} s"
        echo "# sysbench ${args[*]} --time=$DURATION run" >"$OUT/$w.$target.txt"
        sysbench "${args[@]}" --time="$DURATION" run >>"$OUT/$w.$target.txt" 2>&1 \
            || { cat "$OUT/$w.$target.txt"; exit 1; }
        hits=; misses=; ratio=
        if [ "$target" = proxy ]; then
            status >"$WORK/after.txt"
            { echo "# SHOW SQLCACHE STATUS before the measured run"; cat "$WORK/before.txt";
              echo "# SHOW SQLCACHE STATUS after the measured run"; cat "$WORK/after.txt"; } >"$OUT/$w.proxy.status.txt"
            hits=$(( $(stat_value "$WORK/after.txt" hits) - $(stat_value "$WORK/before.txt" hits) ))
            misses=$(( $(stat_value "$WORK/after.txt" misses) - $(stat_value "$WORK/before.txt" misses) ))
            ratio=$(python3 -c "h, m = $hits, $misses; print('%.3f' % (h / (h + m)) if h + m else 'n/a')")
        fi
        f="$OUT/$w.$target.txt"
        tps=$(sed -n 's/.*transactions: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' "$f")
        qps=$(sed -n 's/.*queries: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' "$f")
        p95=$(sed -n 's/.*95th percentile: *\([0-9.]*\)/\1/p' "$f")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$target" "$tps" "$qps" "$p95" "$hits" "$misses" "$ratio" >>"$SUMMARY"
        echo "load: $w $target: tps $tps qps $qps p95 ${p95} ms ${hits:+hits $hits misses $misses ratio $ratio}"
    done
done

# ---- the table: proxy / direct per workload ----
python3 - "$SUMMARY" >"$OUT/summary.md" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {(r["workload"], r["target"]): r for r in rows}
print("| workload | direct tps | proxy tps | proxy/direct tps | direct qps | proxy qps | direct p95 ms | proxy p95 ms | proxy hits | proxy misses | hit ratio |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for w in dict.fromkeys(r["workload"] for r in rows):
    d, p = by.get((w, "direct")), by.get((w, "proxy"))
    if not d or not p:
        continue
    ratio = float(p["tps"]) / float(d["tps"]) if float(d["tps"]) else float("nan")
    print(f"| {w} | {d['tps']} | {p['tps']} | **{ratio:.2f}** | {d['qps']} | {p['qps']} | {d['p95_ms']} | {p['p95_ms']}"
          f" | {p['hits']} | {p['misses']} | {p['hit_ratio']} |")
EOF
cat "$OUT/summary.md"
