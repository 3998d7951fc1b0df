#!/usr/bin/env bash
# sqlcache load benchmark: sysbench through the proxy and straight to MariaDB, same data, same
# threads, same duration, one workload after the other. Writes the raw sysbench outputs to
# benchmarks/target/results/load/ (never committed) and the summary table, summary.md, there and to
# benchmarks/results/load/ (committed; LOAD.md discusses it).
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
#   WORKLOADS ["point_select read_only read_only_skip_trx read_write heavy_mix heavy_mix_1range heavy_mix_99to1"]
#   HEAVY_OPTS ["--heavy_ranges=4 --range_size=5000 --reads_per_write=9"]
#   PROXY_JAVA_OPTS []  extra JVM options for the proxy, e.g. -XX:StartFlightRecording=...
#   STORE [redis]  redis: the proxy caches in Redis, as in production behind several proxies;
#                  local: in its own memory (the proxy's default without --redis)
#   OUT [benchmarks/target/results/load, .../load/local with STORE=local]  the raw outputs
#   SUMMARY_DIR [benchmarks/results/load, .../load/local with STORE=local]  where summary.md is copied
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
WORKLOADS=${WORKLOADS:-"point_select read_only read_only_skip_trx read_write heavy_mix heavy_mix_1range heavy_mix_99to1"}
HEAVY_OPTS=${HEAVY_OPTS:-"--heavy_ranges=4 --range_size=5000 --reads_per_write=9"}
PROXY_JAVA_OPTS=${PROXY_JAVA_OPTS:-}
LOCAL_DIR=$([ "${STORE:-redis}" = local ] && echo /local || true)
OUT=${OUT:-benchmarks/target/results/load$LOCAL_DIR}
SUMMARY_DIR=${SUMMARY_DIR:-benchmarks/results/load$LOCAL_DIR}
MYSQL_HOST=127.0.0.1
MYSQL_PORT=3306
REDIS_URL=redis://127.0.0.1:6379

mkdir -p "$OUT" "$SUMMARY_DIR"
OUT=$(cd "$OUT" && pwd)
SUMMARY_DIR=$(cd "$SUMMARY_DIR" && pwd)
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
    if [ -n "${RELAY_PID:-}" ]; then
        kill -TERM "$RELAY_PID" 2>/dev/null
        wait "$RELAY_PID" 2>/dev/null
    fi
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
PROXY_ARGS=(--backend "$MYSQL_HOST:$MYSQL_PORT" --listen "127.0.0.1:$PORT" --config "$WORK/proxy.properties")
case "${STORE:-redis}" in
    redis) PROXY_ARGS+=(--redis "$REDIS_URL") ;;
    local) ;;
    *) echo "STORE must be redis or local, not ${STORE}" >&2; exit 2 ;;
esac
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

