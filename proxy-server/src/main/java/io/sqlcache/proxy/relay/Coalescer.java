package io.sqlcache.proxy.relay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Coalesced misses: when sessions miss the same entry under the same versions at the same time,
 * the first (the leader) forwards the query and the others (waiters) answer from its result
 * packets instead of running it again.
 *
 * <p>Only an equal (entry key, versions) joins a flight: a session that read newer versions
 * (a write was bumped after the leader's snapshot) starts its own flight, so nobody is answered
 * with a result computed under versions older than the ones it saw (I1). A waiter is answered
 * exactly as a hit of the entry the leader is about to store would answer it.
 *
 * <p>Bounded: at most {@link #MAX_WAITERS} per flight (later ones forward their own query), and
 * a flight ends with its leader's command: answered, refused, not cacheable, or its connection
 * closed. A waiter's own bound (CachedReads' wait limit) covers a leader stalled by its
 * own slow client. Thread-safe: sessions on every event loop share one coalescer.
 */
final class Coalescer {

    /** Waiters per flight; beyond, sessions forward their own query as without coalescing. */
    static final int MAX_WAITERS = 64;

    /** Test hook: runs on the waiter's event loop after it joined a flight. Null in production. */
    static volatile Runnable afterJoin;

    private final ConcurrentHashMap<Key, Flight> flights = new ConcurrentHashMap<>();
    private final LongAdder coalesced = new LongAdder();

    /** What {@link #leadOrJoin} made of the caller. */
    enum Role { LEADER, WAITER, ALONE }

    /** The outcome of {@link #leadOrJoin}: the role, and for a leader the flight it must end. */
    record Joined(Role role, Flight flight) {
    }

    /**
     * Joins the flight of {@code (entryKey, versions)} as a waiter, or starts it as its leader.
     * The full key material is compared too, as on a hit: a hash collision never coalesces.
     *
     * @param waiter called once with the leader's result payloads, or with {@code null} when
     *               the leader has no cacheable result (the waiter then forwards its own); from
     *               any thread
     * @return {@link Role#ALONE} when the flight is full
     */
    Joined leadOrJoin(String entryKey, byte[] keyMaterial, long[] versions, Consumer<List<byte[]>> waiter) {
        Key key = new Key(entryKey, keyMaterial, versions);
        while (true) {
            Flight existing = flights.get(key);
            if (existing == null) {
                Flight mine = new Flight(key);
                if (flights.putIfAbsent(key, mine) == null) {
                    return new Joined(Role.LEADER, mine);
                }
                continue;
            }
            switch (existing.join(waiter)) {
                case JOINED:
                    return new Joined(Role.WAITER, null);
                case FULL:
                    return new Joined(Role.ALONE, null);
                default:
                    // ended but not yet removed: help, and look again
                    flights.remove(key, existing);
            }
        }
    }

    /** Counts a waiter answered from its leader's result. */
    void served() {
        coalesced.increment();
    }

    /** Waiters answered from another session's result since start. */
    long coalesced() {
        return coalesced.sum();
    }

    /** Flights in progress (tests and status). */
    int inFlight() {
        return flights.size();
    }

    private enum JoinResult { JOINED, FULL, ENDED }

    /** One leader's query in progress and who waits for it. */
    final class Flight {
        private final Key key;
        /** Null once ended. Guarded by this. */
        private List<Consumer<List<byte[]>>> waiters = new ArrayList<>();

        private Flight(Key key) {
            this.key = key;
        }

        private synchronized JoinResult join(Consumer<List<byte[]>> waiter) {
            if (waiters == null) {
                return JoinResult.ENDED;
            }
            if (waiters.size() >= MAX_WAITERS) {
                return JoinResult.FULL;
            }
            waiters.add(waiter);
            return JoinResult.JOINED;
        }

        /**
         * Ends the flight: the waiters get {@code payloads} (the complete, cacheable result, never
         * mutated afterwards) or {@code null}. Idempotent; any thread.
         */
        void end(List<byte[]> payloads) {
            // removed first: a session arriving now starts a new flight instead of joining an ended one
            flights.remove(key, this);
            List<Consumer<List<byte[]>>> ws;
            synchronized (this) {
                ws = waiters;
                waiters = null;
            }
            if (ws == null) {
                return;
            }
            for (Consumer<List<byte[]>> w : ws) {
                w.accept(payloads);
            }
        }
    }

    /** Entry key, key material and versions, compared by value. */
    private record Key(String entryKey, byte[] keyMaterial, long[] versions) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && entryKey.equals(k.entryKey) && Arrays.equals(versions, k.versions)
                    && Arrays.equals(keyMaterial, k.keyMaterial);
        }

        @Override
        public int hashCode() {
            return 31 * entryKey.hashCode() + Arrays.hashCode(versions);
        }

        @Override
        public String toString() {
            return entryKey + Arrays.toString(versions);
        }
    }
}
