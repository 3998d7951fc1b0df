package io.sqlcache.proxy.relay;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.sqlcache.core.CacheRuntime;
import javax.net.ssl.SSLException;
import io.sqlcache.invalidate.CatalogConnector;
import io.sqlcache.proxy.ProxyConfig;
import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.StatementKind;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every connection of one proxy shares: its settings, the cache runtime, the worker pool
 * for store calls, the live connections and their counters. Thread-safe.
 */
public final class ProxyContext {

    private final ProxyConfig config;
    private final CacheRuntime runtime;
    private final ExecutorService workers;
    private final BackendCatalog catalog;
    private final SslContext tls;
    private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder protocolErrors = new LongAdder();
    private volatile boolean shuttingDown;
    private final Coalescer coalescer = new Coalescer();
    /**
     * Analyses of cacheable reads by text, so that a repeated text is planned on the event loop
     * without a hop to a worker (the runtime's analyzer may parse, which must not run there).
     * Cleared when full: a bound, not an eviction policy.
     */
    private final ConcurrentHashMap<String, SqlAnalysis> readAnalyses = new ConcurrentHashMap<>();
    /** See {@link #serverDefaultIsolation}. */
    private volatile io.sqlcache.core.Isolation serverDefault;
    private volatile long serverDefaultTriedAt = System.nanoTime();
    private final java.util.concurrent.atomic.AtomicBoolean serverDefaultLoading =
            new java.util.concurrent.atomic.AtomicBoolean();
    static final int MAX_READ_ANALYSES = 10_000;
    static final int MAX_ANALYSED_TEXT = 16 * 1024;

    /**
     * @param workers runs blocking store calls and SQL analysis; owned by the caller
     */
    public ProxyContext(ProxyConfig config, CacheRuntime runtime, ExecutorService workers) {
        this.config = config;
        this.runtime = runtime;
        this.workers = workers;
        this.catalog = config.catalog() == null ? null
                : new BackendCatalog(config.backendHost(), config.backendPort(), config.catalog());
        this.tls = config.tls() == null ? null : serverContext(config.tls());
        // read the server's default isolation now, so that the first transactions can be served
        serverDefaultIsolation();
    }

    private static SslContext serverContext(ProxyConfig.TlsFiles files) {
        try {
            return SslContextBuilder.forServer(files.certificateChain().toFile(), files.privateKey().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot use TLS certificate " + files.certificateChain() + " with key "
                    + files.privateKey() + ": " + e.getMessage(), e);
        }
    }

    /** The TLS context offered to clients, or null when the proxy offers none. */
    SslContext tls() {
        return tls;
    }

    /** Adds what a new client channel needs before the packet codec (the TLS upgrade, when offered). */
    public void initClientPipeline(io.netty.channel.ChannelPipeline pipeline) {
        if (tls != null) {
            pipeline.addFirst(TlsUpgrade.NAME, new TlsUpgrade(tls));
        }
    }

    /**
     * The backend's default isolation level ({@code @@global.transaction_isolation}), what a
     * session that set none runs at; {@code null} until read. Never blocks: the first call (and
     * a call a minute after a failed read) reads it on a worker, through the catalog login.
     */
    io.sqlcache.core.Isolation serverDefaultIsolation() {
        io.sqlcache.core.Isolation known = serverDefault;
        long now = System.nanoTime();
        if (known == null && catalog != null && now - serverDefaultTriedAt > 0
                && serverDefaultLoading.compareAndSet(false, true)) {
            serverDefaultTriedAt = now + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
            try {
                workers.execute(() -> {
                    try {
                        serverDefault = readServerDefault();
                    } finally {
                        serverDefaultLoading.set(false);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                serverDefaultLoading.set(false);
            }
        }
        return known;
    }

    private io.sqlcache.core.Isolation readServerDefault() {
        // MySQL 8 and MariaDB 11.1+ know transaction_isolation, older servers tx_isolation only
        for (String variable : new String[] {"@@global.transaction_isolation", "@@global.tx_isolation"}) {
            try (java.sql.Connection c = catalog.open(); java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SELECT " + variable)) {
                if (rs.next()) {
                    io.sqlcache.core.Isolation level = io.sqlcache.core.Isolation.parse(rs.getString(1));
                    return level == io.sqlcache.core.Isolation.UNKNOWN ? null : level;
                }
            } catch (java.sql.SQLException e) {
                // the other name, or the backend is down: tried again later
            }
        }
        return null;
    }

    /** Opens catalog connections to the backend, or null when the proxy has no catalog login. */
    CatalogConnector catalog() {
        return catalog;
    }

    /** Names the backend in the runtime's {@link io.sqlcache.invalidate.Dependencies}. */
    String catalogServer() {
        return catalog == null ? "proxy:no catalog" : catalog.server();
    }

    public ProxyConfig config() {
        return config;
    }

    public CacheRuntime runtime() {
        return runtime;
    }

    /** Coalesced misses of every connection of this proxy. */
    Coalescer coalescer() {
        return coalescer;
    }

    /** The analysis of a cacheable read seen before, or null (then analyse it off the event loop). */
    SqlAnalysis knownRead(String sql) {
        return readAnalyses.get(sql);
    }

    /** Remembers {@code a} for {@link #knownRead} when it is a cacheable read (the only ones asked for). */
    void rememberRead(String sql, SqlAnalysis a) {
        if (a.kind() != StatementKind.READ || !a.cacheable() || sql.length() > MAX_ANALYSED_TEXT) {
            return;
        }
        if (readAnalyses.size() >= MAX_READ_ANALYSES) {
            readAnalyses.clear();
        }
        readAnalyses.put(sql, a);
    }

    ExecutorService workers() {
        return workers;
    }

    /** Registers a new client; false when the connection limit is reached (the caller refuses it). */
    boolean admit(ClientConnection c) {
        if (active.incrementAndGet() > config.maxConnections() || shuttingDown) {
            active.decrementAndGet();
            refused.increment();
            return false;
        }
        accepted.increment();
        connections.add(c);
        return true;
    }

    void release(ClientConnection c) {
        if (connections.remove(c)) {
            active.decrementAndGet();
        }
    }

    void protocolError() {
        protocolErrors.increment();
    }

    /** Client connections open now. */
    public int activeConnections() {
        return active.get();
    }

    public long acceptedConnections() {
        return accepted.sum();
    }

    public long refusedConnections() {
        return refused.sum();
    }

    public long protocolErrors() {
        return protocolErrors.sum();
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    /** Stops admitting clients and asks every connection to close once its command in flight is done. */
    public void beginShutdown() {
        shuttingDown = true;
        for (ClientConnection c : connections) {
            c.closeWhenIdle();
        }
    }

    /** Closes every connection now, in flight or not. */
    public void closeAll() {
        for (ClientConnection c : connections) {
            c.closeNow();
        }
    }
}
