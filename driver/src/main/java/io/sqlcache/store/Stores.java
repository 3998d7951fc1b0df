package io.sqlcache.store;

import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where the driver and the proxy get their store.
 *
 * <p>Without a Redis URI: {@link InProcessStore#shared()}. With one: a
 * {@link CircuitBreakerStore} around a {@link RedisStore}, shared by every caller in the JVM
 * that asks for the same URI, prefix and timeouts, so that a JVM holds one Redis connection
 * (Lettuce pipelines all callers on it) and one breaker (a dead Redis costs one timeout per
 * JVM, not one per JDBC connection).
 *
 * <p>Sharing is reference counted: each {@link #open} returns a handle whose {@code close}
 * (idempotent) releases one reference; the last one closes the Redis client and its threads.
 * A pool that keeps its connections therefore keeps one client; an application that opens a
 * connection per query reconnects to Redis each time, as it does to the database.
 *
 * <p>Thread-safe.
 */
public final class Stores {

    /** Default prefix of every Redis key sqlcache writes. */
    public static final String DEFAULT_PREFIX = "sqlcache:";

    private record Key(String uri, String prefix, Duration commandTimeout, Duration breakerOpen, Duration spin,
                       int threadLanes) {
    }

    private static final class Shared {
        final CircuitBreakerStore store;
        int references;

        Shared(CircuitBreakerStore store) {
            this.store = store;
        }
    }

    /** Guarded by itself: opens and closes are rare next to queries, a lock is simplest. */
    private static final Map<Key, Shared> SHARED = new HashMap<>();

    private Stores() {
    }

    /**
     * The store for a configuration.
     *
     * @param redisUriOrNull {@code null} or blank for the in-process store, else a Redis URI
     *                       (see {@link RedisStore})
     * @param prefix         key prefix for Redis, not {@code null} (unused in process)
     * @param commandTimeout Redis command timeout, positive
     * @param breakerOpen    how long to skip Redis after a failure, positive
     * @return a store to {@code close} when done, never {@code null}
     * @throws IllegalArgumentException when the URI is malformed (never for an unreachable server)
     */
    public static CacheStore open(String redisUriOrNull, String prefix, Duration commandTimeout, Duration breakerOpen) {
        return open(redisUriOrNull, prefix, commandTimeout, breakerOpen, RedisStore.DEFAULT_SPIN);
    }

    /**
     * {@link #open(String, String, Duration, Duration)} with how long a caller spins for a Redis
     * reply before it parks ({@link RedisStore}); zero or more.
     */
    public static CacheStore open(String redisUriOrNull, String prefix, Duration commandTimeout, Duration breakerOpen,
            Duration spin) {
        return open(redisUriOrNull, prefix, commandTimeout, breakerOpen, spin, RedisStore.DEFAULT_THREAD_LANES);
    }

    /**
     * {@link #open(String, String, Duration, Duration, Duration)} with how many application
     * threads get a blocking Redis connection of their own ({@link RedisStore}); zero or more.
     */
    public static CacheStore open(String redisUriOrNull, String prefix, Duration commandTimeout, Duration breakerOpen,
            Duration spin, int threadLanes) {
        if (redisUriOrNull == null || redisUriOrNull.isBlank()) {
            return InProcessStore.shared();
        }
        Key key = new Key(redisUriOrNull.strip(), Objects.requireNonNull(prefix, "prefix"),
                Objects.requireNonNull(commandTimeout, "commandTimeout"), Objects.requireNonNull(breakerOpen, "breakerOpen"),
                Objects.requireNonNull(spin, "spin"), threadLanes);
        synchronized (SHARED) {
            Shared shared = SHARED.get(key);
            if (shared == null) {
                RedisStore redis = new RedisStore(key.uri, prefix, commandTimeout, RedisStore.DEFAULT_CONNECT_TIMEOUT, spin,
                        threadLanes);
                try {
                    shared = new Shared(new CircuitBreakerStore(redis, breakerOpen));
                } catch (RuntimeException e) {
                    redis.close();
                    throw e;
                }
                SHARED.put(key, shared);
            }
            shared.references++;
            return new Handle(key, shared.store);
        }
    }

    private static void release(Key key) {
        CircuitBreakerStore toClose = null;
        synchronized (SHARED) {
            Shared shared = SHARED.get(key);
            if (shared != null && --shared.references == 0) {
                SHARED.remove(key);
                toClose = shared.store;
            }
        }
        if (toClose != null) {
            // outside the lock: shutting the client down takes a moment
            toClose.close();
        }
    }

    /** One reference to a shared store; {@code close} releases it once. */
    private static final class Handle implements CacheStore {
        private final Key key;
        private final CircuitBreakerStore store;
        private final AtomicBoolean closed = new AtomicBoolean();

        Handle(Key key, CircuitBreakerStore store) {
            this.key = key;
            this.store = store;
        }

        private CircuitBreakerStore store() throws StoreException {
            if (closed.get()) {
                throw new StoreException("store handle is closed: " + store.describe());
            }
            return store;
        }

        @Override
        public Lookup lookup(String entryKey, List<String> versionKeys) throws StoreException {
            return store().lookup(entryKey, versionKeys);
        }

        @Override
        public long[] versions(List<String> versionKeys) throws StoreException {
            return store().versions(versionKeys);
        }

        @Override
        public java.util.concurrent.CompletionStage<Lookup> lookupAsync(String entryKey, List<String> versionKeys) {
            if (closed.get()) {
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new StoreException("store handle is closed: " + store.describe()));
            }
            return store.lookupAsync(entryKey, versionKeys);
        }

        @Override
        public void attach(EventLoopGroup loops) {
            if (!closed.get()) {
                store.attach(loops);
            }
        }

        @Override
        public void detach(EventLoopGroup loops) {
            // also once closed: the loops must not keep the shared store's connections
            store.detach(loops);
        }

        @Override
        public void put(String entryKey, byte[] value, int ttlSeconds) throws StoreException {
            store().put(entryKey, value, ttlSeconds);
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> putAsync(String entryKey, byte[] value, int ttlSeconds) {
            if (closed.get()) {
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new StoreException("store handle is closed: " + store.describe()));
            }
            return store.putAsync(entryKey, value, ttlSeconds);
        }

        @Override
        public Object orderOfCaller() {
            return closed.get() ? null : store.orderOfCaller();
        }

        @Override
        public java.util.concurrent.CompletionStage<Void> putAsync(Object order, String entryKey, byte[] value,
                                                                   int ttlSeconds) {
            if (closed.get()) {
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new StoreException("store handle is closed: " + store.describe()));
            }
            return store.putAsync(order, entryKey, value, ttlSeconds);
        }

        @Override
        public void mark(List<String> versionKeys, String sequenceKey, String writer, long leaseMillis)
                throws StoreException {
            store().mark(versionKeys, sequenceKey, writer, leaseMillis);
        }

        @Override
        public void settle(List<String> versionKeys, String sequenceKey, String writer) throws StoreException {
            store().settle(versionKeys, sequenceKey, writer);
        }

        @Override
        public boolean ordersSequence() {
            return store.ordersSequence();
        }

        @Override
        public void flushAll() throws StoreException {
            store().flushAll();
        }

        @Override
        public Usage usage() throws StoreException {
            return store().usage();
        }

        @Override
        public String describe() {
            return store.describe();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(key);
            }
        }

        @Override
        public String toString() {
            return "shared " + store;
        }
    }
}
