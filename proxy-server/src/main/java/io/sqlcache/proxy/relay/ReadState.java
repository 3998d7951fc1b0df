package io.sqlcache.proxy.relay;

import io.sqlcache.core.CacheRuntime;
import io.sqlcache.key.KeyMaterial;
import io.sqlcache.proxy.protocol.ResponseTracker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * A cacheable read's part of its {@link Exchange}: its key, the store's answer to a miss, its
 * role in a coalesced miss (a leader's flight, a waiter's bound), and the capture of the server's
 * answer for the store. {@link CachedReads} fills it in; {@link ExchangeRelay} captures and
 * stores through it. Confined to the connection's event loop (a flight it ends is thread-safe).
 */
final class ReadState {

    final KeyMaterial key;
    final int ttl;
    /** The store's answer to a miss: the versions the capture is stored under. */
    private CacheRuntime.RawLookup lookup;
    /** The flight this exchange leads, ended with its command. */
    private Coalescer.Flight flight;
    /** A waiter's bound on its wait for the leader; non-null exactly while it waits. */
    private ScheduledFuture<?> waitLimit;
    /** The answer's payloads as they pass to the client, or null when not capturing. */
    private List<byte[]> capture;
    private long capturedBytes;

    ReadState(KeyMaterial key, int ttl) {
        this.key = key;
        this.ttl = ttl;
    }

    /** A miss: the answer the server gives is captured for the store under {@code miss}'s versions. */
    void missed(CacheRuntime.RawLookup miss) {
        this.lookup = miss;
    }

    /** This exchange leads {@code f}: it ends with the command. */
    void lead(Coalescer.Flight f) {
        this.flight = f;
    }

    /** Captures the server's answer from now on. */
    void capture() {
        capture = new ArrayList<>();
    }

    /** Waits for a leader's result, at most until {@code limit} fires. */
    void waitFor(ScheduledFuture<?> limit) {
        waitLimit = limit;
    }

    boolean waiting() {
        return waitLimit != null;
    }

    /** The wait ends (answered, or given up): the bound is cancelled. */
    void stopWaiting() {
        waitLimit.cancel(false);
        waitLimit = null;
    }

    /**
     * A packet of the server's answer. Over the store's limits the capture stops (the answer
     * keeps streaming) and the key is not buffered again for a TTL.
     */
    void captured(byte[] payload, ResponseTracker tracker, CacheRuntime runtime) {
        if (capture == null) {
            return;
        }
        capture.add(payload);
        capturedBytes += payload.length + 8;
        if (capturedBytes > runtime.config().maxBytes() || tracker.rows() > runtime.config().maxRows()) {
            capture = null;
            runtime.rememberUncacheable(key.hash());
            runtime.metrics().bypass("result over limits");
        }
    }

    /**
     * The answer is complete. When it may be stored: the waiters get it (what a hit of the entry
     * stored here would give them), then it is stored, before the last packet leaves, as the
     * driver does: the store sends the client's next command after it, so its next identical
     * query finds the entry. {@link CacheRuntime#writeRaw} does not wait for the store's reply,
     * hence no worker. Either way the flight ends.
     */
    void finished(boolean storable, CacheRuntime runtime) {
        if (capture != null && storable) {
            List<byte[]> packets = capture;
            endFlight(packets);
            runtime.writeRaw(lookup, key, packets, ttl);
        }
        endFlight(null);
    }

    /** Ends the flight this exchange leads, if any: its waiters get {@code payloads} or forward their own. */
    void endFlight(List<byte[]> payloads) {
        Coalescer.Flight f = flight;
        if (f != null) {
            flight = null;
            f.end(payloads);
        }
    }

    /** The exchange is over or abandoned: no flight left open, no bound left scheduled. */
    void release() {
        endFlight(null);
        if (waitLimit != null) {
            waitLimit.cancel(false);
        }
    }
}
