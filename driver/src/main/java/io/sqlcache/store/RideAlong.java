package io.sqlcache.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Commands that need not leave at once (a miss's SET, whose reply no caller waits for) wait
 * here for the next command of the same connection, and leave with it in one batch: one
 * wake-up of the I/O thread, one write, one read by Redis, where alone each costs all three
 * again (40 µs of a 220 µs point miss on the benchmark machine, benchmarks/DECISIONS.md).
 *
 * <p>A command that no other command takes along within one to two ticks is sent alone by a
 * daemon thread of this class. The thread starts with the first command, ticks while commands
 * arrive, and sleeps after {@link #IDLE_TICKS} ticks with nothing waiting (an adder wakes it
 * then), so a store that sees a steady stream of misses pays one timed wake-up per tick, and
 * an idle one none.
 *
 * <p>Thread-safe. {@code sendAlone} runs on the daemon thread or in {@link #close}, never
 * concurrently with itself; it must complete (normally or exceptionally) every command it is
 * handed, and not throw.
 *
 * @param <T> the command type
 */
final class RideAlong<T> implements AutoCloseable {

    /** Empty ticks before the thread stops ticking and sleeps until the next command. */
    static final int IDLE_TICKS = 64;

    private final String threadName;
    private final long tickNanos;
    private final Consumer<List<T>> sendAlone;
    private final ConcurrentLinkedQueue<T> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Thread> thread = new AtomicReference<>();
    private volatile boolean sleeping;
    private volatile boolean closed;

    /**
     * @param threadName the daemon thread's name, not {@code null}
     * @param tick       how long a command waits for company at least (and at most twice), positive
     * @param sendAlone  sends a batch no command took along, not {@code null}
     */
    RideAlong(String threadName, java.time.Duration tick, Consumer<List<T>> sendAlone) {
        this.threadName = Objects.requireNonNull(threadName, "threadName");
        this.tickNanos = tick.toNanos();
        if (tickNanos <= 0) {
            throw new IllegalArgumentException("tick must be positive: " + tick);
        }
        this.sendAlone = Objects.requireNonNull(sendAlone, "sendAlone");
    }

    /**
     * Queues {@code command} for the next {@link #takeAll}, or for the daemon thread. After
     * {@link #close}, sends it alone at once (so that its sender completes it).
     */
    void add(T command) {
        waiting.add(Objects.requireNonNull(command, "command"));
        if (closed) {
            sendWaiting(); // close may have drained before this add: nothing is left behind
            return;
        }
        Thread t = thread.get();
        if (t == null) {
            Thread started = new Thread(this::tick, threadName);
            started.setDaemon(true);
            if (thread.compareAndSet(null, started)) {
                started.start();
            }
        } else if (sleeping) {
            // the thread set sleeping before it looked at the queue: it either sees this
            // command or is woken here (a spurious wake-up costs one empty tick)
            LockSupport.unpark(t);
        }
    }

    /**
     * Everything waiting, oldest first, now the caller's to send; empty when nothing waits. A
     * caller that sends on the connection the daemon thread sends on uses {@link #sendWith}.
     */
    List<T> takeAll() {
        T first = waiting.poll();
        if (first == null) {
            return new ArrayList<>(1);
        }
        List<T> out = new ArrayList<>(4);
        out.add(first);
        for (T next; (next = waiting.poll()) != null; ) {
            out.add(next);
        }
        return out;
    }

    /**
     * Hands {@code send} everything waiting (oldest first, possibly nothing) and runs it as one
     * step with respect to the daemon thread's own sending: what the thread took before leaves
     * before what {@code send} sends. Without it, a command could overtake a SET that the thread
     * had taken but not yet written, and miss the entry its own thread has just stored.
     */
    synchronized void sendWith(Consumer<List<T>> send) {
        send.accept(takeAll());
    }

    /** Whether the daemon thread ticks (tests): false before the first command and while it sleeps. */
    boolean ticking() {
        Thread t = thread.get();
        return t != null && t.isAlive() && !sleeping;
    }

    /** Stops the thread and sends what waits. Idempotent. */
    @Override
    public void close() {
        closed = true;
        Thread t = thread.get();
        if (t != null) {
            LockSupport.unpark(t);
        }
        sendWaiting();
    }

    private void tick() {
        int idle = 0;
        T seen = null;
        while (!closed) {
            T head = waiting.peek();
            if (head == null) {
                if (++idle >= IDLE_TICKS) {
                    sleeping = true;
                    if (waiting.isEmpty() && !closed) {
                        LockSupport.park(this);
                    }
                    sleeping = false;
                    idle = 0;
                    continue;
                }
            } else {
                idle = 0;
                if (head == seen) {
                    // it has waited a whole tick and no command came by: it goes alone
                    sendWaiting();
                    head = null;
                }
            }
            seen = head;
            LockSupport.parkNanos(this, tickNanos);
        }
    }

    private synchronized void sendWaiting() {
        List<T> batch = takeAll();
        if (!batch.isEmpty()) {
            sendAlone.accept(batch);
        }
    }

    @Override
    public String toString() {
        return "RideAlong[" + threadName + ", tick " + TimeUnit.NANOSECONDS.toMicros(tickNanos) + " µs, "
                + (closed ? "closed" : ticking() ? "ticking" : "asleep") + "]";
    }
}
