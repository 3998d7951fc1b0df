package io.sqlcache.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where the benchmarks find MariaDB and Redis: the same variables as the tests,
 * {@code SQLCACHE_TEST_MYSQL_URL} (default {@code jdbc:mysql://127.0.0.1:3306/test?user=root&password=})
 * and {@code SQLCACHE_TEST_REDIS_URL} (default {@code redis://127.0.0.1:6379}).
 */
final class BenchEnv {

    static final String MYSQL_URL = env("SQLCACHE_TEST_MYSQL_URL", "jdbc:mysql://127.0.0.1:3306/test?user=root&password=");
    static final String REDIS_URL = env("SQLCACHE_TEST_REDIS_URL", "redis://127.0.0.1:6379");

    /**
     * When set (before the connections are made), every connection times its statements with
     * {@link DbTimer}; {@link CpuSplit} sets it, the JMH benchmarks do not.
     */
    static volatile boolean timeDatabase;

    private BenchEnv() {
    }

    /** {@link #REDIS_URL} with database {@code database} instead of the one it names, if any. */
    static String redisUrl(int database) {
        return redisUrl(REDIS_URL, database);
    }

    /** {@code url} (a redis:// or rediss:// URL) with database {@code database}, its other parts as they were. */
    static String redisUrl(String url, int database) {
        // from the raw parts: URI's own constructors would encode the escapes again
        java.net.URI u = java.net.URI.create(url);
        return u.getScheme() + "://" + u.getRawAuthority() + "/" + database
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** A fresh key prefix: every trial (fork) has its own keys in the shared Redis. */
    static String uniquePrefix() {
        return "sqlcache-bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + ":";
    }

    /** The sqlcache URL of the same database with extra {@code sqlcache.} parameters. */
    static String sqlcacheUrl(String extra) {
        String url = "jdbc:sqlcache:" + mysqlUrl().substring("jdbc:".length());
        return url + (url.contains("?") ? "&" : "?") + extra;
    }

    static Connection direct() throws SQLException {
        return DriverManager.getConnection(mysqlUrl());
    }

    /** The database's URL, with {@link DbTimer} when {@link #timeDatabase} is set. */
    private static String mysqlUrl() {
        return timeDatabase ? MYSQL_URL + (MYSQL_URL.contains("?") ? "&" : "?") + DbTimer.URL_PARAMETER : MYSQL_URL;
    }

    static Connection sqlcache(String extra) throws SQLException {
        return DriverManager.getConnection(sqlcacheUrl(extra));
    }

    /**
     * The entries under {@code prefix} in Redis, once there are {@code expected} of them or 10 s
     * have passed: a miss's SET may wait in its thread's lane for a tick or two of the store's
     * daemon thread (a read's lookup of another entry does not take it along), so the entries a
     * setup stored are in Redis soon after its last read, not at once.
     */
    static java.util.List<String> landedEntries(RawRedis raw, String prefix, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            java.util.List<String> keys = raw.keys(prefix + "q:*");
            if (keys.size() >= expected || System.nanoTime() - deadline > 0) {
                return keys;
            }
            Thread.sleep(1);
        }
    }
}
