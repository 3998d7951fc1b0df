package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.mysql.cj.jdbc.JdbcConnection;
import io.sqlcache.CacheConfig;
import io.sqlcache.proxy.relay.ClientConnection;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
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
 * What happens around the edges: a backend killed while a result streams, a client that hangs
 * up mid-result, a shutdown with a query in flight, COM_CHANGE_USER, multi-statement texts and
 * LOAD DATA LOCAL INFILE, through the proxy against the real MariaDB.
 */
class ProxyRobustnessIT {

    /** Rows enough that the result is still streaming when the test acts (MariaDB's sequence engine). */
    private static final String LARGE = "SELECT seq, REPEAT('x', 200) FROM seq_1_to_2000000";

    private static String prefix;
    private static ProxyServer proxy;
    private String table;
    private final List<String> cleanup = new ArrayList<>();

    @BeforeAll
    static void startProxy() throws Exception {
        TestEnv.requireRedis();
        prefix = Db.uniquePrefix();
        proxy = new ProxyServer(ProxyTests.config(cache())).start();
    }

    private static CacheConfig cache() {
        return ProxyTests.redisCache(prefix);
    }

    @AfterAll
    static void stopProxy() throws Exception {
        ProxyTests.stop(proxy);
    }

    @BeforeEach
    void createTable() throws SQLException {
        table = Db.uniqueTable("robust");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(20))",
                    "INSERT INTO " + table + " VALUES (1, 'a'), (2, 'b')");
        }
    }

    @AfterEach
    void dropTable() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
            for (String sql : cleanup) {
                Db.exec(c, sql);
            }
        }
    }

    private static Connection viaProxy(String extra) throws SQLException {
        return DriverManager.getConnection(ProxyTests.proxyUrl(proxy.port(), extra));
    }

    private static long processes(String where) throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            return Long.parseLong(Db.one(c, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE " + where));
        }
    }

    /** Bounded poll: until the server lists no process matching {@code where}. */
    private static long awaitNoProcess(String where) throws SQLException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long n;
        do {
            n = processes(where);
        } while (n > 0 && System.nanoTime() < deadline);
        return n;
    }

    @Test
    void aBackendKilledMidResultFailsThatClientOnlyAndIsReleased() throws Exception {
        long backendId;
        try (Connection victim = viaProxy(""); Connection other = viaProxy("")) {
            backendId = Long.parseLong(Db.one(victim, "SELECT CONNECTION_ID()"));
            try (Statement st = victim.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                st.setFetchSize(Integer.MIN_VALUE); // stream: the rows are still coming when the kill lands
                ResultSet rs = st.executeQuery(LARGE);
                assertThat(rs.next()).isTrue();
                try (Connection admin = TestEnv.mysql()) {
                    Db.exec(admin, "KILL " + backendId);
                }
                assertThatThrownBy(() -> {
                    while (rs.next()) {
                        // the rest of the stream, until the loss shows
                    }
                }).as("the killed connection's client gets an error").isInstanceOf(SQLException.class);
            }
            assertThat(victim.isValid(5)).as("the proxy closed the client whose backend died").isFalse();
            assertThat(Db.one(other, "SELECT v FROM " + table + " WHERE id = 2")).as("others keep working").isEqualTo("b");
        }
        assertThat(awaitNoProcess("ID = " + backendId)).isZero();
    }

    @Test
    void aClientThatHangsUpMidResultReleasesItsBackendConnection() throws Exception {
        long backendId;
        try (RawClient raw = new RawClient(proxy.port())) {
            assertThat(raw.login("root", ProxyTests.database())[0]).isEqualTo((byte) 0);
            backendId = connectionId(raw);
            byte[] query = ("\u0003" + LARGE).getBytes(StandardCharsets.US_ASCII);
            raw.send(0, query);
            raw.read(); // column count: the result is streaming
            raw.read();
            assertThat(processes("ID = " + backendId)).isEqualTo(1);
            raw.socket.setSoLinger(true, 0); // a reset, as a crashed client
        }
        assertThat(awaitNoProcess("ID = " + backendId)).as("the backend connection is closed").isZero();
        try (Connection c = viaProxy("")) {
            assertThat(Db.one(c, "SELECT v FROM " + table + " WHERE id = 1")).isEqualTo("a");
        }
    }

    @Test
    void commandsSentAheadPastTheQueueBoundAreAllAnsweredInOrder() throws Exception {
        // three times the bound: the proxy stops reading the client, then must start again
        String pad = "x".repeat(8000);
        int commands = 3 * ClientConnection.MAX_QUEUED_BYTES / pad.length();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (RawClient raw = new RawClient(proxy.port())) {
            assertThat(raw.login("root", ProxyTests.database())[0]).isEqualTo((byte) 0);
            Future<?> sent = writer.submit(() -> {
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                for (int i = 0; i < commands; i++) {
                    byte[] q = ("\u0003SELECT " + i + ", LENGTH('" + pad + "')").getBytes(StandardCharsets.US_ASCII);
                    all.write(q.length);
                    all.write(q.length >>> 8);
                    all.write(q.length >>> 16);
                    all.write(0);
                    all.writeBytes(q);
                }
                raw.sendRaw(all.toByteArray()); // blocks while the proxy pauses reading
                return null;
            });
            for (int i = 0; i < commands; i++) {
                raw.read(); // column count
                raw.read(); // column definitions
                raw.read();
                raw.read(); // EOF
                byte[] row = raw.read();
                raw.read(); // EOF
                String n = new String(row, 1, row[0], StandardCharsets.US_ASCII);
                String length = new String(row, 2 + row[0], row[1 + row[0]], StandardCharsets.US_ASCII);
                assertThat(n + " " + length).as("answer %d", i).isEqualTo(i + " " + pad.length());
            }
            sent.get(10, TimeUnit.SECONDS);
            assertThat(connectionId(raw)).as("the connection serves the next command").isPositive();
        } finally {
            writer.shutdownNow();
        }
    }

    /** SELECT CONNECTION_ID() over a raw connection: the backend's thread id (text result set, with EOFs). */
    private static long connectionId(RawClient raw) throws IOException {
        raw.send(0, "\u0003SELECT CONNECTION_ID()".getBytes(StandardCharsets.US_ASCII));
        raw.read(); // column count
        raw.read(); // column definition
        raw.read(); // EOF
        byte[] row = raw.read();
        raw.read(); // EOF
        return Long.parseLong(new String(row, 1, row[0], StandardCharsets.US_ASCII));
    }

    @Test
    void shutdownLetsTheCommandInFlightFinishThenRefusesAndCloses() throws Exception {
        ProxyServer stopping = new ProxyServer(ProxyTests.config(cache()).withShutdownGrace(30_000)).start();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        String marker = "shutdown_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(ProxyTests.proxyUrl(stopping.port(), ""))) {
            Future<String> inFlight = pool.submit(() -> Db.one(c, "SELECT CONCAT('" + marker + "', SLEEP(1))"));
            // the race on purpose: close only once the server runs the query
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (processes("INFO LIKE '%" + marker + "%' AND INFO NOT LIKE '%PROCESSLIST%'") == 0
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            Future<?> closed = pool.submit(stopping::close);
            assertThat(inFlight.get(30, TimeUnit.SECONDS)).as("the query in flight finished").isEqualTo(marker + "0");
            closed.get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> Db.one(c, "SELECT 1")).as("then the connection is closed")
                    .isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> DriverManager.getConnection(ProxyTests.proxyUrl(stopping.port(), "connectTimeout=2000")))
                    .as("and nothing is accepted").isInstanceOf(SQLException.class);
        } finally {
            stopping.close();
            pool.shutdownNow();
        }
    }

    @Test
    void changeUserSwitchesTheKeyAndThePrivileges() throws Exception {
        String user = "cu_" + UUID.randomUUID().toString().substring(0, 8);
        String other = Db.uniqueTable("robust_other");
        try (Connection admin = TestEnv.mysql()) {
            Db.exec(admin, "CREATE TABLE " + other + " (id INT)", "INSERT INTO " + other + " VALUES (7)",
                    "CREATE USER '" + user + "'@'%' IDENTIFIED BY 'pw-" + user + "'",
                    "GRANT SELECT ON " + ProxyTests.database() + "." + other + " TO '" + user + "'@'%'");
        }
        cleanup.add("DROP USER IF EXISTS '" + user + "'@'%'");
        cleanup.add("DROP TABLE IF EXISTS " + other);
        String sql = "SELECT v FROM " + table + " WHERE id = 1";
        try (Connection c = viaProxy("")) {
            assertThat(Db.one(c, sql)).isEqualTo("a");
            assertThat(Db.one(c, sql)).isEqualTo("a"); // now cached for root
            JdbcConnection j = c.unwrap(JdbcConnection.class);
            j.changeUser(user, "pw-" + user);
            assertThat(Db.one(c, "SELECT CURRENT_USER()")).startsWith(user + "@");
            assertThatThrownBy(() -> Db.one(c, sql)).as("root's cached rows are not served to another user")
                    .isInstanceOf(SQLException.class).hasMessageContaining("denied");
            assertThat(Db.one(c, "SELECT id FROM " + other)).isEqualTo("7");
            j.changeUser(ProxyTests.urlParams().getOrDefault("user", "root"), ProxyTests.urlParams().getOrDefault("password", ""));
            assertThat(Db.one(c, sql)).isEqualTo("a");
        }
    }

    @Test
    void multiStatementTextsAreRelayedIntactAndTreatedAsWrites() throws Exception {
        String read = "SELECT v FROM " + table + " WHERE id = 1";
        String multi = "UPDATE " + table + " SET v = 'multi' WHERE id = 1; " + read + "; SELECT COUNT(*), SUM(id) FROM " + table;
        try (Connection c = viaProxy("allowMultiQueries=true"); Connection d = DriverManager.getConnection(
                TestEnv.MYSQL_URL + (TestEnv.MYSQL_URL.contains("?") ? "&" : "?") + "allowMultiQueries=true")) {
            assertThat(Db.one(c, read)).isEqualTo("a");
            assertThat(Db.one(c, read)).isEqualTo("a"); // cached
            List<String> viaProxy = results(c, multi);
            assertThat(Db.one(c, read)).as("the multi-statement text's write invalidated the entry").isEqualTo("multi");
            Db.exec(d, "UPDATE " + table + " SET v = 'a' WHERE id = 1");
            List<String> direct = results(d, multi);
            assertThat(viaProxy).isEqualTo(direct).containsExactly("update 1", "multi", "2|3");
        }
    }

    /** Every result of a multi-statement text: update counts and rows. */
    private static List<String> results(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            boolean isResult = st.execute(sql);
            while (true) {
                if (isResult) {
                    try (ResultSet rs = st.getResultSet()) {
                        while (rs.next()) {
                            StringBuilder row = new StringBuilder();
                            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                                row.append(i > 1 ? "|" : "").append(rs.getString(i));
                            }
                            out.add(row.toString());
                        }
                    }
                } else if (st.getUpdateCount() >= 0) {
                    out.add("update " + st.getUpdateCount());
                } else {
                    return out;
                }
                isResult = st.getMoreResults();
            }
        }
    }

    @Test
    void loadDataLocalInfileIsRelayedAndInvalidates() throws Exception {
        Path file = Files.createTempFile("proxy-infile", ".csv");
        try {
            StringBuilder rows = new StringBuilder();
            for (int i = 10; i < 1010; i++) {
                rows.append(i).append(",row ").append(i).append('\n');
            }
            Files.writeString(file, rows);
            String count = "SELECT COUNT(*) FROM " + table;
            try (Connection c = viaProxy("allowLoadLocalInfile=true")) {
                assertThat(Db.one(c, count)).isEqualTo("2");
                assertThat(Db.one(c, count)).isEqualTo("2"); // cached
                try (Statement st = c.createStatement()) {
                    int loaded = st.executeUpdate("LOAD DATA LOCAL INFILE '" + file.toAbsolutePath()
                            + "' INTO TABLE " + table + " FIELDS TERMINATED BY ','");
                    assertThat(loaded).isEqualTo(1000);
                }
                assertThat(Db.one(c, count)).as("the load invalidated the count").isEqualTo("1002");
                assertThat(Db.one(c, "SELECT v FROM " + table + " WHERE id = 1009")).isEqualTo("row 1009");
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
