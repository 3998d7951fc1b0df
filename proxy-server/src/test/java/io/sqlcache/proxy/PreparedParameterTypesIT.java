package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.CacheConfig;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A client sends a prepared statement's parameter types only with the first execute and when they
 * change (new-params-bound = 1), as libmariadb/libmysqlclient do. When the execute that carried
 * them is answered from the cache the server never sees them, so the next forwarded execute must
 * carry them. Found by sysbench through the proxy: every execute after such a hit failed with
 * ERR 1210 "Incorrect arguments to mysqld_stmt_execute". (mysql-connector-j sends the types with
 * every execute, so it never showed; this test speaks the protocol by hand.)
 */
class PreparedParameterTypesIT {

    private static final URI BACKEND = URI.create(TestEnv.MYSQL_URL.substring("jdbc:".length()));
    private static final byte[] INT = {3, 0};
    private static final byte[] VARCHAR = {(byte) 0xFD, 0};
    private static ProxyServer proxy;
    private String table;

    @BeforeAll
    static void startProxy() throws Exception {
        TestEnv.requireRedis();
        CacheConfig cache = ProxyTests.redisCache(Db.uniquePrefix());
        // with a catalog login: without one the proxy caches nothing, and these tests need hits
        proxy = new ProxyServer(ProxyTests.config(cache)).start();
    }

    @AfterAll
    static void stopProxy() throws Exception {
        ProxyTests.stop(proxy);
    }

    @BeforeEach
    void createTable() throws SQLException {
        table = Db.uniqueTable("prepared_types");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(10))",
                    "INSERT INTO " + table + " VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        }
    }

    @AfterEach
    void dropTable() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
        }
    }

    /** A logged-in raw connection with one prepared {@code SELECT v FROM table WHERE id = ?}. */
    private final class Client implements AutoCloseable {
        final RawClient raw = new RawClient(proxy.port());
        final int statement;

        Client() throws IOException {
            assertThat(raw.login("root", BACKEND.getPath().substring(1))[0]).as("login").isEqualTo((byte) 0);
            byte[] sql = ("SELECT v FROM " + table + " WHERE id = ?").getBytes(StandardCharsets.US_ASCII);
            byte[] prepare = new byte[1 + sql.length];
            prepare[0] = 0x16;
            System.arraycopy(sql, 0, prepare, 1, sql.length);
            raw.send(0, prepare);
            byte[] ok = raw.read();
            assertThat(ok[0]).as("prepare OK").isEqualTo((byte) 0);
            statement = (ok[1] & 0xFF) | (ok[2] & 0xFF) << 8 | (ok[3] & 0xFF) << 16 | (ok[4] & 0xFF) << 24;
            int columns = (ok[5] & 0xFF) | (ok[6] & 0xFF) << 8;
            int params = (ok[7] & 0xFF) | (ok[8] & 0xFF) << 8;
            for (int i = 0; i < params + 1 + columns + 1; i++) {
                raw.read(); // definitions, each list ended by an EOF
            }
        }

        /** Executes with a value already encoded; {@code types} null sends new-params-bound = 0. Returns v or the error. */
        String execute(byte[] types, byte[] value) throws IOException {
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            p.write(0x17);
            p.writeBytes(new byte[] {(byte) statement, (byte) (statement >>> 8), (byte) (statement >>> 16),
                    (byte) (statement >>> 24)});
            p.write(0); // no cursor
            p.writeBytes(new byte[] {1, 0, 0, 0});
            p.write(0); // null bitmap
            if (types == null) {
                p.write(0);
            } else {
                p.write(1);
                p.writeBytes(types);
            }
            p.writeBytes(value);
            raw.send(0, p.toByteArray());
            byte[] first = raw.read();
            if ((first[0] & 0xFF) == 0xFF) {
                return "ERR " + ((first[1] & 0xFF) | (first[2] & 0xFF) << 8) + " "
                        + new String(first, 9, first.length - 9, StandardCharsets.UTF_8);
            }
            raw.read(); // column definition
            raw.read(); // EOF
            byte[] row = raw.read(); // 0x00, null bitmap, lenenc v
            assertThat(row[0]).as("a binary row").isEqualTo((byte) 0);
            byte[] eof = raw.read();
            assertThat(eof[0] & 0xFF).as("one row, then EOF").isEqualTo(0xFE);
            return new String(row, 3, row[2], StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }

    private static byte[] intValue(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    private static byte[] stringValue(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[1 + b.length];
        out[0] = (byte) b.length;
        System.arraycopy(b, 0, out, 1, b.length);
        return out;
    }

    private long hits() {
        return proxy.context().runtime().metrics().snapshot().hits();
    }

    @Test
    void anExecuteAfterAHitThatCarriedTheTypesReachesTheServerWithThem() throws IOException {
        try (Client warm = new Client()) {
            assertThat(warm.execute(INT, intValue(1))).isEqualTo("a");
        }
        try (Client c = new Client()) {
            long before = hits();
            assertThat(c.execute(INT, intValue(1))).isEqualTo("a");
            assertThat(hits() - before).as("the execute that carried the types was a hit").isEqualTo(1);
            assertThat(c.execute(null, intValue(2))).isEqualTo("b");
            assertThat(c.execute(null, intValue(3))).isEqualTo("c");
            assertThat(c.execute(null, intValue(1))).as("a hit again").isEqualTo("a");
            assertThat(hits() - before).isEqualTo(2);
        }
    }

    @Test
    void newTypesAnsweredFromTheCacheReplaceTheServersOlderTypesOnTheNextForwardedExecute() throws IOException {
        try (Client warm = new Client()) {
            assertThat(warm.execute(VARCHAR, stringValue("2"))).isEqualTo("b");
        }
        try (Client c = new Client()) {
            long before = hits();
            assertThat(c.execute(INT, intValue(3))).as("INT types reach the server").isEqualTo("c");
            assertThat(c.execute(VARCHAR, stringValue("2"))).isEqualTo("b");
            assertThat(hits() - before).as("the VARCHAR types came with a hit").isEqualTo(1);
            assertThat(c.execute(null, stringValue("1"))).as("the server decodes a string, not an INT").isEqualTo("a");
        }
    }
}
