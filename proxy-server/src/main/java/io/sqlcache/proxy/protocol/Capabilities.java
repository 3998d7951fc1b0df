package io.sqlcache.proxy.protocol;

/**
 * Capability flags the proxy reads or removes.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/group__group__cs__capabilities__flags.html">Capabilities flags</a>
 * @see <a href="https://mariadb.com/kb/en/connection/#capabilities">MariaDB capabilities</a>
 */
public final class Capabilities {

    /** Set by MySQL servers and clients; clear when the MariaDB extended capabilities are in use. */
    public static final int CLIENT_MYSQL = 1;
    public static final int CLIENT_CONNECT_WITH_DB = 1 << 3;
    public static final int CLIENT_COMPRESS = 1 << 5;
    public static final int CLIENT_LOCAL_FILES = 1 << 7;
    public static final int CLIENT_PROTOCOL_41 = 1 << 9;
    public static final int CLIENT_SSL = 1 << 11;
    public static final int CLIENT_SECURE_CONNECTION = 1 << 15;
    public static final int CLIENT_MULTI_STATEMENTS = 1 << 16;
    public static final int CLIENT_MULTI_RESULTS = 1 << 17;
    public static final int CLIENT_PLUGIN_AUTH = 1 << 19;
    public static final int CLIENT_CONNECT_ATTRS = 1 << 20;
    public static final int CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA = 1 << 21;
    public static final int CLIENT_SESSION_TRACK = 1 << 23;
    public static final int CLIENT_DEPRECATE_EOF = 1 << 24;
    public static final int CLIENT_OPTIONAL_RESULTSET_METADATA = 1 << 25;
    public static final int CLIENT_ZSTD_COMPRESSION = 1 << 26;
    public static final int CLIENT_QUERY_ATTRIBUTES = 1 << 27;
    public static final int CLIENT_SSL_VERIFY_SERVER_CERT = 1 << 30;

    /**
     * What the proxy removes from the greeting and the client's answer: compression and TLS
     * (it relays plain packets), and the extensions that change the layout of packets it
     * parses (query attributes in COM_QUERY, optional result set metadata).
     */
    public static final int REMOVED = CLIENT_COMPRESS | CLIENT_SSL | CLIENT_SSL_VERIFY_SERVER_CERT
            | CLIENT_ZSTD_COMPRESSION | CLIENT_QUERY_ATTRIBUTES | CLIENT_OPTIONAL_RESULTSET_METADATA;

    /**
     * The MariaDB extended capabilities the proxy relays (the rest are cleared): extended
     * metadata only adds a field to column definitions, which the proxy never parses, and lets
     * MariaDB clients see JSON and other data type names as they do direct. Progress reports,
     * bulk operations and metadata caching change packets the proxy follows: cleared. Entries
     * are keyed by the extended capabilities in use.
     */
    public static final int MARIADB_KEPT = 1 << 3; // MARIADB_CLIENT_EXTENDED_METADATA

    private Capabilities() {
    }
}
