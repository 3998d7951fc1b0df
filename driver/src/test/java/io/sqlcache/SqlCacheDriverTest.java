package io.sqlcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** URL handling, with no database: the real driver is never reached by these calls. */
class SqlCacheDriverTest {

    private final SqlCacheDriver driver = new SqlCacheDriver();

    @Test
    void acceptsOnlyItsOwnPrefixAndIsNullSafe() {
        assertThat(driver.acceptsURL("jdbc:sqlcache:mysql://h/db")).isTrue();
        assertThat(driver.acceptsURL("jdbc:mysql://h/db")).isFalse();
        assertThat(driver.acceptsURL(null)).isFalse();
    }

    @Test
    void connectReturnsNullForForeignUrls() throws SQLException {
        assertThat(driver.connect("jdbc:mysql://127.0.0.1:1/x", new Properties())).isNull();
        assertThat(driver.connect(null, new Properties())).isNull();
    }

    @Test
    void isRegisteredWithDriverManager() throws SQLException {
        Driver found = DriverManager.getDriver("jdbc:sqlcache:mysql://127.0.0.1:3306/test");
        assertThat(found).isInstanceOf(SqlCacheDriver.class);
    }

    @Test
    void splitsCacheSettingsFromTheRealUrl() throws SQLException {
        SqlCacheDriver.Target t = SqlCacheDriver.target(
                "jdbc:sqlcache:mysql://h:3306/db?user=u&sqlcache.redis=redis%3A%2F%2Fcache%3A6379&useSSL=false&sqlcache.ttl=60",
                new Properties());
        assertThat(t.url()).isEqualTo("jdbc:mysql://h:3306/db?user=u&useSSL=false");
        assertThat(t.config().redis()).isEqualTo("redis://cache:6379");
        assertThat(t.config().ttlSeconds()).isEqualTo(60);
    }

    @Test
    void onlyTheLeadingPrefixIsStripped() throws SQLException {
        // p6spy's replace() bug: a second occurrence inside the URL must survive
        SqlCacheDriver.Target t = SqlCacheDriver.target("jdbc:sqlcache:mysql://h/db?connectionAttributes=x:jdbc:sqlcache:y",
                new Properties());
        assertThat(t.url()).isEqualTo("jdbc:mysql://h/db?connectionAttributes=x:jdbc:sqlcache:y");
    }

    @Test
    void dropsTheQuestionMarkWhenOnlyCacheSettingsWereThere() throws SQLException {
        assertThat(SqlCacheDriver.target("jdbc:sqlcache:mysql://h/db?sqlcache.ttl=5", new Properties()).url())
                .isEqualTo("jdbc:mysql://h/db");
    }

    @Test
    void propertiesSplitTheSameWay() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "u");
        p.setProperty("password", "pw");
        p.setProperty("sqlcache.maxRows", "3");
        SqlCacheDriver.Target t = SqlCacheDriver.target("jdbc:sqlcache:mysql://h/db", p);
        assertThat(t.properties()).containsOnlyKeys("user", "password");
        assertThat(t.config().maxRows()).isEqualTo(3);
        assertThat(t.scope()).doesNotContain("pw");
    }

    @Test
    void badSettingFailsConnectNamingTheKey() {
        assertThatThrownBy(() -> driver.connect("jdbc:sqlcache:mysql://127.0.0.1:1/db?sqlcache.ttl=soon", new Properties()))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("sqlcache.ttl")
                .extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("08001");
        assertThatThrownBy(() -> driver.connect("jdbc:sqlcache:mysql://127.0.0.1:1/db?sqlcache.bogus=1", new Properties()))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("sqlcache.bogus");
    }

    @Test
    void missingRealDriverSaysWhatToAdd() {
        assertThatThrownBy(() -> driver.connect("jdbc:sqlcache:nosuchdb://h/db", new Properties()))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("no JDBC driver");
    }

    @Test
    void nestedPrefixIsRejected() {
        assertThatThrownBy(() -> driver.connect("jdbc:sqlcache:sqlcache:mysql://h/db", new Properties()))
                .isInstanceOf(SQLException.class).hasMessageContaining("nested");
    }

    @Test
    void redactHidesPasswords() {
        assertThat(SqlCacheDriver.redact("jdbc:mysql://h/db?user=u&password=secret&x=1"))
                .isEqualTo("jdbc:mysql://h/db?user=u&password=***&x=1");
        assertThat(SqlCacheDriver.redact("jdbc:mysql://u:secret@h/db")).isEqualTo("jdbc:mysql://u:***@h/db");
    }
}
