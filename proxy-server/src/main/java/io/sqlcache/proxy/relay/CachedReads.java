package io.sqlcache.proxy.relay;

import io.netty.channel.EventLoop;
import io.sqlcache.core.CacheRuntime;
import io.sqlcache.core.ReadDecision;
import io.sqlcache.core.ReadPolicy;
import io.sqlcache.invalidate.CatalogConnector;
import io.sqlcache.key.KeyMaterial;
import io.sqlcache.key.ParamValue;
import io.sqlcache.metrics.CacheMetrics;
import io.sqlcache.proxy.protocol.ResponseTracker.Expect;
import io.sqlcache.sql.SqlAnalysis;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The cached-read flow of one connection, for a read {@link ReadPolicy#named} allows: its key,
 * the expansion of its tables ({@link ReadPolicy#expand}, {@link ReadPolicy#expanded}), the
 * store lookup, and on a miss either leading a coalesced flight (forward, capture, store) or
 * waiting for another session's result ({@link Coalescer}). What one read holds is its
 * {@link ReadState}.
 *
 * <p>Confined to the connection's event loop, which it never blocks: the lookup is asynchronous
 * ({@link CacheRuntime#readRawAsync}) and comes back on the event loop, a catalog model is loaded
 * on a worker ({@link ClientConnection#submit}), and a leader's result is handed back to the
 * event loop from whichever thread ends the flight.
 */
final class CachedReads {

    private static final System.Logger LOG = System.getLogger(CachedReads.class.getName());
    /** How long a coalesced miss waits for another session's result before it forwards its own. */
    static final long MAX_COALESCED_WAIT_MS = 10_000;
    /** Why nothing is cached without a catalog login. */
    static final String NO_CATALOG = "no catalog access (set --catalog-user)";

    private final ClientConnection connection;
    private final Session session;
    private final ExchangeRelay relay;
    private final ProxyContext context;
    private final CacheRuntime runtime;
    private final CacheMetrics metrics;
    private final EventLoop eventLoop;
    /** The key prefix of the last cached read: reused while its text and scope stay the same. */
    private KeyMaterial.Prefix keyPrefix;

    CachedReads(ClientConnection connection, Session session, ExchangeRelay relay, ProxyContext context,
                EventLoop eventLoop) {
        this.connection = connection;
        this.session = session;
        this.relay = relay;
        this.context = context;
        this.runtime = context.runtime();
        this.metrics = runtime.metrics();
        this.eventLoop = eventLoop;
    }

    /**
     * Answers a read from the cache, or forwards it and captures the answer for the store.
     *
     * @param named    the policy's first step, which allowed the cache
     * @param params   the parameters that join the key (none for a text statement)
     * @param protocol "text" or "binary": the answer's encoding, part of the key
     */
    void read(Exchange ex, SqlAnalysis a, ReadDecision named, ParamValue[] params, String protocol) {
        CatalogConnector catalog = context.catalog();
        if (catalog == null) {
            // any name may be a view over tables whose writes we would not connect to it
            metrics.bypass(NO_CATALOG);
            relay.forward(ex, Expect.RESULT);
            return;
        }
        keyPrefix = KeyMaterial.Prefix.reusing(keyPrefix, a.cacheText(), params.length, session.scope(protocol));
        KeyMaterial key = keyPrefix.with(params);
        if (runtime.knownUncacheable(key.hash())) {
            metrics.bypass("result over limits");
            relay.forward(ex, Expect.RESULT);
            return;
        }
        ex.read = new ReadState(key, runtime.ttlFor(a));
        ReadPolicy policy = runtime.readPolicy();
        String schema = session.schema();
        Long[] integerParams = ex.statement.integerParams();
        // from the loaded models only (no catalog query on the event loop) when it can
        ReadDecision expanded = policy.expand(named, a, schema, context.catalogServer(), null, integerParams);
        if (expanded != null) {
            lookUp(ex, expanded);
            return;
        }
        // a model to load from the catalog: JDBC, off the event loop
        connection.submit(ex, () -> policy.expand(named, a, schema, context.catalogServer(), catalog, integerParams),
                d -> lookUp(ex, d));
    }

    /**
     * Asks the store without blocking the event loop: the answer comes back on this channel's
     * event loop (decoded there), and only then does this exchange go on. Nothing else of this
     * session runs meanwhile (commands are handled one at a time), so pipelined commands are
     * still answered in order.
     */
    private void lookUp(Exchange ex, ReadDecision expanded) {
        ReadDecision d = runtime.readPolicy().expanded(expanded, session);
        if (d.bypass() != null) {
            ex.read = null;
            metrics.bypass(d.bypass());
            relay.forward(ex, Expect.RESULT);
            return;
        }
        runtime.readRawAsync(ex.read.key, d.tables(), d.buckets(), d.snapshot(), eventLoop).whenComplete((lookup, e) -> {
            if (!eventLoop.inEventLoop()) {
                // the event loop refused the continuation: it is shutting down, and so is this connection
                connection.closeNow();
                return;
            }
            if (!connection.handles(ex)) {
                return;
            }
            try {
                looked(ex, e == null ? lookup : CacheRuntime.RawLookup.UNAVAILABLE);
            } catch (RuntimeException failure) {
                LOG.log(Level.WARNING, "sqlcache proxy: internal error, closing the connection", failure);
                connection.closeNow();
            }
        });
    }

    private void looked(Exchange ex, CacheRuntime.RawLookup lookup) {
        if (lookup.hit()) {
            metrics.hit();
            relay.serve(ex, lookup.packets());
            return;
        }
        if (!lookup.available()) {
            metrics.bypass("store unavailable");
            relay.forward(ex, Expect.RESULT);
            return;
        }
        metrics.miss();
        ReadState read = ex.read;
        read.missed(lookup);
        if (!lookup.storable()) {
            // a write in flight, or a transaction's snapshot older than the versions: another
            // session's answer may be older or newer than this one's, so it gets its own
            relay.forward(ex, Expect.RESULT);
            return;
        }
        Coalescer.Joined joined = context.coalescer().leadOrJoin(lookup.entryKey(), read.key.bytes(),
                lookup.versions(), payloads -> {
                    try {
                        eventLoop.execute(() -> onLeaderDone(ex, payloads));
                    } catch (RejectedExecutionException e) {
                        // this connection's event loop is shutting down: nothing to answer
                    }
                });
        switch (joined.role()) {
            case WAITER -> {
                // a leader stalled by its own slow client must not hold this one for longer
                read.waitFor(eventLoop.schedule(() -> onLeaderDone(ex, null), MAX_COALESCED_WAIT_MS,
                        TimeUnit.MILLISECONDS));
                Runnable hook = Coalescer.afterJoin;
                if (hook != null) {
                    hook.run();
                }
            }
            case LEADER -> {
                read.lead(joined.flight());
                forwardCapturing(ex);
            }
            default -> forwardCapturing(ex);
        }
    }

    /**
     * A waiter's leader is done: answer from its packets as a hit of its entry would, or, when
     * it had none (failed, refused, not cacheable, gone) or took too long, forward this
     * session's own query as an uncoalesced miss.
     */
    private void onLeaderDone(Exchange ex, List<byte[]> payloads) {
        if (!connection.handles(ex) || ex.read == null || !ex.read.waiting()) {
            return; // already answered, given up, or closed
        }
        ex.read.stopWaiting();
        try {
            if (payloads != null) {
                context.coalescer().served();
                relay.serve(ex, payloads);
            } else {
                forwardCapturing(ex);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "sqlcache proxy: internal error, closing the connection", e);
            connection.closeNow();
        }
    }

    /** A miss: forwarded, and its answer captured for the store. */
    private void forwardCapturing(Exchange ex) {
        ex.read.capture();
        relay.forward(ex, Expect.RESULT);
    }
}
