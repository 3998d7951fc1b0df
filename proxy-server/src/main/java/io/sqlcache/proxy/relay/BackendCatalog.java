package io.sqlcache.proxy.relay;

import io.sqlcache.invalidate.CatalogConnector;
import io.sqlcache.proxy.ProxyConfig;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Opens connections of mysql-connector-j to the backend, as the proxy's own catalog login, for
 * {@link io.sqlcache.invalidate.Dependencies} to read views, triggers and foreign keys. The
 * driver class is instantiated directly, not looked up through {@code DriverManager}: the proxy
 * jar carries no {@code java.sql.Driver} service file. Thread-safe.
 */
final class BackendCatalog implements CatalogConnector {

    /** Bounds a catalog connection's life: a dead backend costs a read its cache, never a hang. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    static final int SOCKET_TIMEOUT_MILLIS = 10_000;

    private final String url;
    private final Properties properties = new Properties();
    private final Driver driver;

    BackendCatalog(String host, int port, ProxyConfig.CatalogLogin login) {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        this.url = "jdbc:mysql://" + h + ":" + port + "/";
        properties.setProperty("user", login.user());
        properties.setProperty("password", login.password());
        properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_MILLIS));
        properties.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_MILLIS));
        // MySQL 8's caching_sha2_password over a plain connection needs the server's key
        properties.setProperty("allowPublicKeyRetrieval", "true");
        properties.setProperty("sslMode", "PREFERRED");
        try {
            this.driver = new com.mysql.cj.jdbc.Driver();
        } catch (SQLException e) {
            throw new IllegalStateException("mysql-connector-j cannot start", e);
        }
    }

    @Override
    public Connection open() throws SQLException {
        Connection c = driver.connect(url, properties);
        if (c == null) {
            throw new SQLException("mysql-connector-j refused " + url);
        }
        return c;
    }

    /** Names the server in {@link io.sqlcache.invalidate.Dependencies}: one model set per backend. */
    String server() {
        return "proxy:" + url;
    }

    @Override
    public String toString() {
        return "BackendCatalog(" + url + " as " + properties.getProperty("user") + ")";
    }
}
