package io.sqlcache.store;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A blocking Redis connection of each application thread's own ({@link RespConnection}), for
 * the store's blocking calls: the thread writes its command and reads the reply itself, with no
 * hand-over to Lettuce's I/O thread and back (two wake-ups of idle cores on every round trip
 * that follows a statement; benchmarks/DECISIONS.md, "thread lanes").
 *
 * <p>Each thread that asks gets a {@link Lane} of its own, up to {@code maxLanes}; the threads
 * after that get none and use the shared connection, as everything did before. A lane connects
 * on this class's daemon thread, never on its caller's; until it is connected, and for a while
 * after it failed, {@link #acquire} says no and the caller uses the shared connection. All of a
 * thread's commands on its lane reach Redis in the order the thread issued them, but for one
 * exception: a read's lookup ({@link Lane#lookup}) may overtake the thread's SETs of other
 * entries. A SET of {@link Lane#put} waits in the lane's buffer for the thread's next command
 * other than such a lookup and leaves with it in one write (the reply is read before that
 * command's), or leaves alone within one to two ticks by the daemon thread, which also reads the
 * replies of SETs whose thread went quiet, connects lanes, and closes the lanes of threads that
 * ended.
 *
 * <p>Thread-safe. A lane is used under its lock: by its thread, by the encoder thread putting
 * on the thread's behalf, by the daemon thread.
 */
final class ThreadLanes implements AutoCloseable {

    /** Opens one connection; called on the daemon thread only. */
    interface Connector {
        RespConnection connect() throws IOException;
    }

    /** After a lane failed to connect or broke, how long until it is tried again. */
    static final Duration RETRY = Duration.ofMillis(500);
    /** The daemon thread's sleep when no lane has anything waiting (it still closes lanes of ended threads). */
    private static final Duration IDLE_SLEEP = Duration.ofSeconds(1);
    /**
     * Passes of a tick with nothing waiting before the daemon thread sleeps (then a SET wakes
     * it): a store that sees a steady stream of misses pays one timed wake-up per tick, on the
     * daemon's core, and none on the callers' (as {@link RideAlong#IDLE_TICKS}).
     */
    static final int IDLE_TICKS = 64;
    /** Unsent SETs beyond which a read's MGET takes them along ({@link Lane#lookup}). */
    static final int MAX_UNSENT = 64;
    /** Unsent SETs' bytes beyond which a read's MGET takes them along ({@link Lane#lookup}). */
    static final int MAX_UNSENT_BYTES = 64 * 1024;

    private final String name;
    private final int maxLanes;
    private final long tickNanos;
    private final long commandTimeoutNanos;
    private final Connector connector;
    private final ThreadLocal<Lane> mine = new ThreadLocal<>();
    private final Set<Lane> lanes = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Thread> daemon = new AtomicReference<>();
    private final long idleSleepNanos;
    /** Whether the daemon thread is in its long sleep, when a SET must wake it ({@link #put}). */
    private volatile boolean sleeping;
    private volatile boolean closed;
    /** Tests: connects wait until this opens (a lane kept unconnected on purpose); null: none wait. */
    private volatile java.util.concurrent.CountDownLatch connectGate;

    /**
     * @param name           the daemon thread's name and the prefix of failure messages
     * @param maxLanes       at most this many lanes (connections) at once, positive
     * @param tick           how long a SET waits for its thread's next command at least (at most twice)
     * @param commandTimeout how long the daemon thread waits for a reply
     * @param connector      opens a lane's connection
     */
    ThreadLanes(String name, int maxLanes, Duration tick, Duration commandTimeout, Connector connector) {
        this(name, maxLanes, tick, commandTimeout, connector, IDLE_SLEEP);
    }

    /** Tests: {@code idleSleep} for the daemon thread's long sleep (a second otherwise). */
    ThreadLanes(String name, int maxLanes, Duration tick, Duration commandTimeout, Connector connector,
            Duration idleSleep) {
        this.idleSleepNanos = idleSleep.toNanos();
        this.name = Objects.requireNonNull(name, "name");
        if (maxLanes <= 0) {
            throw new IllegalArgumentException("maxLanes must be positive, was " + maxLanes);
        }
        this.maxLanes = maxLanes;
        this.tickNanos = tick.toNanos();
        this.commandTimeoutNanos = commandTimeout.toNanos();
        this.connector = Objects.requireNonNull(connector, "connector");
    }

    /**
     * The calling thread's lane, made (not yet connected) on its first call while there are fewer
     * than {@code maxLanes}; {@code null} when it has none (a thread without a lane keeps none).
     */
    Lane mine() {
        Lane lane = mine.get();
        if (lane != null) {
            return lane == Lane.NONE ? null : lane;
        }
        if (closed) {
            return null;
        }
        reclaim();
        synchronized (lanes) {
            // the size check and the add under one lock: concurrent first calls never pass the cap
            if (lanes.size() >= maxLanes) {
                mine.set(Lane.NONE);
                return null;
            }
            lane = new Lane(Thread.currentThread());
            lanes.add(lane);
        }
        mine.set(lane);
        wake(true);
        return lane;
    }

    /**
     * The calling thread's lane, locked, when it is connected and none of the thread's SETs sent
     * on the shared connection is still unanswered (those must reach Redis before anything the
     * thread sends on its lane); else {@code null}, and the caller uses the shared connection.
     * A lane returned must be {@link Lane#release released}.
     */
    Lane acquire() {
        Lane lane = mine();
        if (lane == null || !lane.ready) {
            return null;
        }
        lane.lock.lock();
        if (lane.connection == null || (lane.lastShared != null && !lane.lastShared.isDone())) {
            lane.lock.unlock();
            return null;
        }
        return lane;
    }

    /**
     * Queues {@code SET key value EX ttl} on {@code lane} ({@link Lane#put}) and makes sure the
     * daemon thread will send it if the lane's thread sends nothing within a tick. Any thread may
     * call it (the encoder thread, for the lane's thread). False when the lane is not connected:
     * nothing was queued.
     *
     * <p>While SETs come, the daemon thread ticks ({@link #IDLE_TICKS}), and a SET wakes no
     * thread: the daemon's next pass, within a tick, sees it. Waking the daemon from here put a
     * wake-up of an idle core on every miss's path: 60 to 70 µs of a join miss, cold
     * (benchmarks/DECISIONS.md).
     */
    boolean put(Lane lane, String key, byte[] value, int ttlSeconds, CompletableFuture<Void> result) {
        if (!lane.put(key, value, ttlSeconds, result)) {
            return false;
        }
        wake(false);
        return true;
    }

    /**
     * Sends the calling thread's SETs waiting on its lane and reads their replies: before the
     * thread sends anything on the shared connection, which would otherwise overtake them.
     *
     * @throws StoreException when the lane fails meanwhile (it is then closed, and those SETs failed)
     */
    void settle() throws StoreException {
        Lane lane = mine.get();
        if (lane == null || lane == Lane.NONE || !lane.waiting) {
            return;
        }
        lane.lock.lock();
        try {
            lane.answerAll(System.nanoTime() + commandTimeoutNanos);
        } catch (IOException e) {
            StoreException failure = new StoreException(name + ": SET failed: " + e.getMessage(), e);
            lane.broken(failure);
            throw failure;
        } finally {
            lane.lock.unlock();
        }
    }

    /** Closes the lanes of threads that ended. */
    private void reclaim() {
        for (Lane lane : lanes) {
            if (!lane.ownerAlive()) {
                lanes.remove(lane);
                lane.shut(new StoreException(name + ": the lane's thread ended"));
            }
        }
    }

    /** Whether the daemon thread is in its long sleep (tests). */
    boolean asleep() {
        return sleeping;
    }

    /** Lanes now (tests). */
    int size() {
        return lanes.size();
    }

    /** Lanes now connected (tests). */
    int connected() {
        int n = 0;
        for (Lane lane : lanes) {
            if (lane.ready) {
                n++;
            }
        }
        return n;
    }

    /**
     * Starts the daemon thread, or wakes it: always when {@code now} (a lane to connect), else
     * only from its long sleep (a ticking daemon comes round within a tick by itself).
     */
    private void wake(boolean now) {
        Thread t = daemon.get();
        if (t == null) {
            Thread started = new Thread(this::run, name);
            started.setDaemon(true);
            if (daemon.compareAndSet(null, started)) {
                started.start();
            }
        } else if (now || sleeping) {
            LockSupport.unpark(t);
        }
    }

    /** The daemon thread: connects lanes, sends the SETs no command took along, reads their replies. */
    private void run() {
        int idle = 0;
        while (!closed) {
            long now = System.nanoTime();
            boolean busy = false;
            boolean connectFailed = false;
            long sleep = idleSleepNanos;
            reclaim();
            for (Lane lane : lanes) {
                if (closed) {
                    break;
                }
                if (!lane.ready) {
                    // one failed connect a pass: an unreachable server costs one timeout, not one a lane
                    if (!connectFailed && now - lane.retryAt >= 0) {
                        connectFailed = !connect(lane);
                    }
                    if (!lane.ready) {
                        sleep = Math.min(sleep, Math.max(tickNanos, lane.retryAt - now));
                    }
                } else if (lane.waiting()) {
                    busy = true;
                    if (lane.lock.tryLock()) { // else its thread is at it, and will send and read them itself
                        try {
                            lane.tick(now, tickNanos, commandTimeoutNanos);
                        } finally {
                            lane.lock.unlock();
                        }
                    }
                }
            }
            if (busy) {
                idle = 0;
            }
            if (idle < IDLE_TICKS) {
                // ticking: a put wakes nobody, this thread sees its SET within a tick (put)
                idle++;
                LockSupport.parkNanos(this, tickNanos);
                continue;
            }
            // the long sleep, again and again until a SET comes: an idle store ticks no more.
            // The sleeping flag before the last look: a put after it wakes us (wake), one before
            // it is seen by the look; a spurious wake-up costs one pass
            sleeping = true;
            for (Lane lane : lanes) {
                busy |= lane.waiting();
            }
            LockSupport.parkNanos(this, busy ? tickNanos : sleep);
            sleeping = false;
        }
    }

    /** Tests: lanes connect only once {@code gate} opens (null: at once again). */
    void holdConnects(java.util.concurrent.CountDownLatch gate) {
        connectGate = gate;
        wake(true);
    }

    /** One connect attempt; false when it failed (the lane is tried again after {@link #RETRY}). */
    private boolean connect(Lane lane) {
        java.util.concurrent.CountDownLatch gate = connectGate;
        if (gate != null && gate.getCount() > 0) {
            return true; // held: not a failure, tried again next tick
        }
        RespConnection c;
        try {
            c = connector.connect();
        } catch (IOException | RuntimeException e) {
            lane.retryAt = System.nanoTime() + RETRY.toNanos();
            return false;
        }
        lane.lock.lock();
        try {
            if (closed || lane.closed) {
                c.close();
            } else {
                lane.connection = c;
                lane.ready = true;
            }
        } finally {
            lane.lock.unlock();
        }
        return true;
    }

    /** Sends what waits, reads its replies (within the command timeout), closes every lane. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread t = daemon.get();
        if (t != null) {
            LockSupport.unpark(t);
        }
        for (Lane lane : lanes) {
            lanes.remove(lane);
            lane.lock.lock();
            try {
                try {
                    lane.answerAll(System.nanoTime() + commandTimeoutNanos);
                } catch (IOException e) {
                    lane.broken(new StoreException(name + ": closing: " + e.getMessage(), e));
                }
            } finally {
                lane.lock.unlock();
            }
            lane.shut(new StoreException(name + ": store is closed"));
        }
    }

    /**
     * One thread's connection and what waits on it. Its methods but {@link #sentShared} are
     * called with its lock held ({@link ThreadLanes#acquire}).
     */
    static final class Lane {

        /** Marks a thread that has no lane. */
        static final Lane NONE = new Lane(null);

        private final ReentrantLock lock = new ReentrantLock();
        private final WeakReference<Thread> owner;
        /** Set under the lock; read without it as a hint. */
        private volatile boolean ready;
        private volatile boolean closed;
        /** Guarded by the lock. */
        private RespConnection connection;
        /** Replies not yet read, in order: of SETs written and of SETs still in the buffer. Guarded by the lock. */
        private final ArrayDeque<CompletableFuture<Void>> unanswered = new ArrayDeque<>();
        /** Of {@link #unanswered}, how many of the last are still in the buffer. Guarded by the lock. */
        private int unsent;
        /** Of the connection's buffered bytes, how many are the unsent SETs' (they come first). Guarded by the lock. */
        private int unsentBytes;
        /** The keys of the unsent SETs, in order. Guarded by the lock. */
        private final ArrayList<String> unsentKeys = new ArrayList<>();
        /** When the buffer got its oldest unsent SET ({@code System.nanoTime()}); read by the daemon thread. */
        private volatile long unsentSince;
        /** Since when sent SETs have waited for their replies ({@code System.nanoTime()}; 0: none wait). Guarded by the lock. */
        private long answerDueSince;
        /** Whether replies are waiting to be read or SETs to be sent; read by the daemon thread. */
        private volatile boolean waiting;
        /** The thread's last SET on the shared connection (while the lane was not connected). Guarded by the lock. */
        private CompletableFuture<?> lastShared;
        /** Daemon thread only. */
        private long retryAt = System.nanoTime();

        private Lane(Thread owner) {
            this.owner = new WeakReference<>(owner);
        }

        private boolean ownerAlive() {
            Thread t = owner.get();
            return t != null && t.isAlive();
        }

        /** The connection; the lane is locked ({@link ThreadLanes#acquire}). */
        RespConnection connection() {
            return connection;
        }

        /**
         * Sends the commands written to {@link #connection()} with the SETs waiting, reads the
         * SETs' replies, and returns the reply to the first of those commands (read the others
         * with {@link #read}).
         */
        Object exchange(long deadlineNanos) throws IOException {
            return exchange(deadlineNanos, null);
        }

        /**
         * {@link #exchange(long)} that spins on {@code spin} for the first reply before it blocks
         * on the socket: a read's lookup, which a local Redis answers before a sleeping thread
         * would be woken ({@link SpinWait}); {@code null}: no spin.
         */
        Object exchange(long deadlineNanos, SpinWait spin) throws IOException {
            flush();
            return answer(deadlineNanos, spin, unanswered.size());
        }

        /**
         * After a write: reads the replies of the first {@code sets} SETs, then returns the
         * reply to the first command written after them, spinning first when {@code spin} is
         * not null.
         */
        private Object answer(long deadlineNanos, SpinWait spin, int sets) throws IOException {
            if (spin == null) {
                drain(deadlineNanos, sets);
                return connection.read(deadlineNanos);
            }
            spin.waiting();
            try {
                spin.spin(this::readable);
                drain(deadlineNanos, sets);
                return connection.read(deadlineNanos);
            } finally {
                spin.done();
            }
        }

        /**
         * {@link #exchange(long, SpinWait)} for a read's MGET (the entry at {@code entryKey}, or
         * none when null, and versions), which leaves the SETs still in the buffer there: they
         * follow on the daemon thread's tick, or with a later command, rather than ride along and
         * make this read wait while Redis stores them. Unless one of them is the entry looked up
         * (the thread must find what it stored), or they have grown past
         * {@link #MAX_UNSENT_BYTES} or {@link #MAX_UNSENT}. Replies of SETs sent before that are
         * here already are read first, so that the spin waits for this command's.
         *
         * <p>Why: the lookup that follows a miss carried the miss's SET, so it waited for Redis
         * to take in the entry and read the SET's reply first. Left to the daemon, the SET goes
         * while the next statement runs: in one process, misses spent 48-79 µs less outside the
         * database on the join, 28 on the range read and 16 on the point read (benchmarks/DECISIONS.md,
         * session 16). Overtaking is safe: an entry holds the versions read before its statement,
         * so a SET that lands later can never make stale rows match, and other readers of the
         * entry already could not count on seeing it before a tick.
         */
        Object lookup(long deadlineNanos, SpinWait spin, String entryKey) throws IOException {
            if (unsent == 0 || unsent > MAX_UNSENT || unsentBytes > MAX_UNSENT_BYTES
                    || entryKey != null && unsentKeys.contains(entryKey)) {
                return exchange(deadlineNanos, spin);
            }
            int sent = drainArrived(deadlineNanos);
            connection.flushAfter(unsentBytes);
            return answer(deadlineNanos, spin, sent);
        }

        /**
         * Reads the replies of sent SETs that are here already, never waiting for one that is
         * not; returns how many sent SETs are still unanswered.
         */
        private int drainArrived(long deadlineNanos) throws IOException {
            int sent = unanswered.size() - unsent;
            while (sent > 0 && connection.readable()) {
                // "+OK\r\n" arrives whole: the read does not wait (over TLS the bytes
                // may be a record of another kind, a session ticket, and the reply follows it)
                drain(deadlineNanos, 1);
                sent--;
            }
            return sent;
        }

        /** Sends the SETs waiting and reads every reply still due (nothing when not connected). */
        private void answerAll(long deadlineNanos) throws IOException {
            if (connection != null && !unanswered.isEmpty()) {
                flush();
                drain(deadlineNanos, unanswered.size());
            }
        }

        /** Whether a reply is here to read; true when the socket failed (the read then says how). */
        private boolean readable() {
            try {
                return connection.readable();
            } catch (IOException e) {
                return true;
            }
        }

        /** The next reply, after {@link #exchange}. */
        Object read(long deadlineNanos) throws IOException {
            return connection.read(deadlineNanos);
        }

        /** Unlocks the lane. */
        void release() {
            lock.unlock();
        }

        /**
         * The connection failed: closes it, fails every SET whose reply was not read with
         * {@code cause}; the daemon thread reconnects the lane after {@link #RETRY}.
         */
        void broken(StoreException cause) {
            ready = false;
            if (connection != null) {
                connection.close();
                connection = null;
            }
            failUnanswered(cause);
            answerDueSince = 0;
            retryAt = System.nanoTime() + RETRY.toNanos();
        }

        /**
         * Queues {@code SET key value EX ttl} in the lane's buffer, to leave with its thread's
         * next command (or the daemon thread's tick), and completes {@code result} with its reply.
         * False when the lane is not connected: nothing was queued.
         */
        private boolean put(String key, byte[] value, int ttlSeconds, CompletableFuture<Void> result) {
            lock.lock();
            try {
                if (connection == null) {
                    return false;
                }
                connection.command(5).arg("SET").arg(key).arg(value).arg("EX").arg(ttlSeconds);
                unsentBytes = connection.bufferedBytes();
                unsentKeys.add(key);
                unanswered.add(result);
                if (unsent++ == 0) {
                    unsentSince = System.nanoTime();
                }
                waiting = true;
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** A SET of this lane's thread left on the shared connection: the lane waits until it is answered. */
        void sentShared(CompletableFuture<?> set) {
            lock.lock();
            try {
                lastShared = set;
            } finally {
                lock.unlock();
            }
        }

        private void flush() throws IOException {
            if (connection.buffered()) {
                if (unsent > 0 && answerDueSince == 0) {
                    answerDueSince = System.nanoTime();
                }
                unsent = 0;
                unsentBytes = 0;
                unsentKeys.clear();
                connection.flush();
            }
        }

        /** Reads the replies of the first {@code count} SETs (all sent) and completes them. */
        private void drain(long deadlineNanos, int count) throws IOException {
            for (int i = 0; i < count; i++) {
                Object reply = connection.read(deadlineNanos);
                CompletableFuture<Void> set = unanswered.poll();
                if ("OK".equals(reply)) {
                    set.complete(null);
                } else {
                    set.completeExceptionally(new StoreException("SET refused: " + reply));
                }
            }
            if (unanswered.size() == unsent) {
                answerDueSince = 0;
            }
            waiting = !unanswered.isEmpty();
        }

        /**
         * The daemon thread's pass: reads the replies that are here (it never waits for one with
         * the lock held: the lane's thread would wait behind it), fails the lane when replies are
         * overdue, sends SETs that waited a tick.
         */
        private void tick(long now, long tickNanos, long timeoutNanos) {
            if (connection == null) {
                return;
            }
            try {
                int sent = drainArrived(now + timeoutNanos);
                if (sent > 0 && now - answerDueSince > timeoutNanos) {
                    throw new java.net.SocketTimeoutException("SET timed out after "
                            + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                }
                if (unsent > 0 && now - unsentSince >= tickNanos) {
                    flush(); // their replies are read on a later pass, or by the thread
                }
            } catch (java.net.SocketTimeoutException e) {
                broken(new StoreException(e.getMessage(), e));
            } catch (IOException e) {
                broken(new StoreException("SET failed: " + e.getMessage(), e));
            }
        }

        private boolean waiting() {
            return waiting;
        }

        private void failUnanswered(StoreException cause) {
            CompletableFuture<Void> set;
            while ((set = unanswered.poll()) != null) {
                set.completeExceptionally(cause);
            }
            unsent = 0;
            unsentBytes = 0;
            unsentKeys.clear();
            waiting = false;
        }

        /** Closes the lane for good. */
        private void shut(StoreException cause) {
            lock.lock();
            try {
                closed = true;
                broken(cause);
            } finally {
                lock.unlock();
            }
        }
    }
}
