package io.sqlcache.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * A stream of misses from many threads: what the Redis store's lanes daemon thread (which sends
 * the misses' SETs its threads leave in their lanes, and reads the replies) costs, and whether
 * it keeps up. Each thread has its own connection and runs point misses (a new salt each, as
 * {@code ReadBenchmark}'s {@code sqlcache-miss}); the driver with its lanes and the driver on
 * the shared Lettuce connection only ({@code sqlcache.redisLanes=0}) alternate slice by slice,
 * order rotated round by round, the first round warm-up.
 *
 * <p>Per variant: misses per second, the process's CPU per miss, and the lanes daemon thread's
 * CPU per miss ({@code sqlcache-redis-lanes}; with {@code redisLanes=0} only the other variant's
 * daemon finishing its ticks).
 *
 * <p>Run: {@code java -cp benchmarks/target/sqlcache-benchmarks.jar io.sqlcache.bench.ConcurrentMisses
 * [seconds per slice] [rounds] [threads]} (defaults 3, 5, 8).
 */
public final class ConcurrentMisses {

    private static final String[] VARIANTS = {"lanes", "lettuce"};

    private ConcurrentMisses() {
    }

    public static void main(String[] args) throws Exception {
        long nanos = BenchEnv.sliceNanos(args, 3);
        int rounds = BenchEnv.rounds(args, 5);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        BenchData.ensure();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String[] prefixes = new String[VARIANTS.length];
        List<Connection> conns = new ArrayList<>();
        List<List<PreparedStatement>> statements = new ArrayList<>();
        double[] perSecond = new double[VARIANTS.length];
        double[] cpu = new double[VARIANTS.length];
        double[] daemon = new double[VARIANTS.length];
        try {
            for (int v = 0; v < VARIANTS.length; v++) {
                prefixes[v] = BenchEnv.uniquePrefix();
                String extra = "sqlcache.redis=" + BenchEnv.REDIS_URL + "&sqlcache.prefix=" + prefixes[v]
                        + "&sqlcache.ttl=30" + (VARIANTS[v].equals("lettuce") ? "&sqlcache.redisLanes=0" : "");
                List<PreparedStatement> ps = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Connection c = BenchEnv.sqlcache(extra);
                    conns.add(c);
                    ps.add(c.prepareStatement(Shape.POINT.sql));
                }
                statements.add(ps);
            }
            long salt = 1;
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < VARIANTS.length; k++) {
                    int v = (k + r) % VARIANTS.length;
                    LongAdder misses = new LongAdder();
                    AtomicBoolean stop = new AtomicBoolean();
                    AtomicReference<Exception> failure = new AtomicReference<>();
                    List<Thread> running = new ArrayList<>();
                    long daemon0 = lanesDaemonCpu(mx);
                    long cpu0 = os.getProcessCpuTime();
                    long start = System.nanoTime();
                    for (PreparedStatement p : statements.get(v)) {
                        long first = salt;
                        salt += 1L << 32; // each thread's salts never meet another's
                        Thread t = new Thread(() -> {
                            long s = first;
                            int i = 0;
                            try {
                                while (!stop.get()) {
                                    Shape.POINT.bind(p, i++ & (Shape.KEYS - 1), s++);
                                    try (ResultSet rs = p.executeQuery()) {
                                        Shape.POINT.read(rs);
                                    }
                                    misses.increment();
                                }
                            } catch (Exception e) {
                                failure.compareAndSet(null, e);
                            }
                        });
                        running.add(t);
                        t.start();
                    }
                    Thread.sleep(nanos / 1_000_000);
                    stop.set(true);
                    for (Thread t : running) {
                        t.join();
                    }
                    if (failure.get() != null) {
                        throw failure.get();
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    if (r > 0) {
                        perSecond[v] += misses.sum() / seconds;
                        cpu[v] += (os.getProcessCpuTime() - cpu0) / 1e3 / misses.sum();
                        daemon[v] += (lanesDaemonCpu(mx) - daemon0) / 1e3 / misses.sum();
                    }
                }
            }
            if (!"miss".equals(statements.get(0).get(0).unwrap(io.sqlcache.SqlCacheStatement.class).lastCacheOutcome())) {
                throw new IllegalStateException("the reads were not misses");
            }
        } finally {
            for (Connection c : conns) {
                c.close();
            }
            try (RawRedis raw = new RawRedis()) {
                for (String p : prefixes) {
                    if (p != null) {
                        raw.deleteAll(p);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%7s %-8s %10s %16s %26s   (%d rounds of %d s slices, order rotated, first not counted)%n",
                "threads", "variant", "misses/s", "CPU µs/miss", "lanes daemon CPU µs/miss", rounds - 1,
                nanos / 1_000_000_000L);
        for (int v = 0; v < VARIANTS.length; v++) {
            System.out.printf(Locale.ROOT, "%7d %-8s %10.0f %16.1f %26.2f%n", threads, VARIANTS[v],
                    perSecond[v] / (rounds - 1), cpu[v] / (rounds - 1), daemon[v] / (rounds - 1));
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
}
