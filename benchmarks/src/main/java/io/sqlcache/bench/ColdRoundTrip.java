package io.sqlcache.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Locale;
import java.util.Map;

/**
 * What one Redis round trip costs after what came before it: the round trip of the write and
 * miss targets ("direct + N round trips") is measured back to back, where Redis and Lettuce's
 * I/O thread never rest; in a write or a miss it follows a database statement, during which
 * both went idle. Each case times a raw Lettuce MSET of two version-sized values (the driver's
 * bump of a point write) after:
 * <ul>
 *   <li>{@code nothing}: the previous MSET, back to back;</li>
 *   <li>{@code update}: the benchmark's autocommit UPDATE (WriteBenchmark's);</li>
 *   <li>{@code select}: a primary-key SELECT;</li>
 *   <li>{@code join}: the JOIN shape's report query (about 14 ms), its rows read, as before a
 *       join miss's store and, in a stream of misses, the next miss's lookup;</li>
 *   <li>{@code spin 300 µs}, {@code sleep 1 ms} and {@code sleep 15 ms}: no database at all, the
 *       caller busy or asleep while Redis and the I/O thread rest, as they do during a statement;</li>
 *   <li>{@code sleep 15 ms, 90 µs}: the sleep, then 90 µs of spinning, as long as a cold join miss
 *       plans and keys its read before its lookup;</li>
 *   <li>{@code sleep 15 ms, ping, 90 µs}: the same with a PING written on the socket before the
 *       spin, its reply read after the MSET's: whether waking Redis ahead of a round trip takes
 *       the wake-up off it, and what the PING's write costs (in the statement column).</li>
 * </ul>
 * and {@code update alone}: the UPDATE back to back, no MSET, the {@code direct} of the write
 * target. Every other MSET of a case goes instead through a plain blocking socket (one
 * {@code write}, one {@code read} on the calling thread, no I/O thread): what a round trip
 * costs without Lettuce, so that what rests and wakes is Redis alone. The statement is timed too: it
 * pays the same price, its server having rested during the MSET. The cases alternate slice by slice
 * ({@link Alternation}: order rotated round by round, the first round warm-up).
 *
 * <p>Run: {@code java -cp benchmarks/target/sqlcache-benchmarks.jar io.sqlcache.bench.ColdRoundTrip [seconds] [rounds]}.
 */
public final class ColdRoundTrip {

    private ColdRoundTrip() {
    }

    private static final String[] CASES = {"nothing", "update", "update alone", "select", "join", "spin 300 µs",
        "sleep 1 ms", "sleep 15 ms", "sleep 15 ms, 90 µs", "sleep 15 ms, ping, 90 µs"};

    /** Quantities of a slice: µs of Lettuce MSETs, µs of statements, operations, µs of socket MSETs, socket MSETs. */
    private static final int MSET = 0;
    private static final int STATEMENT = 1;
    private static final int OPS = 2;
    private static final int SOCKET = 3;
    private static final int SOCKET_OPS = 4;

    public static void main(String[] args) throws Exception {
        Alternation alternation = Alternation.fromArgs(CASES.length, args, 3, 4);
        BenchData.ensure();
        String prefix = BenchEnv.uniquePrefix();
        byte[] value = Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);
        Alternation.Result result;
        try (Connection db = BenchEnv.direct(); RawRedis redis = new RawRedis();
             SocketMset socket = new SocketMset(prefix + "v", prefix + "b", value);
             PreparedStatement update = db.prepareStatement(WriteBenchmark.UPDATE);
             PreparedStatement select = db.prepareStatement("SELECT id, name FROM bench_users WHERE id = ?");
             PreparedStatement join = db.prepareStatement(Shape.JOIN.sql)) {
            Map<String, byte[]> bump = Map.of(prefix + "v", value, prefix + "b", value);
            long[] n = new long[1];
            result = alternation.run((v, round, nanos) -> {
                String c = CASES[v];
                long count = 0;
                long timed = 0;
                long socketTimed = 0;
                long socketCount = 0;
                long statement = 0;
                long start = System.nanoTime();
                while (System.nanoTime() - start < nanos) {
                    int id = 1 + (int) (n[0]++ * 7919 % BenchData.USERS);
                    long t0 = System.nanoTime();
                    switch (c) {
                        case "update", "update alone" -> {
                            update.setInt(1, id);
                            update.executeUpdate();
                        }
                        case "select" -> {
                            select.setInt(1, id);
                            try (ResultSet rs = select.executeQuery()) {
                                rs.next();
                            }
                        }
                        case "join" -> {
                            Shape.JOIN.bind(join, (int) n[0], 0);
                            try (ResultSet rs = join.executeQuery()) {
                                Shape.JOIN.read(rs);
                            }
                        }
                        case "spin 300 µs" -> spin(300_000);
                        case "sleep 1 ms" -> Thread.sleep(1);
                        case "sleep 15 ms" -> Thread.sleep(15);
                        case "sleep 15 ms, 90 µs", "sleep 15 ms, ping, 90 µs" -> {
                            Thread.sleep(15);
                            if (c.endsWith("ping, 90 µs")) {
                                socket.ping();
                            }
                            spin(90_000);
                        }
                        default -> {
                        }
                    }
                    long t = System.nanoTime();
                    statement += t - t0;
                    if (c.equals("update alone")) {
                        count++;
                        continue;
                    }
                    if ((n[0] & 1) == 0) {
                        socket.mset();
                        socketTimed += System.nanoTime() - t;
                        socketCount++;
                        continue;
                    }
                    redis.sync.mset(bump);
                    timed += System.nanoTime() - t;
                    socket.readPong();
                    count++;
                }
                return new double[] {timed / 1e3, statement / 1e3, count + socketCount, socketTimed / 1e3, socketCount};
            });
            redis.sync.del(prefix + "v", prefix + "b");
        }
        System.out.printf(Locale.ROOT, "%-26s %14s %10s %16s   (%s)%n", "case", "statement µs", "MSET µs", "socket MSET µs",
                alternation.describe());
        for (int v = 0; v < CASES.length; v++) {
            boolean msets = !CASES[v].equals("update alone");
            double lettuce = result.total(v, MSET) / (result.total(v, OPS) - result.total(v, SOCKET_OPS));
            System.out.printf(Locale.ROOT, "%-26s %14.1f %10s %16s%n", CASES[v], result.per(v, STATEMENT, OPS),
                    msets ? String.format(Locale.ROOT, "%.1f", lettuce) : "-",
                    msets ? String.format(Locale.ROOT, "%.1f", result.per(v, SOCKET, SOCKET_OPS)) : "-");
        }
    }

    private static void spin(long nanos) {
        long s = System.nanoTime();
        while (System.nanoTime() - s < nanos) {
            Thread.onSpinWait();
        }
    }
}
