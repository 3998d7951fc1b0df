package io.sqlcache.bench;

import io.sqlcache.SqlCacheStatement;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Many application threads at once, the driver's configurations alternating slice by slice in
 * one process ({@link Alternation}); each thread has a connection of its own, and all threads of
 * a variant share one data source configuration (one store, one spin limit), as in an
 * application. Two modes:
 *
 * <ul>
 *   <li>{@code hits}: what the hit's spin ({@code sqlcache.spinMicros}) costs an application that
 *       has more to do than wait. Each thread does some CPU work of its own, then a point hit, as
 *       the request threads of an application server do; variants {@code spin} (the default),
 *       {@code park} ({@code spinMicros=0}) and {@code lettuce} (spinning on the shared Lettuce
 *       connection, {@code redisLanes=0}). Per thread count and work: requests per second, the
 *       hit's mean wall time as its thread saw it, and the process's CPU per request, then the line
 *       {@code spin/park requests/s: r, spin/lettuce: r}. With fewer cores than threads a spin takes
 *       CPU another thread's work could have had: throughput, not the hit's latency, says whether
 *       it pays.</li>
 *   <li>{@code misses}: a stream of point misses (a new salt each), what the Redis store's lanes
 *       daemon thread (which sends the misses' SETs the threads leave in their lanes) costs and
 *       whether it keeps up; variants {@code lanes} and {@code lettuce} ({@code redisLanes=0}).
 *       Per variant: misses per second, the process's CPU per miss, and the CPU per miss of the
 *       {@code sqlcache-redis-lanes} thread.</li>
 * </ul>
 *
 * <p>Run ({@code java -cp benchmarks/target/sqlcache-benchmarks.jar io.sqlcache.bench.ConcurrentSplit ...}):
 * {@code hits [seconds per slice] [rounds] [threads,threads,...] [work µs,work µs,...]} (defaults 2,
 * 5, 1,2,4,8,16, 0,50,200); {@code misses [seconds per slice] [rounds] [threads]} (defaults 3, 5, 8).
 */
public final class ConcurrentSplit {

    private ConcurrentSplit() {
    }

    public static void main(String[] args) throws Exception {
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (args.length > 0 ? args[0] : "") {
            case "hits" -> hits(rest);
            case "misses" -> misses(rest);
            default -> {
                System.err.println("usage: ConcurrentSplit hits [seconds] [rounds] [threads,...] [work µs,...]"
                        + " | misses [seconds] [rounds] [threads]");
                System.exit(2);
            }
        }
        System.exit(0);
    }

    // ------------------------------------------------------------------ hits

    /** The spinning driver and the parked one on the threads' own Redis connections, and the spinning one on Lettuce's. */
    private static final String[] HIT_VARIANTS = {"spin", "park", "lettuce"};

    /** Quantities of a hits slice. */
    private static final int REQUESTS = 0;
    private static final int HIT_NANOS = 1;
    private static final int CPU_NANOS = 2;
    private static final int SECONDS = 3;

    private static void hits(String[] args) throws Exception {
        Alternation alternation = Alternation.fromArgs(HIT_VARIANTS.length, args, 2, 5);
        int[] threadCounts = ints(args.length > 2 ? args[2] : "1,2,4,8,16");
        int[] works = ints(args.length > 3 ? args[3] : "0,50,200");
        int maxThreads = Arrays.stream(threadCounts).max().orElseThrow();
        BenchData.ensure();
        long tokensPerMicro = calibrate();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String[] prefixes = new String[HIT_VARIANTS.length];
        List<Connection> conns = new ArrayList<>();
        List<List<PreparedStatement>> statements = new ArrayList<>();
        for (int v = 0; v < HIT_VARIANTS.length; v++) {
            prefixes[v] = BenchEnv.uniquePrefix();
            // one URL per variant: every thread's connection shares its store and its SpinWait
            String extra = "sqlcache.redis=" + BenchEnv.REDIS_URL + "&sqlcache.prefix=" + prefixes[v]
                    + (HIT_VARIANTS[v].equals("park") ? "&sqlcache.spinMicros=0" : "")
                    + (HIT_VARIANTS[v].equals("lettuce") ? "&sqlcache.redisLanes=0" : "");
            List<PreparedStatement> ps = new ArrayList<>();
            for (int t = 0; t < maxThreads; t++) {
                Connection c = BenchEnv.sqlcache(extra);
                conns.add(c);
                ps.add(c.prepareStatement(Shape.POINT.sql));
            }
            statements.add(ps);
            // store every key once, then check that a read is a hit
            for (int k = 0; k < Shape.KEYS; k++) {
                read(ps.get(0), k, 0);
            }
            try (RawRedis raw = new RawRedis()) {
                // the other threads' reads are hits only once the entries are in Redis
                if (BenchEnv.landedEntries(raw, prefixes[v], Shape.KEYS).size() != Shape.KEYS) {
                    throw new IllegalStateException(HIT_VARIANTS[v] + ": expected " + Shape.KEYS + " entries in Redis");
                }
            }
            for (PreparedStatement p : ps) {
                read(p, 1, 0);
                String outcome = p.unwrap(SqlCacheStatement.class).lastCacheOutcome();
                if (!"hit".equals(outcome)) {
                    throw new IllegalStateException(HIT_VARIANTS[v] + ": expected a hit, got " + outcome);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%7s %7s  %-5s %12s %12s %14s   (%d cores; %s)%n", "threads", "work µs", "hit",
                "requests/s", "hit µs", "CPU µs/request", Runtime.getRuntime().availableProcessors(),
                alternation.describe());
        for (int work : works) {
            for (int threads : threadCounts) {
                long tokens = work * tokensPerMicro;
                Alternation.Result r = alternation.run((v, round, nanos) -> {
                    long cpu0 = os.getProcessCpuTime();
                    double[] s = hitSlice(statements.get(v).subList(0, threads), tokens, nanos);
                    s[CPU_NANOS] = os.getProcessCpuTime() - cpu0;
                    return s;
                });
                for (int v = 0; v < HIT_VARIANTS.length; v++) {
                    System.out.printf(Locale.ROOT, "%7d %7d  %-7s %12.0f %12.1f %14.1f%n", threads, work, HIT_VARIANTS[v],
                            r.per(v, REQUESTS, SECONDS), r.per(v, HIT_NANOS, REQUESTS) / 1e3,
                            r.per(v, CPU_NANOS, REQUESTS) / 1e3);
                }
                System.out.printf(Locale.ROOT, "%7d %7d  spin/park requests/s: %.3f, spin/lettuce: %.3f%n", threads, work,
                        r.ratio(0, 1, REQUESTS, SECONDS), r.ratio(0, 2, REQUESTS, SECONDS));
            }
        }
        for (Connection c : conns) {
            c.close();
        }
        deleteAll(prefixes);
    }

    /**
     * Each statement's thread does {@code tokens} of work then a hit, until {@code nanos} have
     * passed: {requests, ns in the hits, 0 (the caller's CPU), wall seconds}.
     */
    private static double[] hitSlice(List<PreparedStatement> statements, long tokens, long nanos) throws Exception {
        LongAdder requests = new LongAdder();
        LongAdder hitNanos = new LongAdder();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
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
                        read(ps, k++ & (Shape.KEYS - 1), 0);
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
        return new double[] {requests.sum(), hitNanos.sum(), 0, wall / 1e9};
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

    // ------------------------------------------------------------------ misses

    private static final String[] MISS_VARIANTS = {"lanes", "lettuce"};

    /** Quantities of a misses slice, each a rate of that slice (averaged over rounds, as they were measured). */
    private static final int MISSES_PER_SECOND = 0;
    private static final int CPU_PER_MISS = 1;
    private static final int DAEMON_PER_MISS = 2;

    private static void misses(String[] args) throws Exception {
        Alternation alternation = Alternation.fromArgs(MISS_VARIANTS.length, args, 3, 5);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        BenchData.ensure();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String[] prefixes = new String[MISS_VARIANTS.length];
        List<Connection> conns = new ArrayList<>();
        List<List<PreparedStatement>> statements = new ArrayList<>();
        Alternation.Result result;
        try {
            for (int v = 0; v < MISS_VARIANTS.length; v++) {
                prefixes[v] = BenchEnv.uniquePrefix();
                String extra = "sqlcache.redis=" + BenchEnv.REDIS_URL + "&sqlcache.prefix=" + prefixes[v]
                        + "&sqlcache.ttl=30" + (MISS_VARIANTS[v].equals("lettuce") ? "&sqlcache.redisLanes=0" : "");
                List<PreparedStatement> ps = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Connection c = BenchEnv.sqlcache(extra);
                    conns.add(c);
                    ps.add(c.prepareStatement(Shape.POINT.sql));
                }
                statements.add(ps);
            }
            long[] salt = {1};
            result = alternation.run((v, round, nanos) -> {
                LongAdder misses = new LongAdder();
                long daemon0 = lanesDaemonCpu(mx);
                long cpu0 = os.getProcessCpuTime();
                long start = System.nanoTime();
                List<Thread> running = new ArrayList<>();
                List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
                long end = start + nanos;
                for (PreparedStatement p : statements.get(v)) {
                    long first = salt[0];
                    salt[0] += 1L << 32; // each thread's salts never meet another's
                    Thread t = new Thread(() -> {
                        long s = first;
                        int i = 0;
                        try {
                            while (System.nanoTime() < end) {
                                read(p, i++ & (Shape.KEYS - 1), s++);
                                misses.increment();
                            }
                        } catch (Exception e) {
                            failures.add(e);
                        }
                    });
                    running.add(t);
                    t.start();
                }
                for (Thread t : running) {
                    t.join();
                }
                if (!failures.isEmpty()) {
                    throw failures.get(0);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                return new double[] {misses.sum() / seconds, (os.getProcessCpuTime() - cpu0) / 1e3 / misses.sum(),
                    (lanesDaemonCpu(mx) - daemon0) / 1e3 / misses.sum()};
            });
            if (!"miss".equals(statements.get(0).get(0).unwrap(SqlCacheStatement.class).lastCacheOutcome())) {
                throw new IllegalStateException("the reads were not misses");
            }
        } finally {
            for (Connection c : conns) {
                c.close();
            }
            deleteAll(prefixes);
        }
        System.out.printf(Locale.ROOT, "%7s %-8s %10s %16s %26s   (%s)%n", "threads", "variant", "misses/s", "CPU µs/miss",
                "lanes daemon CPU µs/miss", alternation.describe());
        for (int v = 0; v < MISS_VARIANTS.length; v++) {
            System.out.printf(Locale.ROOT, "%7d %-8s %10.0f %16.1f %26.2f%n", threads, MISS_VARIANTS[v],
                    result.mean(v, MISSES_PER_SECOND), result.mean(v, CPU_PER_MISS), result.mean(v, DAEMON_PER_MISS));
        }
    }

    /** CPU time of the lanes daemon threads ({@code sqlcache-redis-lanes}) so far, ns. */
    private static long lanesDaemonCpu(ThreadMXBean mx) {
        long sum = 0;
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("sqlcache-redis-lanes")) {
                sum += Math.max(0, mx.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }

    // ------------------------------------------------------------------ shared

    private static long read(PreparedStatement ps, int key, long salt) throws Exception {
        Shape.POINT.bind(ps, key, salt);
        try (ResultSet rs = ps.executeQuery()) {
            return Shape.POINT.read(rs);
        }
    }

    private static void deleteAll(String[] prefixes) {
        try (RawRedis raw = new RawRedis()) {
            for (String p : prefixes) {
                if (p != null) {
                    raw.deleteAll(p);
                }
            }
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