# ---- where the CPU goes: ticks of the machine and of each process, around each measured run ----
MARIADB_PID=$(mariadb -N -B -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u root -e 'SELECT @@pid_file' | xargs cat 2>/dev/null || true)
REDIS_PID=$(redis-cli -h 127.0.0.1 -p 6379 info server | sed -n 's/^process_id:\([0-9]*\).*/\1/p')
HZ=$(getconf CLK_TCK)
ticks() { # pid -> utime + stime of the process (0 if unknown)
    if [ -n "$1" ] && [ -r "/proc/$1/stat" ]; then
        awk '{ print $14 + $15 }' "/proc/$1/stat"
    else
        echo 0
    fi
}
switches() { # pid -> context switches of all its threads
    if [ -n "$1" ] && [ -d "/proc/$1/task" ]; then
        cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'
    else
        echo 0
    fi
}
user_ticks() { # pid -> utime of the process (0 if unknown)
    if [ -n "$1" ] && [ -r "/proc/$1/stat" ]; then
        awk '{ print $14 }' "/proc/$1/stat"
    else
        echo 0
    fi
}
cpu_snapshot() { # -> "busy total proxy mariadb redis proxy_switches proxy_user"
    read -r _ u n s i w q sq st _ </proc/stat
    echo "$((u + n + s + q + sq + st)) $((u + n + s + i + w + q + sq + st)) $(ticks "$PROXY_PID") $(ticks "$MARIADB_PID") $(ticks "$REDIS_PID") $(switches "$PROXY_PID") $(user_ticks "$PROXY_PID")"
}
cpu_delta() { # before after -> "busy% proxy_cores mariadb_cores redis_cores proxy_switches busy_cores proxy_user_cores"
    python3 - "$1" "$2" "$HZ" "$(nproc)" <<'PY'
import sys
b = list(map(int, sys.argv[1].split())); a = list(map(int, sys.argv[2].split())); hz = int(sys.argv[3]); n = int(sys.argv[4])
total = a[1] - b[1]
wall = total / n / hz  # seconds
cores = lambda i: (a[i] - b[i]) / hz / wall
print("%.0f %.2f %.2f %.2f %d %.2f %.2f" % (100 * (a[0] - b[0]) / total, cores(2), cores(3), cores(4), a[5] - b[5],
                                            cores(0), cores(6)))
PY
}

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
        # transactions with writes: REPEATABLE READ reads served from the cache, writes marked and settled
        read_write) echo "oltp_read_write --mysql-ignore-errors=1213,1205" ;;
        heavy_mix) echo "$ROOT/benchmarks/load/heavy_mix.lua $HEAVY_OPTS" ;;
        # the same report with one range only (one recomputation per write at best)
        heavy_mix_1range) echo "$ROOT/benchmarks/load/heavy_mix.lua $HEAVY_OPTS --heavy_ranges=1" ;;
        # the same report with 99 reads per write
        heavy_mix_99to1) echo "$ROOT/benchmarks/load/heavy_mix.lua $HEAVY_OPTS --reads_per_write=99" ;;
        *) echo "load: unknown workload $1" >&2; exit 1 ;;
    esac
}

SUMMARY="$OUT/summary.tsv"
printf 'workload\ttarget\ttps\tqps\tp95_ms\thits\tmisses\thit_ratio\tcpu_busy_pct\tproxy_cores\tmariadb_cores\tredis_cores\tproxy_ctx_switches\tbusy_cores\tproxy_user_cores\n' >"$SUMMARY"
# The floor of an extra hop: a plain TCP relay (socat, no parsing, no cache) in front of MariaDB,
# measured on point_select only; and Redis round trips alone (redis-benchmark, same client count).
RELAY_PORT=
if [ "${FLOOR:-1}" = 1 ] && command -v socat >/dev/null; then
    RELAY_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    socat "TCP-LISTEN:$RELAY_PORT,bind=127.0.0.1,fork,reuseaddr" "TCP:$MYSQL_HOST:$MYSQL_PORT,nodelay" &
    RELAY_PID=$!
    for _ in $(seq 1 50); do
        mariadb -h 127.0.0.1 -P "$RELAY_PORT" -u root -e 'SELECT 1' >/dev/null 2>&1 && break
        sleep 0.1
    done
    redis-benchmark -h 127.0.0.1 -p 6379 -c "$THREADS" -n 300000 -t get -P 1 -q \
        | tr '\r' '\n' | grep -v '^$' | tail -1 >"$OUT/redis-benchmark.txt"
    echo "load: redis-benchmark GET, $THREADS clients: $(cat "$OUT/redis-benchmark.txt")"
fi

