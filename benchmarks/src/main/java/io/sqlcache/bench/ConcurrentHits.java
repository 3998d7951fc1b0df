package io.sqlcache.bench;

import io.sqlcache.SqlCacheStatement;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the hit's spin ({@code sqlcache.spinMicros}) costs an application that has more to do
 * than wait: many threads, each doing some CPU work of its own, then a point hit through the
 * driver with Redis, as the request threads of an application server do. The spinning and the
 * parked driver alternate slice by slice in one process (order rotated round by round; the
 * first round is warm-up); all threads of a variant share one data source configuration, so
 * one store and one spin limit, as in an application.
 *
 * <p>Per thread count and work: requests per second (work plus hit), the hit's mean wall time
 * as its thread saw it, and the process's CPU per request. On a machine with fewer cores than
 * threads, a spin takes CPU another thread's work could have had: throughput, not the hit's
 * latency, says whether it pays.
 *
 * <p>Run: {@code java -cp benchmarks/target/sqlcache-benchmarks.jar io.sqlcache.bench.ConcurrentHits
 * [seconds per slice] [rounds] [threads,threads,...] [work µs,work µs,...]} (defaults 2, 5,
 * 1,2,4,8,16, 0,50,200).
 */
public final class ConcurrentHits {

    /**
     * The spinning driver, the parked one (both on the threads' own Redis connections), and the
     * spinning one on the shared Lettuce connection ({@code sqlcache.redisLanes=0}).
     */
    private static final String[] VARIANTS = {"spin", "park", "lettuce"};

    private ConcurrentHits() {
    }

