package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.CacheConfig;
import io.sqlcache.metrics.CacheStats;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * sysbench {@code oltp_read_write} through the proxy (issue 4), against a database of its own.
 *
 * <p>Four threads write random rows, so two runs never end with the same contents and "the
 * same run direct" cannot be compared row for row. What is sound and exact instead: after the
 * load, what a client reads through the proxy equals what the server holds. The reader is
 * sysbench itself (the same client library, capabilities and statement texts as the load, so
 * it reads the very entries the load cached, not fresh keys of another client): every point
 * select of every row, sum ranges and totals, through the proxy and direct, compared line for
 * line. A write the proxy failed to turn into an invalidation shows up as a stale line.
 *
 * <ol>
 *   <li>{@code prepare} through the proxy (DDL and bulk inserts);</li>
 *   <li>a text-protocol run in autocommit ({@code --db-ps-mode=disable --skip_trx=on}): its
 *       reads are cached and served while other threads write;</li>
 *   <li>a run with server-side prepared statements in transactions (the default): binary
 *       protocol, writes bumped at COMMIT;</li>
 *   <li>the reader, through the proxy and direct.</li>
 * </ol>
 * Each run must exit 0: sysbench stops at the first error it is not told to ignore, and it is
 * told to ignore only the server's own answers to concurrency, which come direct too: deadlock
 * and lock wait (1213, 1205), and, in the run without transactions, the duplicate key of two
 * threads that delete and re-insert the same row (1062).
 */
class SysbenchIT {

    private static final int TABLES = 2;
    private static final int TABLE_SIZE = 500;
    private static final int EVENTS = 500;

    private String database;
    private String prefix;

