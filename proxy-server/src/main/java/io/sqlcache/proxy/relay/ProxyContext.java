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