    public static void main(String[] args) throws Exception {
        long nanos = BenchEnv.sliceNanos(args, 2);
        int rounds = BenchEnv.rounds(args, 5);
        int[] threadCounts = ints(args.length > 2 ? args[2] : "1,2,4,8,16");
        int[] works = ints(args.length > 3 ? args[3] : "0,50,200");
        int maxThreads = java.util.Arrays.stream(threadCounts).max().orElseThrow();
        BenchData.ensure();
        long tokensPerMicro = calibrate();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String[] prefixes = new String[VARIANTS.length];
        for (int v = 0; v < VARIANTS.length; v++) {
            prefixes[v] = BenchEnv.uniquePrefix();
        }
        List<List<Connection>> conns = new ArrayList<>();
        List<List<PreparedStatement>> statements = new ArrayList<>();
        for (int v = 0; v < VARIANTS.length; v++) {
            // one URL per variant: every thread's connection shares its store and its SpinWait
            String extra = "sqlcache.redis=" + BenchEnv.REDIS_URL + "&sqlcache.prefix=" + prefixes[v]
                    + (VARIANTS[v].equals("park") ? "&sqlcache.spinMicros=0" : "")
                    + (VARIANTS[v].equals("lettuce") ? "&sqlcache.redisLanes=0" : "");
            List<Connection> cs = new ArrayList<>();
            List<PreparedStatement> ps = new ArrayList<>();
            for (int t = 0; t < maxThreads; t++) {
                Connection c = BenchEnv.sqlcache(extra);
                cs.add(c);
                ps.add(c.prepareStatement(Shape.POINT.sql));
            }
            conns.add(cs);
            statements.add(ps);
            // store every key once, then check that a read is a hit
            for (int k = 0; k < Shape.KEYS; k++) {
                read(ps.get(0), k);
            }
            try (RawRedis raw = new RawRedis()) {
                // the other threads' reads are hits only once the entries are in Redis
                if (BenchEnv.landedEntries(raw, prefixes[v], Shape.KEYS).size() != Shape.KEYS) {
                    throw new IllegalStateException(VARIANTS[v] + ": expected " + Shape.KEYS + " entries in Redis");
                }
            }
            for (PreparedStatement p : ps) {
                read(p, 1);
                String outcome = p.unwrap(SqlCacheStatement.class).lastCacheOutcome();
                if (!"hit".equals(outcome)) {
                    throw new IllegalStateException(VARIANTS[v] + ": expected a hit, got " + outcome);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%7s %7s  %-5s %12s %12s %14s   (%d cores; %d rounds of %d s slices,"
                        + " order rotated, first not counted)%n", "threads", "work µs", "hit", "requests/s",
                "hit µs", "CPU µs/request", Runtime.getRuntime().availableProcessors(), rounds - 1,
                nanos / 1_000_000_000L);
        for (int work : works) {
            for (int threads : threadCounts) {
                double[] requests = new double[VARIANTS.length];
                double[] hitNanos = new double[VARIANTS.length];
                double[] cpuNanos = new double[VARIANTS.length];
                double[] seconds = new double[VARIANTS.length];
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < VARIANTS.length; k++) {
                        int v = (k + r) % VARIANTS.length;
                        long cpu0 = os.getProcessCpuTime();
                        Slice s = slice(statements.get(v).subList(0, threads), work * tokensPerMicro, nanos);
                        long cpu = os.getProcessCpuTime() - cpu0;
                        if (r > 0) {
                            requests[v] += s.requests;
                            hitNanos[v] += s.hitNanos;
                            cpuNanos[v] += cpu;
                            seconds[v] += s.wallNanos / 1e9;
                        }
                    }
                }
                for (int v = 0; v < VARIANTS.length; v++) {
                    System.out.printf(Locale.ROOT, "%7d %7d  %-7s %12.0f %12.1f %14.1f%n", threads, work, VARIANTS[v],
                            requests[v] / seconds[v], hitNanos[v] / requests[v] / 1e3, cpuNanos[v] / requests[v] / 1e3);
                }
                System.out.printf(Locale.ROOT, "%7d %7d  spin/park requests/s: %.3f, spin/lettuce: %.3f%n", threads,
                        work, requests[0] / seconds[0] / (requests[1] / seconds[1]),
                        requests[0] / seconds[0] / (requests[2] / seconds[2]));
            }
        }
        try (RawRedis redis = new RawRedis()) {
            for (String p : prefixes) {
                redis.deleteAll(p);
            }
        }
        for (List<Connection> cs : conns) {
            for (Connection c : cs) {
                c.close();
            }
        }
        System.exit(0);
    }

    private record Slice(long requests, long hitNanos, long wallNanos) {
    }

    /** Each statement's thread does {@code tokens} of work then a hit, until {@code nanos} have passed. */
    private static Slice slice(List<PreparedStatement> statements, long tokens, long nanos) throws Exception {
        LongAdder requests = new LongAdder();
        LongAdder hitNanos = new LongAdder();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] deadline = new long[1];
        for (int t = 0; t < statements.size(); t++) {
            PreparedStatement ps = statements.get(t);
            int first = t;
            Thread thread = new Thread(() -> {
                long n = 0;
                long hit = 0;
                int k = first;
                try {
                    start.await();
                    long end = deadline[0];
                    while (System.nanoTime() < end) {
                        Blackhole.consumeCPU(tokens);
                        long t0 = System.nanoTime();
                        read(ps, k++ & (Shape.KEYS - 1));
                        hit += System.nanoTime() - t0;
                        n++;
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
                requests.add(n);
                hitNanos.add(hit);
            });
            thread.start();
            threads.add(thread);
        }
        long t0 = System.nanoTime();
        deadline[0] = t0 + nanos;
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        long wall = System.nanoTime() - t0;
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return new Slice(requests.sum(), hitNanos.sum(), wall);
    }

    private static long read(PreparedStatement ps, int k) throws Exception {
        Shape.POINT.bind(ps, k, 0);
        try (ResultSet rs = ps.executeQuery()) {
            return Shape.POINT.read(rs);
        }
    }

    /** Blackhole tokens per microsecond of this thread's CPU. */
    private static long calibrate() {
        long tokens = 1_000;
        for (int i = 0; i < 5; i++) {
            // warm up and grow until one call lasts about 10 ms
            long t0 = System.nanoTime();
            Blackhole.consumeCPU(tokens);
            long took = System.nanoTime() - t0;
            tokens = Math.max(1_000, tokens * 10_000_000L / Math.max(1, took));
        }
        long t0 = System.nanoTime();
        Blackhole.consumeCPU(tokens);
        return Math.max(1, tokens * 1_000L / (System.nanoTime() - t0));
    }

    private static int[] ints(String csv) {
        return java.util.Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
