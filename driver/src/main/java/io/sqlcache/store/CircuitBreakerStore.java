package io.sqlcache.store;

import io.netty.channel.EventLoopGroup;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Skips a failing store so that a dead or slow store costs one timeout, not one per query (I4).
 *
 * <p>Closed: calls go to the delegate. The first {@link StoreException} opens the breaker for
 * {@code openDuration}, during which every call fails at once with
 * {@code StoreException("store unavailable (circuit open)")} without touching the delegate.
 * After that, exactly one caller is let through as a trial (half-open) while the others keep
 * failing fast; its success closes the breaker, its failure opens it again.
 *
 * <p>Thread-safe and lock-free. The delegate must answer in bounded time (a
 * {@link RedisStore} does, through its timeouts): a trial that never returns would keep the
 * breaker half-open. A {@link RuntimeException} from the delegate, which breaks its contract,
 * counts as a failure and is rethrown as a {@link StoreException}.
 *
 * <p>Logging: an outage is one WARNING line when the breaker opens from closed (the failure's
 * message, its stack trace only at DEBUG) and one INFO line when a trial closes it again. The
 * failures in between (calls already in flight, failed trials, calls skipped while open) are
 * expected for as long as the store is down, so they log at DEBUG only: a store that stays down
 * for an hour writes two lines, not one per query.
 */
public final class CircuitBreakerStore implements CacheStore {

    private static final System.Logger LOG = System.getLogger(CircuitBreakerStore.class.getName());

    /** How long the breaker stays open after a failure unless told otherwise. */
    public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(1);

    static final String OPEN_MESSAGE = "store unavailable (circuit open)";

    private enum Kind { CLOSED, OPEN, HALF_OPEN }

    /**
     * One immutable state; transitions compare identity, so a trial only closes the breaker if
     * nothing else (a late failure of another call) changed the state meanwhile.
     */
    private record State(Kind kind, long sinceNanos) {
    }

    private static final State CLOSED = new State(Kind.CLOSED, 0);

    private final CacheStore delegate;
    private final long openNanos;
    private final LongSupplier nanoTime;
    private final AtomicReference<State> state = new AtomicReference<>(CLOSED);

    /**
     * @param delegate     the store to guard, not {@code null}; closed by {@link #close}
     * @param openDuration how long to skip the delegate after a failure, positive
     */
    public CircuitBreakerStore(CacheStore delegate, Duration openDuration) {
        this(delegate, openDuration, System::nanoTime);
    }

    /** For tests: {@code nanoTime} drives the open period instead of {@link System#nanoTime()}. */
    CircuitBreakerStore(CacheStore delegate, Duration openDuration, LongSupplier nanoTime) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        Objects.requireNonNull(openDuration, "openDuration");
        if (openDuration.isNegative() || openDuration.isZero()) {
            throw new IllegalArgumentException("openDuration must be positive, was " + openDuration);
        }
        this.openNanos = openDuration.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** True while calls are skipped: open, or half-open with a trial in flight. */
    public boolean isOpen() {
        return state.get().kind != Kind.CLOSED;
    }

    /** {@code "closed"}, {@code "open"} or {@code "half-open"}, for status pages and logs. */
    public String state() {
        State s = state.get();
        if (s.kind == Kind.OPEN && nanoTime.getAsLong() - s.sinceNanos >= openNanos) {
            return "open (next call is a trial)";
        }
        return switch (s.kind) {
            case CLOSED -> "closed";
            case OPEN -> "open";
            case HALF_OPEN -> "half-open";
        };
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws StoreException;
    }

    private <T> T guarded(Call<T> call) throws StoreException {
        State trial = admit();
        Throwable failure = null;
        try {
            return call.run();
        } catch (StoreException e) {
            failure = e;
            throw e;
        } catch (RuntimeException e) {
            StoreException wrapped = new StoreException("store failed unexpectedly: " + e, e);
            failure = wrapped;
            throw wrapped;
        } catch (Error e) {
            failure = e;
            throw e;
        } finally {
            if (failure == null) {
                succeeded(trial);
            } else {
                failed(failure);
            }
        }
    }

    /** A call succeeded: the trial that made it closes the breaker, unless something failed meanwhile. */
    private void succeeded(State trial) {
        if (trial != null && state.compareAndSet(trial, CLOSED)) {
            LOG.log(Level.INFO, () -> "sqlcache: store " + delegate.describe() + " answers again, circuit closed");
        }
    }

