package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqlcache.CacheConfig;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The handshake is relayed, not spoken: an authentication plugin the proxy knows nothing about
 * works through it. MariaDB's ed25519 plugin (what caching_sha2_password is to MySQL 8: a
 * non-native plugin reached through an auth switch) with MariaDB Connector/J, which speaks it.
 * The proxy never sees the password; a wrong password gets the server's own refusal.
 */
class ProxyAuthPluginIT {

    private static final String PASSWORD = "pw-" + UUID.randomUUID();
    private static String user;
    private static boolean installedPlugin;
    private static ProxyServer proxy;

    @BeforeAll
    static void setUp() throws Exception {
        TestEnv.requireRedis();
        user = "sqc_ed_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = TestEnv.mysql()) {
            String status = Db.one(c, "SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'ed25519'");
            if (status == null) {
                // shipped with Debian's mariadb-server as auth_ed25519.so; removed again in tearDown
                Db.exec(c, "INSTALL SONAME 'auth_ed25519'");
                installedPlugin = true;
            }
            Db.exec(c, "CREATE USER '" + user + "'@'%' IDENTIFIED VIA ed25519 USING PASSWORD('" + PASSWORD + "')",
                    "GRANT SELECT ON " + ProxyTests.database() + ".* TO '" + user + "'@'%'");
        }
        CacheConfig cache = ProxyTests.redisCache(Db.uniquePrefix());
        proxy = new ProxyServer(ProxyTests.config(cache)).start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        ProxyTests.stop(proxy);
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP USER IF EXISTS '" + user + "'@'%'");
            if (installedPlugin) {
                Db.exec(c, "UNINSTALL SONAME 'auth_ed25519'");
            }
        }
    }

    private static String url(String password) {
        return "jdbc:mariadb://127.0.0.1:" + proxy.port() + "/" + ProxyTests.database() + "?user=" + user
                + "&password=" + password;
    }

    @Test
    void aPluginTheProxyDoesNotKnowAuthenticatesThroughIt() throws SQLException {
        try (Connection root = TestEnv.mysql()) {
            assertThat(Db.one(root, "SELECT plugin FROM mysql.user WHERE user = '" + user + "'"))
                    .as("the account really uses the non-native plugin").isEqualTo("ed25519");
        }
        try (Connection c = DriverManager.getConnection(url(PASSWORD));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT CURRENT_USER()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith(user + "@");
        }
    }

    @Test
    void aWrongPasswordGetsTheServersRefusal() {
        assertThatThrownBy(() -> DriverManager.getConnection(url("not-" + PASSWORD)).close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1045));
    }
}
