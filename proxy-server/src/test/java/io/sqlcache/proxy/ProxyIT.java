package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.CacheConfig;
import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The proxy in front of the real MariaDB, with the shared Redis under a unique prefix, used
 * by real clients: mysql-connector-j (text and server-side prepared statements), the driver
 * (cross-path invalidation), the mariadb command-line client, and a raw socket sending garbage.
 */
class ProxyIT {

    private static final URI BACKEND = ProxyTests.BACKEND;
    private static String prefix;
    private static ProxyServer proxy;

    private String table;

    @BeforeAll
    static void startProxy() throws Exception {
        TestEnv.requireRedis();
        try (Connection c = TestEnv.mysql()) {
            assertThat(c.isValid(2)).isTrue();
        }
        prefix = Db.uniquePrefix();
        CacheConfig cache = ProxyTests.redisCache(prefix);
        proxy = new ProxyServer(ProxyTests.config(cache)).start();
    }

    @AfterAll
    static void stopProxy() throws Exception {
        ProxyTests.stop(proxy);
    }

    @BeforeEach
    void createTable() throws SQLException {
        table = Db.uniqueTable("proxy_it");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(40), d DECIMAL(10,3), t DATETIME(3),"
                            + " b VARBINARY(16), n INT NULL)",
                    "INSERT INTO " + table + " VALUES (1, 'a', 1.500, '2024-01-02 03:04:05.678', x'00ff', NULL),"
                            + " (2, 'b', -2.250, '1999-12-31 23:59:59.000', x'', 7), (3, 'é ü', 0, NULL, NULL, NULL)");
        }
    }

    @AfterEach
    void dropTable() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
        }
    }

    private static int port(URI u) {
        return u.getPort() < 0 ? 3306 : u.getPort();
    }

    /** The test URL with the proxy's address instead of the server's. */
    static String proxyUrl(String extra) {
        return ProxyTests.proxyUrl(proxy.port(), extra);
    }

    private static Connection viaProxy(String extra) throws SQLException {
        return DriverManager.getConnection(proxyUrl(extra));
    }

    /** Every row, every column as getString, plus the metadata a client sees. */
    private static List<String> rows(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return dump(rs);
        }
    }

    private static List<String> dump(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        ResultSetMetaData md = rs.getMetaData();
        StringBuilder header = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            header.append(md.getColumnLabel(i)).append(':').append(md.getColumnTypeName(i)).append(':')
                    .append(md.getPrecision(i)).append(':').append(md.getScale(i)).append(' ');
        }
        out.add(header.toString());
        while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                Object o = rs.getObject(i);
                row.append(o instanceof byte[] b ? java.util.HexFormat.of().formatHex(b) : String.valueOf(o)).append('|');
            }
            out.add(row.toString());
        }
        return out;
    }

    private static long status(Connection c, String counter) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE '" + counter + "'")) {
            assertThat(rs.next()).as(counter).isTrue();
            return rs.getLong(2);
        }
    }

    @Test
    void textProtocolAnswersAsTheServerAndARepeatedSelectDoesNotReachIt() throws SQLException {
        String sql = "SELECT * FROM " + table + " ORDER BY id";
        List<String> direct;
        try (Connection d = TestEnv.mysql()) {
            direct = rows(d, sql);
        }
        try (Connection c = viaProxy("")) {
            long before = status(c, "Com_select");
            assertThat(rows(c, sql)).isEqualTo(direct);
            long afterMiss = status(c, "Com_select");
            assertThat(rows(c, sql)).isEqualTo(direct);
            long afterHit = status(c, "Com_select");
            assertThat(afterMiss - before).as("the miss reached the server").isEqualTo(1);
            assertThat(afterHit - afterMiss).as("the hit did not reach the server").isZero();

            // a write through the proxy invalidates: the next read is a miss with the new value
            try (Statement st = c.createStatement()) {
                assertThat(st.executeUpdate("UPDATE " + table + " SET v = 'changed' WHERE id = 1")).isEqualTo(1);
            }
            List<String> fresh = rows(c, sql);
            assertThat(fresh.get(1)).startsWith("1|changed|");
            assertThat(status(c, "Com_select") - afterHit).isEqualTo(1);
        }
        try (Connection other = viaProxy("")) {
            // another connection of the same user and settings shares the entry
            long before = status(other, "Com_select");
            assertThat(rows(other, sql).get(1)).startsWith("1|changed|");
            assertThat(status(other, "Com_select") - before).isZero();
        }
    }

    @Test
    void serverPreparedStatementsAreCachedPerParameterAndInvalidatedByPreparedWrites() throws SQLException {
        String sql = "SELECT id, v, d, t, b, n FROM " + table + " WHERE id >= ? ORDER BY id";
        List<String> direct;
        try (Connection d = TestEnv.mysql(); PreparedStatement ps = d.prepareStatement(sql)) {
            ps.setInt(1, 2);
            try (ResultSet rs = ps.executeQuery()) {
                direct = dump(rs);
            }
        }
        try (Connection c = viaProxy("useServerPrepStmts=true")) {
            long before = status(c, "Com_stmt_execute");
            for (int i = 0; i < 3; i++) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setInt(1, 2);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(dump(rs)).isEqualTo(direct);
                    }
                }
            }
            assertThat(status(c, "Com_stmt_execute") - before).as("two of three executions were hits").isEqualTo(1);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setInt(1, 3);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(dump(rs)).hasSize(2);
                }
            }
            assertThat(status(c, "Com_stmt_execute") - before).as("another parameter is another entry").isEqualTo(2);
            try (PreparedStatement up = c.prepareStatement("UPDATE " + table + " SET v = ? WHERE id = ?")) {
                up.setString(1, "prepared write");
                up.setInt(2, 2);
                assertThat(up.executeUpdate()).isEqualTo(1);
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setInt(1, 2);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("v")).isEqualTo("prepared write");
                }
            }
        }
    }

    @Test
    void transactionsReadTheirWritesAndOthersSeeThemAfterCommit() throws SQLException {
        String sql = "SELECT v FROM " + table + " WHERE id = 1";
        try (Connection a = viaProxy(""); Connection b = viaProxy("")) {
            assertThat(Db.one(b, sql)).isEqualTo("a");
            assertThat(Db.one(b, sql)).isEqualTo("a");
            a.setAutoCommit(false);
            Db.exec(a, "UPDATE " + table + " SET v = 'in tx' WHERE id = 1");
            assertThat(Db.one(a, sql)).as("I2: the transaction reads its own write").isEqualTo("in tx");
            assertThat(Db.one(b, sql)).as("not committed yet").isEqualTo("a");
            a.commit();
            assertThat(Db.one(b, sql)).as("I1: after the commit returned").isEqualTo("in tx");

            Db.exec(a, "UPDATE " + table + " SET v = 'rolled back' WHERE id = 1");
            a.rollback();
            assertThat(Db.one(b, sql)).isEqualTo("in tx");
            assertThat(Db.one(a, sql)).isEqualTo("in tx");
            a.setAutoCommit(true);
        }
    }

    @Test
    void aDirtyReadUnderALevelSetForTheNextTransactionIsNeverStored() throws SQLException {
        // SET TRANSACTION (no SESSION) applies to the next transaction, here the next autocommit
        // statement: the proxy used to cache that statement's dirty rows
        String sql = "SELECT v FROM " + table + " WHERE id = 2";
        try (Connection writer = viaProxy(""); Connection reader = viaProxy("")) {
            String committed = Db.one(reader, sql);
            writer.setAutoCommit(false);
            Db.exec(writer, "UPDATE " + table + " SET v = 'dirty' WHERE id = 2");
            Db.exec(reader, "SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
            assertThat(Db.one(reader, sql)).as("the server's dirty read").isEqualTo("dirty");
            writer.rollback();
            writer.setAutoCommit(true);
            assertThat(Db.one(reader, sql)).as("the rolled-back row was not stored").isEqualTo(committed);
        }
    }

    /**
     * A write through the proxy marks its table in flight before the server runs it, and settles
     * it after: while the UPDATE waits on a row lock held elsewhere (the race made on purpose), the
     * table's version is odd, so no reader serves or stores it; once it returns, even again.
     */
    @Test
    void aWriteIsMarkedInFlightWhileTheServerRunsIt() throws Exception {
        String versionKey = prefix + "v:" + ProxyTests.database().toLowerCase(java.util.Locale.ROOT) + "." + table;
        io.lettuce.core.RedisClient redis = io.lettuce.core.RedisClient.create(TestEnv.REDIS_URL);
        java.util.concurrent.ExecutorService writer = java.util.concurrent.Executors.newSingleThreadExecutor();
        try (var raw = redis.connect(); Connection locker = TestEnv.mysql(); Connection c = viaProxy("")) {
            locker.setAutoCommit(false);
            Db.exec(locker, "SELECT v FROM " + table + " WHERE id = 1 FOR UPDATE");
            long lockerId = Long.parseLong(Db.one(locker, "SELECT CONNECTION_ID()"));
            var update = writer.submit(() -> {
                Db.exec(c, "UPDATE " + table + " SET v = 'marked' WHERE id = 1");
                return null;
            });
            // until the UPDATE waits for the locker's row lock
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (!waitsForLock(locker, lockerId)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the UPDATE did not reach the row lock: " + rows(locker,
                            "SELECT trx_mysql_thread_id, trx_state, trx_query FROM information_schema.innodb_trx")
                            + rows(locker, "SELECT id, state, info FROM information_schema.processlist")
                            + " update done: " + update.isDone());
                }
                Thread.onSpinWait();
            }
            long inFlight = Long.parseLong(raw.sync().get(versionKey));
            assertThat(inFlight & 1).as("the table's version while the write runs").isEqualTo(1);
            locker.commit();
            update.get(10, java.util.concurrent.TimeUnit.SECONDS);
            long settled = Long.parseLong(raw.sync().get(versionKey));
            assertThat(settled & 1).as("settled after the write returned").isZero();
            assertThat(Db.one(c, "SELECT v FROM " + table + " WHERE id = 1")).isEqualTo("marked");
        } finally {
            writer.shutdownNow();
            redis.shutdown();
        }
    }

    /** Whether another session waits for a lock that {@code lockerId} holds. */
    private static boolean waitsForLock(Connection c, long lockerId) throws SQLException {
        // MariaDB shows a statement waiting for a row lock as "Updating"
        return Db.one(c, "SELECT COUNT(*) FROM information_schema.processlist WHERE id <> " + lockerId
                + " AND state = 'Updating' AND info LIKE 'UPDATE%SET v = ''marked''%'").equals("1");
    }

    @Test
    void lockTablesInsideATransactionCommitsItAndItsWritesAreSeen() throws SQLException {
        String sql = "SELECT v FROM " + table + " WHERE id = 3";
        try (Connection a = viaProxy(""); Connection b = viaProxy("")) {
            assertThat(Db.one(b, sql)).isEqualTo("é ü");
            assertThat(Db.one(b, sql)).isEqualTo("é ü");
            a.setAutoCommit(false);
            Db.exec(a, "UPDATE " + table + " SET v = 'locked' WHERE id = 3");
            // LOCK TABLES commits the open transaction implicitly
            Db.exec(a, "LOCK TABLES " + table + " READ");
            assertThat(Db.one(b, sql)).as("I1: the implicit commit of LOCK TABLES").isEqualTo("locked");
            Db.exec(a, "UNLOCK TABLES");
            a.setAutoCommit(true);
        }
    }

    @Test
    void theDriverAndTheProxyInvalidateEachOther() throws SQLException {
        String sql = "SELECT v FROM " + table + " WHERE id = 2";
        // a different timeout gives the driver its own runtime and Redis client: only Redis is shared
        String driverUrl = TestEnv.sqlcacheUrl("sqlcache.redis=" + TestEnv.REDIS_URL + "&sqlcache.prefix=" + prefix
                + "&sqlcache.timeoutMs=" + (CacheConfig.DEFAULT_TIMEOUT_MILLIS + 1));
        try (Connection p = viaProxy(""); Connection d = DriverManager.getConnection(driverUrl)) {
            assertThat(Db.one(p, sql)).isEqualTo("b");
            long before = status(p, "Com_select");
            assertThat(Db.one(p, sql)).isEqualTo("b");
            assertThat(status(p, "Com_select")).isEqualTo(before);

            Db.exec(d, "UPDATE " + table + " SET v = 'by driver' WHERE id = 2");
            assertThat(Db.one(p, sql)).as("a driver write invalidates the proxy's entry").isEqualTo("by driver");

            try (Statement st = d.createStatement()) {
                try (ResultSet rs = st.executeQuery(sql)) {
                    rs.next();
                }
                try (ResultSet rs = st.executeQuery(sql)) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("by driver");
                }
                assertThat(st.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("hit");
                Db.exec(p, "UPDATE " + table + " SET v = 'by proxy' WHERE id = 2");
                try (ResultSet rs = st.executeQuery(sql)) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).as("a proxy write invalidates the driver's entry").isEqualTo("by proxy");
                }
                assertThat(st.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("miss");
            }
        }
    }

    @Test
    void adminStatementsAreAnsweredByTheProxy() throws SQLException {
        String sql = "SELECT v FROM " + table + " WHERE id = 3";
        try (Connection c = viaProxy("")) {
            Db.one(c, sql);
            long before = status(c, "Com_select");
            Db.one(c, sql);
            assertThat(status(c, "Com_select")).isEqualTo(before);
            Db.exec(c, "SQLCACHE FLUSH TABLE " + table);
            Db.one(c, sql);
            assertThat(status(c, "Com_select")).as("flushed table: a miss").isEqualTo(before + 1);
            Db.exec(c, "SQLCACHE FLUSH");
            Db.one(c, sql);
            assertThat(status(c, "Com_select")).as("flushed everything: a miss").isEqualTo(before + 2);
            Map<String, String> st = new java.util.HashMap<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SQLCACHE STATUS")) {
                while (rs.next()) {
                    st.put(rs.getString(1), rs.getString(2));
                }
            }
            assertThat(Long.parseLong(st.get("hits"))).isPositive();
            assertThat(Long.parseLong(st.get("misses"))).isPositive();
            assertThat(st.get("store")).contains("redis://");
            assertThat(Integer.parseInt(st.get("connections"))).isPositive();
            // this proxy's prefix is its own: at least the entries this test stored, with their bytes
            assertThat(Long.parseLong(st.get("entries"))).isPositive();
            assertThat(Long.parseLong(st.get("bytes"))).isGreaterThan(Long.parseLong(st.get("entries")));
        }
    }

    @Test
    void theMariadbClientPrintsTheSameThroughTheProxy() throws Exception {
        String script = String.join("\n",
                "SELECT * FROM " + table + " ORDER BY id;",
                "SELECT * FROM " + table + " ORDER BY id;",
                "SELECT COUNT(*), SUM(d) FROM " + table + ";",
                "UPDATE " + table + " SET v = 'cli' WHERE id = 1;",
                "SELECT v FROM " + table + " WHERE id = 1;",
                "UPDATE " + table + " SET v = 'a' WHERE id = 1;",
                "SELECT v FROM " + table + " WHERE id = 1;",
                "SELECT * FROM " + table + " WHERE id = 99;",
                "SELECT nosuchcolumn FROM " + table + ";",
                "SELECT 'after the error';", "");
        Path file = Files.createTempFile("proxy-it", ".sql");
        try {
            Files.writeString(file, script);
            String direct = mariadb(port(BACKEND), file);
            String first = mariadb(proxy.port(), file);
            String second = mariadb(proxy.port(), file);
            assertThat(direct).contains("é ü").contains("cli").contains("after the error").contains("1054");
            assertThat(first).isEqualTo(direct);
            assertThat(second).as("partly from the cache").isEqualTo(direct);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void theMariadbClientReadsTheProxysOwnAnswers() throws Exception {
        // libmariadb agrees on extended metadata: the proxy's own result sets must carry it too
        Path file = Files.createTempFile("proxy-it", ".sql");
        try {
            Files.writeString(file, "SELECT 40 + 2;\nSELECT 40 + 2;\nSHOW SQLCACHE STATUS;\nSELECT 'still here';\n");
            String out = mariadb(proxy.port(), file);
            assertThat(out).doesNotContain("ERROR").contains("hits").contains("connections").contains("still here");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String mariadb(int port, Path script) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("mariadb", "-h", "127.0.0.1", "-P", Integer.toString(port), "-u", "root",
                "--column-type-info", "--force", "--default-character-set=utf8mb4", BACKEND.getPath().substring(1))
                .redirectErrorStream(true).redirectInput(script.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("the mariadb command-line client is needed: apt-get install mariadb-client", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void garbageOnOneConnectionDoesNotDisturbAnother() throws Exception {
        String sql = "SELECT v FROM " + table + " WHERE id = 2";
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection healthy = viaProxy("")) {
            Future<Integer> served = pool.submit(() -> {
                int n = 0;
                for (int i = 0; i < 300; i++) {
                    assertThat(Db.one(healthy, sql)).isEqualTo("b");
                    n++;
                }
                return n;
            });
            Random random = new Random(42);
            // command-phase garbage after a real login: random command codes from a harmless set, random bodies
            int[] codes = {0x03, 0x16, 0x17, 0x19, 0x1A, 0x1C, 0x04, 0x0E, 0x02, 0x20, 0x7F, 0xEE};
            for (int round = 0; round < 20; round++) {
                try (RawClient raw = new RawClient(proxy.port())) {
                    byte[] ok = raw.login("root", BACKEND.getPath().substring(1));
                    assertThat(ok[0]).as("login through the proxy").isEqualTo((byte) 0);
                    for (int i = 0; i < 20; i++) {
                        byte[] body = new byte[random.nextInt(40)];
                        random.nextBytes(body);
                        byte[] packet = new byte[body.length + 1];
                        packet[0] = (byte) codes[random.nextInt(codes.length)];
                        System.arraycopy(body, 0, packet, 1, body.length);
                        raw.send(0, packet);
                        if (packet[0] == 0x19) {
                            continue; // COM_STMT_CLOSE has no answer
                        }
                        try {
                            raw.read();
                        } catch (IOException closed) {
                            break; // the proxy or the server may hang up on garbage: that is allowed
                        }
                    }
                } catch (IOException e) {
                    // a connection torn down mid-garbage is an acceptable outcome
                }
                // handshake-phase garbage and truncated frames
                try (RawClient raw = new RawClient(proxy.port())) {
                    raw.read();
                    byte[] junk = new byte[random.nextInt(64) + 1];
                    random.nextBytes(junk);
                    raw.sendRaw(junk);
                }
            }
            assertThat(served.get(60, TimeUnit.SECONDS)).isEqualTo(300);
        } finally {
            pool.shutdownNow();
        }
        try (Connection after = viaProxy("")) {
            assertThat(Db.one(after, sql)).as("the proxy still serves new connections").isEqualTo("b");
        }
    }

    @Test
    void limitsOnConnectionsAndPacketSizeAnswerWithErrors() throws Exception {
        CacheConfig cache = CacheConfig.parse(Map.of("sqlcache.prefix", prefix), k -> null);
        ProxyConfig small = ProxyConfig.of("127.0.0.1", 0, BACKEND.getHost(), port(BACKEND), cache).withLimits(2, 4096);
        try (ProxyServer limited = new ProxyServer(small).start();
                RawClient one = new RawClient(limited.port());
                RawClient two = new RawClient(limited.port())) {
            assertThat(one.login("root", BACKEND.getPath().substring(1))[0]).isEqualTo((byte) 0);
            two.read();
            try (RawClient three = new RawClient(limited.port())) {
                byte[] err = three.read();
                assertThat(err[0]).isEqualTo((byte) 0xFF);
                assertThat((err[1] & 0xFF) | (err[2] & 0xFF) << 8).isEqualTo(1040);
            }
            // a packet over the limit: ERR 1153, then the connection is closed
            one.sendRaw(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x00, 0x00, 0x03});
            byte[] err = one.read();
            assertThat((err[1] & 0xFF) | (err[2] & 0xFF) << 8).isEqualTo(1153);
            assertThat(one.socket.getInputStream().read()).as("closed").isEqualTo(-1);
            // the slot is free again; a bounded poll for the close to be processed
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (limited.context().activeConnections() > 1 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            try (RawClient four = new RawClient(limited.port())) {
                assertThat(four.login("root", BACKEND.getPath().substring(1))[0]).isEqualTo((byte) 0);
            }
        }
    }
}