    @BeforeEach
    void createDatabase() throws Exception {
        TestEnv.requireRedis();
        database = "sbtest_" + UUID.randomUUID().toString().substring(0, 8);
        prefix = Db.uniquePrefix();
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE DATABASE " + database);
        }
    }

    @AfterEach
    void dropDatabase() throws Exception {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP DATABASE IF EXISTS " + database);
        }
    }

    @Test
    void oltpReadWriteThroughTheProxyHasNoErrorsAndReadsAfterItEqualTheServer() throws Exception {
        CacheConfig cache = ProxyTests.redisCache(prefix);
        try (ProxyServer proxy = new ProxyServer(ProxyTests.config(cache)).start()) {
            try {
                int port = proxy.port();
                run(sysbench(port, "oltp_read_write", "prepare"));
                CacheStats before = proxy.context().runtime().stats();
                // without transactions, two threads that delete and re-insert the same id collide (1062) direct too
                String text = run(sysbench(port, "oltp_read_write", "run", "--db-ps-mode=disable", "--skip_trx=on",
                        "--mysql-ignore-errors=1062,1213,1205",
                        "--threads=4", "--events=" + EVENTS, "--time=0", "--rand-seed=1", "--rand-type=uniform"));
                assertThat(text).contains("transactions:");
                CacheStats afterText = proxy.context().runtime().stats();
                assertThat(afterText.hits() - before.hits()).as("the text run was served from the cache").isPositive();
                assertThat(afterText.stores() - before.stores()).as("and stored entries").isPositive();

                String prepared = run(sysbench(port, "oltp_read_write", "run", "--mysql-ignore-errors=1213,1205",
                        "--threads=4", "--events=" + EVENTS,
                        "--time=0", "--rand-seed=2"));
                assertThat(prepared).contains("transactions:");

                String checker = Path.of(SysbenchIT.class.getResource("/sysbench/check.lua").toURI()).toString();
                String direct = run(sysbench(ProxyTests.backendPort(), checker, "run", "--events=1", "--threads=1",
                        "--db-ps-mode=disable"));
                CacheStats beforeRead = proxy.context().runtime().stats();
                String viaProxy = run(sysbench(port, checker, "run", "--events=1", "--threads=1", "--db-ps-mode=disable"));
                String again = run(sysbench(port, checker, "run", "--events=1", "--threads=1", "--db-ps-mode=disable"));
                CacheStats afterRead = proxy.context().runtime().stats();
                List<String> expected = readerLines(direct);
                assertThat(expected).hasSize(TABLES * (TABLE_SIZE + TABLE_SIZE / 50 + 1));
                assertThat(readerLines(viaProxy)).as("what clients read through the proxy after the load").isEqualTo(expected);
                assertThat(readerLines(again)).as("the same, now from the cache").isEqualTo(expected);
                assertThat(afterRead.hits() - beforeRead.hits()).as("the second reader was served from the cache")
                        .isGreaterThanOrEqualTo(expected.size());
            } finally {
                proxy.context().runtime().store().flushAll();
            }
        }
    }

    /**
     * sysbench {@code oltp_read_only} as it runs by default: prepared statements inside
     * transactions (BEGIN … COMMIT) at the server's default isolation, REPEATABLE READ. Most of
     * its reads are served from the cache, and what it reads afterwards equals the server.
     */
    @Test
    void oltpReadOnlyInTransactionsIsServedMostlyFromTheCache() throws Exception {
        CacheConfig cache = ProxyTests.redisCache(prefix);
        try (ProxyServer proxy = new ProxyServer(ProxyTests.config(cache)).start()) {
            try {
                int port = proxy.port();
                run(sysbench(port, "oltp_read_only", "prepare"));
                CacheStats before = proxy.context().runtime().stats();
                String out = run(sysbench(port, "oltp_read_only", "run", "--threads=2", "--events=" + 2 * EVENTS,
                        "--time=0", "--rand-seed=3", "--rand-type=uniform"));
                assertThat(out).contains("transactions:");
                CacheStats after = proxy.context().runtime().stats();
                long hits = after.hits() - before.hits();
                long misses = after.misses() - before.misses();
                long bypasses = after.totalBypasses() - before.totalBypasses();
                System.out.printf("SysbenchIT oltp_read_only: %d hits, %d misses, %d bypasses %s%n", hits, misses, bypasses,
                        after.bypasses());
                assertThat(hits).as("reads served from the cache (misses %s, bypasses %s)", misses, bypasses)
                        .isGreaterThan(misses + bypasses);

                String checker = Path.of(SysbenchIT.class.getResource("/sysbench/check.lua").toURI()).toString();
                String direct = run(sysbench(ProxyTests.backendPort(), checker, "run", "--events=1", "--threads=1",
                        "--db-ps-mode=disable"));
                String viaProxy = run(sysbench(port, checker, "run", "--events=1", "--threads=1", "--db-ps-mode=disable"));
                assertThat(readerLines(viaProxy)).as("what clients read through the proxy").isEqualTo(readerLines(direct));
            } finally {
                proxy.context().runtime().store().flushAll();
            }
        }
    }

    /** The reader's own lines, without sysbench's banner and statistics. */
    private static List<String> readerLines(String output) {
        List<String> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.matches("\\d+ (\\d+|sum \\d+|total \\d+) .*")) {
                out.add(line);
            }
        }
        return out;
    }

    private List<String> sysbench(int port, String script, String command, String... options) {
        List<String> cmd = new ArrayList<>(List.of("sysbench", script, "--db-driver=mysql", "--mysql-host=127.0.0.1",
                "--mysql-port=" + port, "--mysql-user=" + ProxyTests.urlParams().getOrDefault("user", "root"),
                "--mysql-password=" + ProxyTests.urlParams().getOrDefault("password", ""), "--mysql-db=" + database,
                "--tables=" + TABLES, "--table-size=" + TABLE_SIZE));
        cmd.addAll(List.of(options));
        cmd.add(command);
        return cmd;
    }

    /** Runs sysbench; fails unless it exits 0 (it stops at the first error not in --mysql-ignore-errors). */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("sysbench is needed: apt-get install sysbench (.ci/run installs it)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("sysbench finished").isTrue();
        assertThat(p.exitValue()).as("sysbench exit code; output:\n%s", out).isZero();
        assertThat(out).as("no FATAL error").doesNotContain("FATAL");
        return out;
    }
}
