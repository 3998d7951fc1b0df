package io.sqlcache;

import io.sqlcache.core.CacheRuntime;
import io.sqlcache.jdbc.CachingConnection;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * The JDBC driver: {@code jdbc:sqlcache:<rest>} opens {@code jdbc:<rest>} with the real driver
 * found through {@link DriverManager} and puts the cache in front of it. Parameters and
 * properties named {@code sqlcache.*} configure the cache (see {@link CacheConfig}); everything
 * else passes through untouched. Registered with {@link DriverManager} when loaded, and through
 * {@code META-INF/services/java.sql.Driver}. Thread-safe and stateless.
 */
public final class SqlCacheDriver implements Driver {

    /** Every URL this driver owns starts with this. */
    public static final String URL_PREFIX = "jdbc:sqlcache:";

    static {
        try {
            DriverManager.registerDriver(new SqlCacheDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(new IllegalStateException("cannot register sqlcache driver", e));
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(URL_PREFIX);
    }

    /**
     * Opens a caching connection, or returns {@code null} for a URL this driver does not own
     * (as {@link Driver#connect} requires).
     *
     * @throws SQLException SQLState 08001 for a bad {@code sqlcache.*} setting (the message names
     *                      the key) or a missing real driver; the real driver's own errors as they are
     */
    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        Target target = target(url, info);
        Driver real = realDriver(target.url());
        Connection connection = real.connect(target.url(), target.properties());
        if (connection == null) {
            throw new SQLException("the driver for " + redact(target.url()) + " refused the URL", "08001");
        }
        if (!target.config().enabled()) {
            return connection;
        }
        try {
            // the catalog (views, triggers, foreign keys) is read on a connection of its own, opened
            // like this one, so the application's session never sees those queries
            // the real driver's version is part of the key: how it turns the server's bytes into
            // values (what a cached result reproduces) may change between its releases
            String scope = target.scope() + "\u0001" + connection.getMetaData().getDriverVersion();
            return CachingConnection.wrap(connection, CacheRuntime.forConfig(target.config()), scope,
                    () -> real.connect(target.url(), target.properties()));
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** The runtime that connections to {@code url} with {@code info} use: for counters and administration. */
    public static CacheRuntime runtime(String url, Properties info) throws SQLException {
        return CacheRuntime.forConfig(target(url, info).config());
    }

    /** The real URL, the properties that pass through, the cache settings and the key scope. */
    record Target(String url, Properties properties, CacheConfig config, String scope) {
    }

    static Target target(String url, Properties info) throws SQLException {
        if (url == null || !url.startsWith(URL_PREFIX)) {
            throw new SQLException("not a sqlcache URL: " + redact(url) + " (expected " + URL_PREFIX + "…)", "08001");
        }
        String rest = url.substring(URL_PREFIX.length());
        if (rest.startsWith("sqlcache:")) {
            throw new SQLException("nested sqlcache URL: " + redact(url), "08001");
        }
        Map<String, String> settings = new HashMap<>();
        Properties pass = new Properties();
        if (info != null) {
            for (String name : info.stringPropertyNames()) {
                if (name.startsWith(CacheConfig.PREFIX)) {
                    settings.put(name, info.getProperty(name));
                } else {
                    pass.setProperty(name, info.getProperty(name));
                }
            }
        }
        String realUrl = "jdbc:" + stripSettings(rest, settings);
        CacheConfig config;
        try {
            config = CacheConfig.parse(settings, System::getenv);
        } catch (IllegalArgumentException e) {
            throw new SQLException(e.getMessage(), "08001", e);
        }
        return new Target(realUrl, pass, config, scope(realUrl, pass));
    }

    /** Removes {@code sqlcache.*} query parameters into {@code settings}; keeps the rest byte for byte. */
    private static String stripSettings(String rest, Map<String, String> settings) {
        int q = rest.indexOf('?');
        if (q < 0) {
            return rest;
        }
        List<String> kept = new ArrayList<>();
        for (String part : rest.substring(q + 1).split("&")) {
            if (part.startsWith(CacheConfig.PREFIX)) {
                int eq = part.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
                settings.put(key, value);
            } else if (!part.isEmpty()) {
                kept.add(part);
            }
        }
        return kept.isEmpty() ? rest.substring(0, q) : rest.substring(0, q + 1) + String.join("&", kept);
    }

    /**
     * What in the connection settings can change the values the real driver returns, for the key:
     * the URL and properties without credentials, and the JVM's default time zone (which the
     * real driver uses to build java.sql dates). Two applications with different options never
     * share an entry.
     */
    private static String scope(String realUrl, Properties pass) {
        TreeMap<String, String> sorted = new TreeMap<>();
        for (String name : pass.stringPropertyNames()) {
            if (!name.equalsIgnoreCase("password") && !name.equalsIgnoreCase("user")) {
                sorted.put(name, pass.getProperty(name));
            }
        }
        return redact(realUrl) + "\u0001" + sorted + "\u0001" + TimeZone.getDefault().getID();
    }

    /** The URL without credentials: for keys, logs and messages. */
    static String redact(String url) {
        if (url == null) {
            return "null";
        }
        return url.replaceAll("(?i)([?&;](password|pwd|password1|password2|password3)=)[^&;]*", "$1***")
                .replaceAll("//([^/@:]*):[^/@]*@", "//$1:***@");
    }

    private static Driver realDriver(String realUrl) throws SQLException {
        try {
            return DriverManager.getDriver(realUrl);
        } catch (SQLException e) {
            throw new SQLException("no JDBC driver on the class path accepts " + redact(realUrl)
                    + ": add the real driver (for MySQL, com.mysql:mysql-connector-j) next to sqlcache", "08001", e);
        }
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return new DriverPropertyInfo[0];
        }
        Target target = target(url, info);
        List<DriverPropertyInfo> all = new ArrayList<>(Arrays.asList(realDriver(target.url())
                .getPropertyInfo(target.url(), target.properties())));
        CacheConfig.KEYS.forEach((key, accepted) -> {
            DriverPropertyInfo p = new DriverPropertyInfo(key, null);
            p.description = accepted;
            all.add(p);
        });
        return all.toArray(new DriverPropertyInfo[0]);
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    /** Not compliant on its own: compliance is the real driver's. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("sqlcache logs through System.Logger");
    }
}