    /**
     * A call failed. Any failure (also one that started before a trial) opens: skipping the store
     * for a moment is always safe, serving from a broken one is not. Only the failure that opens
     * a closed breaker is worth a WARNING; it is the first of its outage.
     */
    private void failed(Throwable failure) {
        State before = state.getAndSet(new State(Kind.OPEN, nanoTime.getAsLong()));
        if (before.kind == Kind.CLOSED) {
            LOG.log(Level.WARNING, () -> "sqlcache: store " + delegate.describe() + " failed, skipping it for "
                    + openNanos / 1_000_000 + " ms at a time until it answers (circuit open): " + failure.getMessage());
            LOG.log(Level.DEBUG, "sqlcache: the failure that opened the circuit", failure);
        } else {
            LOG.log(Level.DEBUG, "sqlcache: store still failing (circuit open)", failure);
        }
    }

    /**
     * Lets the call through or throws. Returns the half-open state this caller owns when it is
     * the trial, else {@code null}.
     */
    private State admit() throws StoreException {
        while (true) {
            State s = state.get();
            switch (s.kind) {
                case CLOSED:
                    return null;
                case HALF_OPEN:
                    throw new StoreException(OPEN_MESSAGE);
                case OPEN:
                    long now = nanoTime.getAsLong();
                    if (now - s.sinceNanos < openNanos) {
                        throw new StoreException(OPEN_MESSAGE);
                    }
                    State trial = new State(Kind.HALF_OPEN, now);
                    if (state.compareAndSet(s, trial)) {
                        return trial;
                    }
                    break; // lost the race: look again
                default:
                    throw new AssertionError(s);
            }
        }
    }

    @Override
    public Lookup lookup(String entryKey, List<String> versionKeys) throws StoreException {
        return guarded(() -> delegate.lookup(entryKey, versionKeys));
    }

    /**
     * The delegate's asynchronous lookup under the same rules: an open breaker fails the stage at
     * once without touching the delegate, and the stage's outcome closes or opens the breaker as
     * a blocking call's would. The stage fails only with a {@link StoreException}.
     */
    @Override
    public CompletionStage<Lookup> lookupAsync(String entryKey, List<String> versionKeys) {
        return guardedAsync(() -> delegate.lookupAsync(entryKey, versionKeys));
    }

    @Override
    public void attach(EventLoopGroup loops) {
        delegate.attach(loops);
    }

    @Override
    public void detach(EventLoopGroup loops) {
        delegate.detach(loops);
    }

    @Override
    public CompletionStage<Void> putAsync(String entryKey, byte[] value, int ttlSeconds) {
        return guardedAsync(() -> delegate.putAsync(entryKey, value, ttlSeconds));
    }

    @Override
    public Object orderOfCaller() {
        return delegate.orderOfCaller();
    }

    @Override
    public CompletionStage<Void> putAsync(Object order, String entryKey, byte[] value, int ttlSeconds) {
        return guardedAsync(() -> delegate.putAsync(order, entryKey, value, ttlSeconds));
    }

    /** {@link #guarded} for a call that completes later: the outcome moves the breaker when it comes. */
    private <T> CompletionStage<T> guardedAsync(java.util.function.Supplier<CompletionStage<T>> call) {
        State trial;
        try {
            trial = admit();
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> out = new CompletableFuture<>();
        stage.whenComplete((found, e) -> {
            if (e == null) {
                succeeded(trial);
                out.complete(found);
                return;
            }
            StoreException failure = StoreException.of(e);
            failed(failure);
            out.completeExceptionally(failure);
        });
        return out;
    }

    @Override
    public long[] versions(List<String> versionKeys) throws StoreException {
        return guarded(() -> delegate.versions(versionKeys));
    }

    @Override
    public void put(String entryKey, byte[] value, int ttlSeconds) throws StoreException {
        guarded(() -> {
            delegate.put(entryKey, value, ttlSeconds);
            return null;
        });
    }

    @Override
    public void mark(List<String> versionKeys, String sequenceKey, String writer, long leaseMillis)
            throws StoreException {
        guarded(() -> {
            delegate.mark(versionKeys, sequenceKey, writer, leaseMillis);
            return null;
        });
    }

    @Override
    public void settle(List<String> versionKeys, String sequenceKey, String writer) throws StoreException {
        guarded(() -> {
            delegate.settle(versionKeys, sequenceKey, writer);
            return null;
        });
    }

    @Override
    public boolean ordersSequence() {
        return delegate.ordersSequence();
    }

    @Override
    public void flushAll() throws StoreException {
        guarded(() -> {
            delegate.flushAll();
            return null;
        });
    }

    @Override
    public Usage usage() throws StoreException {
        return guarded(delegate::usage);
    }

    /** The delegate's description and the breaker state, such as {@code redis://h:6379 (circuit closed)}. */
    @Override
    public String describe() {
        return delegate.describe() + " (circuit " + state() + ")";
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "CircuitBreakerStore wrapping " + delegate;
    }
}
