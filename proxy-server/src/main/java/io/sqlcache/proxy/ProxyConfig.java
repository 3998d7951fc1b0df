package io.sqlcache.proxy;

import io.sqlcache.CacheConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of one proxy: where it listens, the backend it relays to, the cache, and its limits.
 * Immutable.
 *
 * @param listenHost        address to bind, such as {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param listenPort        port to bind; 0 picks a free one (see {@link ProxyServer#port()})
 * @param backendHost       the MySQL or MariaDB server
 * @param backendPort       its port
 * @param cache             the cache settings, the same {@code sqlcache.*} keys as the driver
 * @param maxConnections    client connections accepted at once; more get ERR 1040
 * @param maxPacketBytes    the largest client packet accepted (joined across 16 MiB frames)
 * @param shutdownGraceMillis how long a shutdown waits for commands in flight
 * @param workerThreads     threads for store calls (blocking, bounded by the store timeout)
 * @param eventLoops        Netty event loops (threads) serving clients, their backend connections
 *                          and the store's connections on them
 * @param catalog           the login the proxy reads the backend's catalog with (views, triggers,
 *                          foreign keys), or {@code null}: then nothing is cached (no name can be
 *                          proven not to be a view) and every write also bumps the global epoch
 * @param tls               the certificate clients see when they ask for TLS, or {@code null}:
 *                          then SSL is removed from the greeting and clients connect in plain
 */
public record ProxyConfig(String listenHost, int listenPort, String backendHost, int backendPort, CacheConfig cache,
        int maxConnections, int maxPacketBytes, long shutdownGraceMillis, int workerThreads, int eventLoops,
        CatalogLogin catalog, TlsFiles tls) {

    /**
     * PEM files for TLS between clients and the proxy (the proxy talks to the backend in plain).
     *
     * @param certificateChain the certificate chain, PEM, non-null
     * @param privateKey       its PKCS#8 private key, PEM, unencrypted, non-null
     */
    public record TlsFiles(Path certificateChain, Path privateKey) {

        public TlsFiles {
            Objects.requireNonNull(certificateChain, "TLS certificate");
            Objects.requireNonNull(privateKey, "TLS key");
        }
    }

    /**
     * A login of the proxy's own for the backend's {@code information_schema}. The proxy never
     * learns its clients' passwords, so it cannot read the catalog as they would. The user
     * should see every schema clients use (SELECT, SHOW VIEW and TRIGGER on them; root does).
     *
     * @param user     non-null
     * @param password never null; empty for none
     */
    public record CatalogLogin(String user, String password) {

        public CatalogLogin {
            Objects.requireNonNull(user, "catalog user");
            password = password == null ? "" : password;
        }

        @Override
        public String toString() {
            return "CatalogLogin(" + user + ")"; // never the password
        }
    }

    public static final int DEFAULT_MAX_CONNECTIONS = 1000;
    /** MySQL's own maximum for max_allowed_packet. */
    public static final int DEFAULT_MAX_PACKET_BYTES = 1 << 30;
    public static final long DEFAULT_SHUTDOWN_GRACE_MILLIS = 10_000;
    /** The largest server packet the proxy joins in memory: MySQL's own limit. */
    public static final int MAX_BACKEND_PACKET_BYTES = 1 << 30;

    public ProxyConfig {
        Objects.requireNonNull(listenHost, "listenHost");
        Objects.requireNonNull(backendHost, "backendHost");
        Objects.requireNonNull(cache, "cache");
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listen port out of range: " + listenPort);
        }
        if (backendPort < 1 || backendPort > 65535) {
            throw new IllegalArgumentException("backend port out of range: " + backendPort);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be positive: " + maxConnections);
        }
        if (maxPacketBytes < 1024) {
            throw new IllegalArgumentException("max packet bytes must be at least 1024: " + maxPacketBytes);
        }
        if (shutdownGraceMillis < 0) {
            throw new IllegalArgumentException("shutdown grace must not be negative: " + shutdownGraceMillis);
        }
        if (workerThreads < 1) {
            throw new IllegalArgumentException("worker threads must be positive: " + workerThreads);
        }
        if (eventLoops < 1) {
            throw new IllegalArgumentException("event loops must be positive: " + eventLoops);
        }
    }

    /** A configuration with the default limits. */
    public static ProxyConfig of(String listenHost, int listenPort, String backendHost, int backendPort, CacheConfig cache) {
        return new ProxyConfig(listenHost, listenPort, backendHost, backendPort, cache, DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_PACKET_BYTES, DEFAULT_SHUTDOWN_GRACE_MILLIS, defaultWorkers(), defaultEventLoops(), null, null);
    }

    /** Store calls block for at most the store timeout; a few threads per core keep the loops free. */
    public static int defaultWorkers() {
        return Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
    }

    /**
     * One loop per core. Netty's default is two: on a 2-core machine serving sysbench's point
     * selects, two loops did 16 % more queries than four, with a fifth less CPU per query and
     * 0.9 context switches per query against 1.5 (benchmarks/results/load/LOAD.md). A loop
     * never blocks, so more loops than cores only add wake-ups and split the batches of store
     * commands each loop sends in one write.
     */
    public static int defaultEventLoops() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** A copy with other limits. */
    public ProxyConfig withLimits(int connections, int packetBytes) {
        return new ProxyConfig(listenHost, listenPort, backendHost, backendPort, cache, connections, packetBytes,
                shutdownGraceMillis, workerThreads, eventLoops, catalog, tls);
    }

    /** A copy that reads the catalog as {@code user} (null: no catalog access). */
    public ProxyConfig withCatalog(String user, String password) {
        return new ProxyConfig(listenHost, listenPort, backendHost, backendPort, cache, maxConnections, maxPacketBytes,
                shutdownGraceMillis, workerThreads, eventLoops, user == null ? null : new CatalogLogin(user, password), tls);
    }

    /** A copy with another shutdown grace. */
    public ProxyConfig withShutdownGrace(long millis) {
        return new ProxyConfig(listenHost, listenPort, backendHost, backendPort, cache, maxConnections, maxPacketBytes,
                millis, workerThreads, eventLoops, catalog, tls);
    }

    /** A copy that offers TLS to clients with these files (null: no TLS). */
    public ProxyConfig withTls(TlsFiles files) {
        return new ProxyConfig(listenHost, listenPort, backendHost, backendPort, cache, maxConnections, maxPacketBytes,
                shutdownGraceMillis, workerThreads, eventLoops, catalog, files);
    }
}
