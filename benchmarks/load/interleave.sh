#!/usr/bin/env bash
# Point selects straight to MariaDB, through a proxy with its in-process store and through a proxy
# with Redis, in alternating rounds of the same length: on a 2-core machine whose speed drifts by a
# quarter from one minute to the next (benchmarks/results/load/LOAD.md), a ratio of two runs taken
# minutes apart says little; rounds taken turn about, averaged, say more. Writes
# $OUT/point_select.interleaved.txt (not committed; every round, then the means and the ratios).
#
#   benchmarks/load/interleave.sh
#
# Environment (defaults in brackets): ROUNDS [5]  SECONDS_PER_ROUND [15]  WARMUP [10]  THREADS [8]
#   TABLES [4]  TABLE_SIZE [100000]  DB [sbtest_load]  OUT [benchmarks/target/results/load]
# Needs what run.sh needs; prepares the database as run.sh does when it is missing, and keeps it.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=${ROUNDS:-5}
SECONDS_PER_ROUND=${SECONDS_PER_ROUND:-15}
WARMUP=${WARMUP:-10}
THREADS=${THREADS:-8}
TABLES=${TABLES:-4}
TABLE_SIZE=${TABLE_SIZE:-100000}
DB=${DB:-sbtest_load}
OUT=${OUT:-benchmarks/target/results/load}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
for tool in sysbench mariadb redis-cli java python3; do
    command -v "$tool" >/dev/null || { echo "interleave: '$tool' is missing (sysbench: apt-get install sysbench)" >&2; exit 1; }
done
JAR=proxy-server/target/sqlcache-proxy.jar
[ -f "$JAR" ] || { echo "interleave: build the proxy first: mvn -B -q -DskipTests package" >&2; exit 1; }

WORK=$(mktemp -d)
PREFIX="sqlcache-interleave-$(date +%s)-$$:"
PIDS=()
cleanup() {
    set +e
    for p in "${PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    redis-cli -h 127.0.0.1 -p 6379 --scan --pattern "${PREFIX}*" | xargs -r -n 500 redis-cli -h 127.0.0.1 -p 6379 del >/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

SB_COMMON=(--threads="$THREADS" --tables="$TABLES" --table-size="$TABLE_SIZE" --mysql-user=root --mysql-db="$DB"
           --db-driver=mysql --mysql-ssl=off)
if [ "$(mariadb -N -B -h 127.0.0.1 -u root -e "SELECT COUNT(*) FROM \`$DB\`.sbtest$TABLES" 2>/dev/null)" != "$TABLE_SIZE" ]; then
    echo "interleave: preparing $DB ($TABLES tables x $TABLE_SIZE rows)"
    mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS \`$DB\`; CREATE DATABASE \`$DB\`"
    sysbench oltp_read_only "${SB_COMMON[@]}" --threads=2 --mysql-host=127.0.0.1 --mysql-port=3306 prepare >/dev/null
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
start_proxy() { # name, extra args... -> sets PORT
    PORT=$(free_port)
    echo "sqlcache.prefix=$PREFIX$1:" >"$WORK/$1.properties"
    java -jar "$JAR" --backend 127.0.0.1:3306 --listen "127.0.0.1:$PORT" --config "$WORK/$1.properties" \
        --catalog-user root "${@:2}" >"$WORK/$1.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do
        mariadb -h 127.0.0.1 -P "$PORT" -u root -e 'SELECT 1' >/dev/null 2>&1 && return
        sleep 0.2
    done
    cat "$WORK/$1.log"
    exit 1
}
start_proxy local
LOCAL_PORT=$PORT
start_proxy redis --redis redis://127.0.0.1:6379
REDIS_PORT=$PORT

tps() { # port seconds -> transactions per second
    sysbench oltp_point_select "${SB_COMMON[@]}" --rand-seed=42 --mysql-host=127.0.0.1 --mysql-port="$1" \
        --time="$2" --report-interval=0 run | sed -n 's/.*transactions: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p'
}
REPORT="$OUT/point_select.interleaved.txt"
{
    echo "# benchmarks/load/interleave.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo '?'),"
    echo "# $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $THREADS threads,"
    echo "# $ROUNDS rounds of $SECONDS_PER_ROUND s each for direct, proxy (in-process store), proxy (Redis)"
    echo "round direct_tps proxy_local_tps proxy_redis_tps"
} >"$REPORT"
for port in 3306 "$LOCAL_PORT" "$REDIS_PORT"; do
    tps "$port" "$WARMUP" >/dev/null # warm-up: caches filled, JIT compiled
done
for r in $(seq 1 "$ROUNDS"); do
    line="$r $(tps 3306 "$SECONDS_PER_ROUND") $(tps "$LOCAL_PORT" "$SECONDS_PER_ROUND") $(tps "$REDIS_PORT" "$SECONDS_PER_ROUND")"
    echo "interleave: round $line"
    echo "$line" >>"$REPORT"
done
python3 - "$REPORT" >>"$REPORT" <<'EOF'
import sys
rows = [list(map(float, l.split()[1:])) for l in open(sys.argv[1]) if l[0].isdigit()]
mean = [sum(c) / len(c) for c in zip(*rows)]
print("mean %.0f %.0f %.0f" % tuple(mean))
print("proxy (in-process store) / direct: %.2f" % (mean[1] / mean[0]))
print("proxy (Redis) / direct: %.2f" % (mean[2] / mean[0]))
EOF
tail -3 "$REPORT"
