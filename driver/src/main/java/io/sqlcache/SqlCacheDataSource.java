package io.sqlcache;

import io.sqlcache.metrics.CacheStats;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} over {@link SqlCacheDriver}: set the {@code jdbc:sqlcache:…} URL, and
 * optionally user, password and properties. Not a pool: put HikariCP in front for pooling (or
 * give HikariCP the URL directly). Setters are for configuration before first use; after that
 * the data source is safe for concurrent {@code getConnection} calls.
 */
public final class SqlCacheDataSource implements DataSource {

    private static final SqlCacheDriver DRIVER = new SqlCacheDriver();

    private volatile String url;
    private volatile String user;
    private volatile String password;
    private volatile Properties properties = new Properties();
    private volatile PrintWriter logWriter;
    private volatile int loginTimeout;

    public SqlCacheDataSource() {
    }

    public SqlCacheDataSource(String url) {
        this.url = url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getUrl() {
        return url;
    }

    public void setUser(String user) {
        this.user = user;
    }

    public String getUser() {
        return user;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    /** Extra properties (real driver's and {@code sqlcache.*}); copied. */
    public void setProperties(Properties properties) {
        Properties copy = new Properties();
        copy.putAll(properties);
        this.properties = copy;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return getConnection(user, password);
    }

    @Override
    public Connection getConnection(String username, String pass) throws SQLException {
        Properties p = new Properties();
        p.putAll(properties);
        if (username != null) {
            p.setProperty("user", username);
        }
        if (pass != null) {
            p.setProperty("password", pass);
        }
        String u = url;
        if (u == null) {
            throw new SQLException("SqlCacheDataSource has no URL: call setUrl(\"jdbc:sqlcache:mysql://…\")", "08001");
        }
        Connection c = DRIVER.connect(u, p);
        if (c == null) {
            throw new SQLException("not a sqlcache URL: " + SqlCacheDriver.redact(u) + " (expected "
                    + SqlCacheDriver.URL_PREFIX + "…)", "08001");
        }
        return c;
    }

    /** The counters of the cache this data source's connections use. */
    public CacheStats cacheStats() throws SQLException {
        return SqlCacheDriver.runtime(url, properties).stats();
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("sqlcache logs through System.Logger");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("SqlCacheDataSource does not wrap " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "SqlCacheDataSource[" + SqlCacheDriver.redact(url) + "]";
    }
}