for w in $WORKLOADS; do
    targets="direct proxy"
    if [ -n "$RELAY_PORT" ] && [ "$w" = point_select ]; then targets="direct relay proxy"; fi
    for target in $targets; do
        case "$target" in
            direct) port=$MYSQL_PORT ;;
            relay) port=$RELAY_PORT ;;
            *) port=$PORT ;;
        esac
        # shellcheck disable=SC2046
        args=($(sysbench_args "$w") "${SB_COMMON[@]}" --mysql-host=127.0.0.1 --mysql-port="$port"
              --percentile=95 --histogram=off --report-interval=0 --rand-seed=42)
        echo "load: $w $target: warm-up ${WARMUP} s"
        sysbench "${args[@]}" --time="$WARMUP" run >"$WORK/warmup.txt" 2>&1 \
            || { cat "$WORK/warmup.txt"; exit 1; }
        [ "$target" = proxy ] && status >"$WORK/before.txt"
        echo "load: $w $target: ${DURATION} s"
        echo "# sysbench ${args[*]} --time=$DURATION run" >"$OUT/$w.$target.txt"
        cpu_before=$(cpu_snapshot)
        sysbench "${args[@]}" --time="$DURATION" run >>"$OUT/$w.$target.txt" 2>&1 \
            || { cat "$OUT/$w.$target.txt"; exit 1; }
        cpu=$(cpu_delta "$cpu_before" "$(cpu_snapshot)")
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
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$target" "$tps" "$qps" "$p95" "$hits" "$misses" "$ratio" \
            "$(echo "$cpu" | tr ' ' '\t')" >>"$SUMMARY"
        echo "load: $w $target: tps $tps qps $qps p95 ${p95} ms ${hits:+hits $hits misses $misses ratio $ratio} cpu (busy%, cores of proxy mariadb redis, proxy switches, busy cores, proxy user cores) $cpu"
    done
done

# ---- the table: proxy / direct per workload ----
python3 - "$SUMMARY" "$DURATION" >"$OUT/summary.md" <<'EOF'
import csv, sys
duration = float(sys.argv[2])
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {(r["workload"], r["target"]): r for r in rows}
relay_notes = []
print("| workload | direct tps | proxy tps | proxy/direct tps | direct qps | proxy qps | direct p95 ms | proxy p95 ms | proxy hits | proxy misses | hit ratio |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
cpu = ["", "CPU during each measured run (machine busy %; cores used by the proxy, MariaDB, Redis; the rest is sysbench and the kernel),"
       " then CPU µs per query: the whole machine's, the proxy's in user space and in the kernel (its system calls and the"
       " loopback TCP they drive), MariaDB's and Redis's:", "",
       "| workload | target | busy % | proxy cores | MariaDB cores | Redis cores | machine µs / query | proxy user µs / query"
       " | proxy kernel µs / query | MariaDB µs / query | Redis µs / query | proxy context switches / query |",
       "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for r in rows:
    px = r["target"] == "proxy"
    q = float(r["qps"]) or float("nan")
    per_q = lambda cores: "%.1f" % (float(cores) * 1e6 / q)
    user = r.get("proxy_user_cores") or "nan"
    kernel = float(r["proxy_cores"]) - float(user)
    cpu.append(f"| {r['workload']} | {r['target']} | {r['cpu_busy_pct']} | {r['proxy_cores'] if px else ''}"
               f" | {r['mariadb_cores']} | {r['redis_cores']} | {per_q(r.get('busy_cores') or 'nan')}"
               f" | {per_q(user) if px else ''} | {per_q(kernel) if px else ''}"
               f" | {per_q(r['mariadb_cores'])} | {per_q(r['redis_cores'])}"
               f" | {'%.1f' % (int(r['proxy_ctx_switches']) / (q * duration)) if px else ''} |")
for w in dict.fromkeys(r["workload"] for r in rows):
    d, p = by.get((w, "direct")), by.get((w, "proxy"))
    if not d or not p:
        continue
    ratio = float(p["tps"]) / float(d["tps"]) if float(d["tps"]) else float("nan")
    rel = by.get((w, "relay"))
    if rel:
        relay_notes.append(f"{w} through a plain TCP relay (socat): {rel['tps']} tps,"
                           f" {float(rel['tps']) / float(d['tps']):.2f} x direct, p95 {rel['p95_ms']} ms")
    print(f"| {w} | {d['tps']} | {p['tps']} | **{ratio:.2f}** | {d['qps']} | {p['qps']} | {d['p95_ms']} | {p['p95_ms']}"
          f" | {p['hits']} | {p['misses']} | {p['hit_ratio']} |")
print("\n".join(cpu))
for n in relay_notes:
    print("\n" + n)
EOF
cp "$OUT/summary.md" "$SUMMARY_DIR/summary.md"
cat "$OUT/summary.md"
