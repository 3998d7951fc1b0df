package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.CacheConfig;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MariaDB Connector/J through the proxy, with client-side and server-side prepared statements
 * (the latter pipelines COM_STMT_PREPARE and COM_STMT_EXECUTE with statement id -1): every
 * answer equals the same client's answer direct, hits do not reach the server, writes
 * invalidate.
 */
class MariaDbClientIT {

    private static String prefix;
    private static ProxyServer proxy;
    private String table;

    @BeforeAll
    static void startProxy() throws Exception {
        TestEnv.requireRedis();
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
        table = Db.uniqueTable("mariadb_it");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(40), d DECIMAL(10,3), t DATETIME(3),"
                            + " b VARBINARY(16), n INT NULL, f DOUBLE, j JSON, dt DATE, tm TIME(2), big BIGINT UNSIGNED)",
                    "INSERT INTO " + table + " VALUES (1, 'a', 1.500, '2024-01-02 03:04:05.678', x'00ff', NULL, 1.25,"
                            + " '{\"k\": [1, 2]}', '2024-02-29', '12:34:56.78', 18446744073709551615),"
                            + " (2, 'b', -2.250, '1999-12-31 23:59:59.000', x'', 7, -0.0, NULL, '1000-01-01', '-838:59:59', 0),"
                            + " (3, 'é ü 漢', 0, NULL, NULL, NULL, NULL, 'null', NULL, NULL, NULL)");
        }
    }

    @AfterEach
    void dropTable() throws SQLException {
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
        }
    }

    private static String url(int port, String extra) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + ProxyTests.database() + "?user="
                + ProxyTests.urlParams().getOrDefault("user", "root") + "&password="
                + ProxyTests.urlParams().getOrDefault("password", "") + (extra.isEmpty() ? "" : "&" + extra);
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
                row.append(o instanceof byte[] b ? HexFormat.of().formatHex(b) : String.valueOf(o)).append('|');
                row.append(rs.getString(i)).append('|');
            }
            out.add(row.toString());
        }
        return out;
    }

    private static long status(Connection c, String counter) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE '" + counter + "'")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(2);
        }
    }

    private static List<String> text(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return dump(rs);
        }
    }

    private static List<String> prepared(Connection c, String sql, int param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                return dump(rs);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "useServerPrepStmts=true"})
    void textAndPreparedStatementsAnswerAsDirectAndRepeatsAreHits(String options) throws SQLException {
        String all = "SELECT * FROM " + table + " ORDER BY id";
        String byId = "SELECT id, v, d, t, b, n, f, j, dt, tm, big FROM " + table + " WHERE id >= ? ORDER BY id";
        String counter = options.isEmpty() ? "Com_select" : "Com_stmt_execute";
        List<String> directText;
        List<String> directPrepared;
        try (Connection d = DriverManager.getConnection(url(ProxyTests.backendPort(), options))) {
            directText = text(d, all);
            directPrepared = prepared(d, byId, 2);
        }
        assertThat(directText).hasSize(4);
        try (Connection c = DriverManager.getConnection(url(proxy.port(), options))) {
            assertThat(text(c, all)).isEqualTo(directText);
            long before = status(c, "Com_select");
            assertThat(text(c, all)).as("text hit").isEqualTo(directText);
            assertThat(status(c, "Com_select")).as("a text hit does not reach the server").isEqualTo(before);

            assertThat(prepared(c, byId, 2)).isEqualTo(directPrepared);
            long executes = status(c, counter);
            assertThat(prepared(c, byId, 2)).as("prepared hit").isEqualTo(directPrepared);
            assertThat(prepared(c, byId, 2)).isEqualTo(directPrepared);
            assertThat(status(c, counter)).as("prepared hits do not reach the server").isEqualTo(executes);
            assertThat(prepared(c, byId, 3)).hasSize(2);
            assertThat(status(c, counter)).as("another parameter is another entry").isEqualTo(executes + 1);

            try (PreparedStatement up = c.prepareStatement("UPDATE " + table + " SET v = ? WHERE id = ?")) {
                up.setString(1, "written");
                up.setInt(2, 2);
                assertThat(up.executeUpdate()).isEqualTo(1);
            }
            assertThat(prepared(c, byId, 2).get(1)).as("a prepared write invalidates").contains("|written|");
            assertThat(text(c, all).get(2)).as("and the text entry").contains("|written|");

            // batches (MariaDB's bulk protocol where the server has it) write and invalidate too
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + table + " (id, v) VALUES (?, ?)")) {
                for (int i = 10; i < 13; i++) {
                    ins.setInt(1, i);
                    ins.setString(2, "batch " + i);
                    ins.addBatch();
                }
                ins.executeBatch();
            }
            assertThat(text(c, all)).hasSize(7);
            assertThat(prepared(c, byId, 10)).hasSize(4);
        }
        try (Connection d = DriverManager.getConnection(url(ProxyTests.backendPort(), options))) {
            assertThat(text(d, all)).hasSize(7);
        }
    }
}
