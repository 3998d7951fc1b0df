package io.sqlcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.SqlCacheDriver;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.RedisServerProcess;
import io.sqlcache.testing.TestEnv;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * I1 under load, across two JVMs, with the cache-aside race forced and Redis failing.
 *
 * <p>Writers in both JVMs increment a few counters through the driver (autocommit and in
 * transactions) and, once the write has <em>returned</em>, publish the value they committed as a
 * lower bound: in memory for their own JVM, and in a table {@code seen} through a direct
 * connection ({@code GREATEST}, so bounds only grow). A reader takes the bounds <em>before</em> it
 * starts its read through the driver (point, range, join, aggregate); a value below a bound is a
 * stale read. The check is sound across processes because the database orders everything: a
 * bound the reader can see was published after the write returned, so that write returned before
 * the read began, which is exactly the case I1 covers. Values only grow, so "older" is "smaller".
 *
 * <p>{@link RaceHooks} pause readers between their version snapshot and their query, and
 * between their query and their store write, so slow readers race writers all the time.
 *
 * <p>Faults: Redis killed and restarted, or frozen (SIGSTOP) longer than the timeouts, mid-run.
 * Application queries must never fail. Reads must never be older than a write of their own JVM.
 * Across JVMs a write made while Redis was frozen cannot be seen by the other JVM's cache until
 * the writing JVM has sent the bump it remembers (the README's "Guarantees" states this): reads
 * older than such a write are tolerated only between the freeze and the moment every JVM
 * reported its remembered bumps sent, and counted. A restarted Redis has lost every counter and
 * entry, yet the same window applies: after the restart a JVM whose breaker is still open (or
 * whose client is still reconnecting) cannot bump, while the other JVM already caches again. A
 * store call that times out without a fault (a busy machine, 200 ms) is the same outage: a writer
 * whose write returned with its bump remembered notes the time before it publishes the bound,
 * and the window runs from the first such note to the healing.
 *
 * <p>Short by default (CI); {@code -Dsqlcache.longTests=true} runs each variant for a minute.
 */
class StaleReadIT {

    private static final boolean LONG = Boolean.getBoolean("sqlcache.longTests");
    private static final int ROWS = 4;

    private String counters;
    private String labels;
    private String seen;
    private String control;

    @BeforeEach
    void createTables() throws SQLException {
        counters = Db.uniqueTable("sr_counters");
        labels = Db.uniqueTable("sr_labels");
        seen = Db.uniqueTable("sr_seen");
        control = Db.uniqueTable("sr_control");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + counters + " (id INT PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB",
                    "CREATE TABLE " + labels + " (id INT PRIMARY KEY, cid INT NOT NULL, label VARCHAR(20))",
                    "CREATE TABLE " + seen + " (id INT PRIMARY KEY, v BIGINT NOT NULL)",
                    "CREATE TABLE " + control + " (k VARCHAR(40) PRIMARY KEY, t BIGINT NOT NULL)");
            for (int i = 1; i <= ROWS; i++) {
                Db.exec(c, "INSERT INTO " + counters + " VALUES (" + i + ", 0)",
                        "INSERT INTO " + labels + " VALUES (" + i + ", " + i + ", 'row " + i + "')",
                        "INSERT INTO " + seen + " VALUES (" + i + ", 0)");
            }
        }
    }

    @AfterEach
    void dropTables() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + counters, "DROP TABLE IF EXISTS " + labels,
                    "DROP TABLE IF EXISTS " + seen, "DROP TABLE IF EXISTS " + control);
        }
    }

    enum Fault { NONE, KILL, PAUSE }

    @Test
    void noStaleReadAcrossTwoJvmsWithTheRaceForced() throws Exception {
        run(Fault.NONE, LONG ? 60_000 : 12_000);
    }

    @Test
    void noFailedQueryAndNoStaleReadWhenRedisIsKilledAndRestarted() throws Exception {
        run(Fault.KILL, LONG ? 60_000 : 10_000);
    }

    @Test
    void noFailedQueryAndOnlyTheStatedWindowWhenRedisIsFrozen() throws Exception {
        run(Fault.PAUSE, LONG ? 60_000 : 10_000);
    }

    private void run(Fault fault, long durationMs) throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            String url = TestEnv.sqlcacheUrl("sqlcache.redis=" + redis.uri() + "&sqlcache.prefix=" + Db.uniquePrefix()
                    + "&sqlcache.timeoutMs=200&sqlcache.breakerMs=100");
            String[] args = {url, counters, labels, seen, control, Long.toString(durationMs)};
            Process other = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                    Worker.class.getName(), args[0], args[1], args[2], args[3], args[4], args[5], "jvm-2")
                    .redirectErrorStream(true).start();
            List<String> otherOutput = Collections.synchronizedList(new ArrayList<>());
            Thread drain = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(other.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        otherOutput.add(line);
                    }
                } catch (java.io.IOException e) {
                    otherOutput.add("drain failed: " + e);
                }
            });
            drain.start();
            Worker.Report[] mine = new Worker.Report[1];
            Thread self = new Thread(() -> mine[0] = Worker.run(args, "jvm-1"));
            self.start();

            long faultStart = 0;
            long faultEnd = 0;
            if (fault != Fault.NONE) {
                Thread.sleep(durationMs / 3); // lets load build up before the fault: the schedule, not a race
                faultStart = System.currentTimeMillis();
                if (fault == Fault.KILL) {
                    redis.kill();
                    Thread.sleep(1500); // Redis stays dead for a while, under load
                    redis.restart();
                } else {
                    redis.pause();
                    Thread.sleep(1500); // frozen far longer than timeoutMs=200
                    redis.resume();
                }
                faultEnd = System.currentTimeMillis();
                try (Connection c = TestEnv.mysql()) {
                    Db.exec(c, "INSERT INTO " + control + " VALUES ('resumed', " + faultEnd + ")");
                }
            }
            self.join(durationMs + 120_000);
            assertThat(other.waitFor(durationMs + 120_000, TimeUnit.MILLISECONDS)).as("second JVM finished").isTrue();
            drain.join(10_000);
            String output = String.join("\n", otherOutput);
            assertThat(other.exitValue()).as("second JVM exit; output:\n%s", output).isZero();
            Worker.Report theirs = Worker.Report.parse(otherOutput);
            assertThat(theirs).as("second JVM report; output:\n%s", output).isNotNull();
            Worker.Report ours = mine[0];

            System.out.printf("StaleReadIT %s: jvm-1 %s%n                 jvm-2 %s%n", fault, ours, theirs);
            for (Worker.Report r : List.of(ours, theirs)) {
                assertThat(r.failed).as("failed application queries: %s", r.failures).isZero();
                assertThat(r.reads).as("reads").isGreaterThan(100);
                assertThat(r.writes).as("writes").isGreaterThan(20);
                assertThat(r.hits).as("reads served by the cache (else nothing was tested)").isPositive();
                assertThat(r.staleOwn).as("reads older than a write of their own JVM: %s", r.staleEvents).isZero();
            }
            long healed = Math.max(ours.healedAt, theirs.healedAt);
            // a store call that timed out on a busy machine is an outage the test did not cause:
            // the same window applies from the first write that returned with its bump remembered
            long outage = ours.outageAt == 0 ? theirs.outageAt
                    : theirs.outageAt == 0 ? ours.outageAt : Math.min(ours.outageAt, theirs.outageAt);
            if (fault != Fault.NONE) {
                assertThat(ours.healedAt).as("jvm-1 sent its remembered bumps").isPositive();
                assertThat(theirs.healedAt).as("jvm-2 sent its remembered bumps").isPositive();
            }
            for (Worker.Report r : List.of(ours, theirs)) {
                for (Worker.Stale s : r.staleEvents) {
                    boolean tolerated = fault != Fault.NONE && s.startedAt >= faultStart && s.startedAt <= healed
                            || outage > 0 && s.startedAt >= outage && s.startedAt <= healed;
                    assertThat(tolerated).as("stale read outside the stated window (fault %d..%d, store outage from %d,"
                            + " healed %d): %s", faultStart, faultEnd, outage, healed, s).isTrue();
                }
            }
        }
    }

    static String javaBin() {
        return String.join(File.separator, List.of(System.getProperty("java.home"), "bin", "java"));
    }

    /** One JVM's load: writers and readers on their own connections through the driver. */
    public static final class Worker {

        static final int WRITERS = 2;
        static final int READERS = 4;
        /** How long a JVM's load may go on past its stated time while it has had no hit at all. */
        static final long HIT_WAIT_MS = 30_000;

        record Stale(long startedAt, String query, String detail) {
        }

        /** What one JVM saw. Printed by the second JVM as lines the first parses. */
        static final class Report {
            long reads;
            long writes;
            long failed;
            long hits;
            long staleOwn;
            long healedAt;
            /** When a write of this JVM first returned with its bump remembered, not sent (the store failed); 0: never. */
            long outageAt;
            final List<String> failures = Collections.synchronizedList(new ArrayList<>());
            final List<Stale> staleEvents = Collections.synchronizedList(new ArrayList<>());

            synchronized void add(long reads, long writes) {
                this.reads += reads;
                this.writes += writes;
            }

            synchronized void fail(Throwable t) {
                failed++;
                if (failures.size() < 10) {
                    failures.add(t.toString());
                }
            }

            synchronized void outage(long at) {
                if (outageAt == 0 || at < outageAt) {
                    outageAt = at;
                }
            }

            synchronized void stale(Stale s, boolean own) {
                if (own) {
                    staleOwn++;
                }
                if (staleEvents.size() < 1000) {
                    staleEvents.add(s);
                }
            }

            List<String> lines() {
                List<String> out = new ArrayList<>();
                out.add("REPORT " + reads + " " + writes + " " + failed + " " + hits + " " + staleOwn + " " + healedAt + " "
                        + outageAt);
                for (String f : failures) {
                    out.add("FAILURE " + f.replace('\n', ' '));
                }
                for (Stale s : staleEvents) {
                    out.add("STALE " + s.startedAt + " " + s.query + " " + s.detail.replace('\n', ' '));
                }
                return out;
            }

            static Report parse(List<String> lines) {
                Report r = null;
                for (String line : lines) {
                    if (line.startsWith("REPORT ")) {
                        String[] f = line.split(" ");
                        r = new Report();
                        r.reads = Long.parseLong(f[1]);
                        r.writes = Long.parseLong(f[2]);
                        r.failed = Long.parseLong(f[3]);
                        r.hits = Long.parseLong(f[4]);
                        r.staleOwn = Long.parseLong(f[5]);
                        r.healedAt = Long.parseLong(f[6]);
                        r.outageAt = Long.parseLong(f[7]);
                    } else if (r != null && line.startsWith("FAILURE ")) {
                        r.failures.add(line.substring(8));
                    } else if (r != null && line.startsWith("STALE ")) {
                        String[] f = line.split(" ", 4);
                        r.staleEvents.add(new Stale(Long.parseLong(f[1]), f[2], f[3]));
                    }
                }
                return r;
            }

            @Override
            public String toString() {
                return "reads=" + reads + " writes=" + writes + " hits=" + hits + " failed=" + failed
                        + " staleOwn=" + staleOwn + " staleTotal=" + staleEvents.size() + " healedAt=" + healedAt
                        + " outageAt=" + outageAt;
            }
        }

        public static void main(String[] args) {
            Report r = run(args, args[6]);
            r.lines().forEach(System.out::println);
            System.exit(0);
        }

        static Report run(String[] args, String jvm) {
            String url = args[0];
            String counters = args[1];
            String labels = args[2];
            String seen = args[3];
            String control = args[4];
            long deadline = System.currentTimeMillis() + Long.parseLong(args[5]);
            Report report = new Report();
            AtomicLongArray own = new AtomicLongArray(ROWS + 1);
            CacheRuntime runtime;
            try {
                runtime = SqlCacheDriver.runtime(url, new Properties());
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            // slow readers on purpose: the classic race happens all the time
            RaceHooks.afterSnapshot = () -> pauseSometimes(0.3);
            RaceHooks.beforeStore = () -> pauseSometimes(0.3);
            long hitsBefore = runtime.stats().hits();
            // the load runs its stated time, and on past it (up to HIT_WAIT_MS) while this JVM has
            // not had a single hit: a cold JVM on a busy 2-core machine (its store calls timing out
            // at 200 ms, its bumps remembered) can spend the whole time bypassing, and then the
            // run would have tested nothing of the cache. Writers and readers go on together, so
            // the extra time is checked like the rest.
            long cap = deadline + HIT_WAIT_MS;
            java.util.function.BooleanSupplier running = () -> {
                long now = System.currentTimeMillis();
                return now < deadline || now < cap && runtime.stats().hits() == hitsBefore;
            };
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                threads.add(new Thread(() -> write(url, counters, seen, own, runtime, running, report), jvm + "-writer-" + w));
            }
            for (int i = 0; i < READERS; i++) {
                threads.add(new Thread(() -> read(url, counters, labels, seen, own, running, report), jvm + "-reader-" + i));
            }
            Thread healer = new Thread(() -> watchHealing(control, runtime, running, report), jvm + "-healer");
            threads.add(healer);
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            RaceHooks.afterSnapshot = null;
            RaceHooks.beforeStore = null;
            // per JVM runtime: in the first JVM no other test runs concurrently with this one's prefix
            report.hits = runtime.stats().hits() - hitsBefore;
            // a bump can fail again after the fault (a breaker re-opened while Redis caught up):
            // the stated window lasts until this JVM's last remembered bump landed
            report.healedAt = Math.max(report.healedAt, runtime.pendingClearedAtMillis());
            return report;
        }

        private static void pauseSometimes(double probability) {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            if (rnd.nextDouble() < probability) {
                try {
                    Thread.sleep(rnd.nextInt(1, 8));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private static void write(String url, String counters, String seen, AtomicLongArray own, CacheRuntime runtime,
                java.util.function.BooleanSupplier running,
                Report report) {
            long writes = 0;
            try (Connection app = DriverManager.getConnection(url);
                    Connection direct = TestEnv.mysql();
                    PreparedStatement bump = app.prepareStatement(
                            "UPDATE " + counters + " SET v = LAST_INSERT_ID(v + 1) WHERE id = ?");
                    PreparedStatement lock = app.prepareStatement(
                            "SELECT v FROM " + counters + " WHERE id = ? FOR UPDATE");
                    PreparedStatement plain = app.prepareStatement("UPDATE " + counters + " SET v = v + 1 WHERE id = ?");
                    PreparedStatement publish = direct.prepareStatement(
                            "UPDATE " + seen + " SET v = GREATEST(v, ?) WHERE id = ?")) {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (running.getAsBoolean()) {
                    int row = rnd.nextInt(1, ROWS + 1);
                    long value;
                    try {
                        if (rnd.nextBoolean()) {
                            bump.setInt(1, row);
                            bump.executeUpdate();
                            try (Statement st = app.createStatement();
                                    ResultSet rs = st.executeQuery("SELECT LAST_INSERT_ID()")) {
                                rs.next();
                                value = rs.getLong(1);
                            }
                        } else {
                            app.setAutoCommit(false);
                            lock.setInt(1, row);
                            try (ResultSet rs = lock.executeQuery()) {
                                rs.next();
                                value = rs.getLong(1) + 1;
                            }
                            plain.setInt(1, row);
                            plain.executeUpdate();
                            app.commit();
                            app.setAutoCommit(true);
                        }
                    } catch (SQLException e) {
                        report.fail(e);
                        try {
                            app.rollback();
                            app.setAutoCommit(true);
                        } catch (SQLException ignored) {
                            // the failure is already counted
                        }
                        continue;
                    }
                    // the write returned: from now on every read must see it, unless its bump is
                    // remembered (the store timed out): noted before the bound is published, so
                    // any read that can see the bound starts after the note
                    if (runtime.pendingBumpCount() > 0) {
                        report.outage(System.currentTimeMillis());
                    }
                    own.accumulateAndGet(row, value, Math::max);
                    publish.setLong(1, value);
                    publish.setInt(2, row);
                    publish.executeUpdate();
                    writes++;
                }
            } catch (SQLException e) {
                report.fail(e);
            }
            report.add(0, writes);
        }

        private static void read(String url, String counters, String labels, String seen, AtomicLongArray own,
                java.util.function.BooleanSupplier running, Report report) {
            long reads = 0;
            try (Connection app = DriverManager.getConnection(url);
                    Connection direct = TestEnv.mysql();
                    PreparedStatement bounds = direct.prepareStatement("SELECT id, v FROM " + seen);
                    PreparedStatement point = app.prepareStatement("SELECT v FROM " + counters + " WHERE id = ?");
                    PreparedStatement range = app.prepareStatement(
                            "SELECT id, v FROM " + counters + " WHERE id BETWEEN ? AND ? ORDER BY id");
                    PreparedStatement join = app.prepareStatement("SELECT c.id, c.v, l.label FROM " + counters
                            + " c JOIN " + labels + " l ON l.cid = c.id ORDER BY c.id");
                    PreparedStatement sum = app.prepareStatement("SELECT SUM(v), COUNT(*) FROM " + counters)) {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (running.getAsBoolean()) {
                    long[] mine = new long[ROWS + 1];
                    for (int i = 1; i <= ROWS; i++) {
                        mine[i] = own.get(i);
                    }
                    long[] all = new long[ROWS + 1];
                    try (ResultSet rs = bounds.executeQuery()) {
                        while (rs.next()) {
                            all[rs.getInt(1)] = rs.getLong(2);
                        }
                    }
                    long started = System.currentTimeMillis();
                    long[] got = new long[ROWS + 1];
                    boolean[] present = new boolean[ROWS + 1];
                    String kind;
                    try {
                        switch (rnd.nextInt(4)) {
                            case 0 -> {
                                kind = "point";
                                int row = rnd.nextInt(1, ROWS + 1);
                                point.setInt(1, row);
                                try (ResultSet rs = point.executeQuery()) {
                                    rs.next();
                                    got[row] = rs.getLong(1);
                                    present[row] = true;
                                }
                            }
                            case 1 -> {
                                kind = "range";
                                int from = rnd.nextInt(1, ROWS + 1);
                                range.setInt(1, from);
                                range.setInt(2, rnd.nextInt(from, ROWS + 1));
                                try (ResultSet rs = range.executeQuery()) {
                                    while (rs.next()) {
                                        got[rs.getInt(1)] = rs.getLong(2);
                                        present[rs.getInt(1)] = true;
                                    }
                                }
                            }
                            case 2 -> {
                                kind = "join";
                                try (ResultSet rs = join.executeQuery()) {
                                    while (rs.next()) {
                                        got[rs.getInt(1)] = rs.getLong(2);
                                        present[rs.getInt(1)] = true;
                                    }
                                }
                            }
                            default -> {
                                kind = "sum";
                                try (ResultSet rs = sum.executeQuery()) {
                                    rs.next();
                                    long total = rs.getLong(1);
                                    long ownSum = 0;
                                    long allSum = 0;
                                    for (int i = 1; i <= ROWS; i++) {
                                        ownSum += mine[i];
                                        allSum += all[i];
                                    }
                                    if (total < allSum) {
                                        report.stale(new Stale(started, kind, "sum " + total + " < bound " + allSum
                                                + " (own " + ownSum + ")"), total < ownSum);
                                    }
                                }
                            }
                        }
                    } catch (SQLException e) {
                        report.fail(e);
                        continue;
                    }
                    reads++;
                    for (int i = 1; i <= ROWS; i++) {
                        if (present[i] && got[i] < all[i]) {
                            report.stale(new Stale(started, kind, "row " + i + " read " + got[i] + " < bound "
                                    + all[i] + " (own " + mine[i] + ")"), got[i] < mine[i]);
                        }
                    }
                }
            } catch (SQLException e) {
                report.fail(e);
            }
            report.add(reads, 0);
        }

        /**
         * After the fault ends ({@code resumed} in the control table), notes when this JVM has no
         * remembered bump left: from then on its outage writes are visible in Redis.
         */
        private static void watchHealing(String control, CacheRuntime runtime, java.util.function.BooleanSupplier running,
                Report report) {
            try (Connection direct = TestEnv.mysql();
                    PreparedStatement resumed = direct.prepareStatement("SELECT t FROM " + control + " WHERE k = 'resumed'")) {
                while (running.getAsBoolean()) {
                    boolean faultOver;
                    try (ResultSet rs = resumed.executeQuery()) {
                        faultOver = rs.next();
                    }
                    if (faultOver && runtime.pendingBumpCount() == 0) {
                        report.healedAt = System.currentTimeMillis();
                        return;
                    }
                    Thread.sleep(20); // polling a condition, bounded by the deadline
                }
            } catch (SQLException e) {
                report.fail(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
