package io.sqlcache.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Redis connections that live on event loops of the caller's (the proxy's), one per loop.
 *
 * <p>A command the shared connection sends from such a loop crosses two threads: the loop hands
 * the write to Lettuce's I/O thread, which reads the reply and hands the answer back to the
 * loop, two wake-ups per command. A lane's connection is registered on the loop itself, so a
 * command issued there is written, answered and completed there. Lookups issued on a loop in
 * one pass of it leave together, in one write, at the end of the pass; a miss's SET leaves at
 * once (with the lookups waiting), before its client is answered.
 *
 * <p>A lane connects when attached and is used once connected (until then, and while it fails
 * to connect, {@link Lane#ready} says no and the caller uses the shared connection). Once
 * connected, Lettuce reconnects it by itself and, meanwhile, rejects its commands, as it does on
 * the shared connection.
 *
 * <p>Thread-safe: {@link #attach}, {@link #detach} and {@link #close} from any thread; a lane
 * is used only on its loop.
 */
final class LoopLanes implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LoopLanes.class.getName());
    /** After a failed connect, a lane does not try again before this (the shared connection serves meanwhile). */
    static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long closing waits for the lanes' connections to close. */
    private static final long CLOSE_WAIT_MILLIS = 1000;

    private final ClientResources resources;
    private final ClientOptions options;
    private final RedisURI uri;
    private final RedisCodec<String, byte[]> codec;
    /** Copy on write: read on every command, changed when a proxy starts or stops. */
    private volatile Lane[] lanes = new Lane[0];
    /** Why the last attach was refused, or null: said by {@link #status}. */
    private volatile String refusal;
    private boolean closed; // guarded by this

    /**
     * @param resources the shared connection's resources: lanes share its timer and executors
     * @param options   the shared connection's options
     */
    LoopLanes(ClientResources resources, ClientOptions options, RedisURI uri, RedisCodec<String, byte[]> codec) {
        this.resources = resources;
        this.options = options;
        this.uri = uri;
        this.codec = codec;
    }

    /**
     * Adds a lane for each loop of {@code loops}, unless Lettuce's transport cannot run on
     * them: lanes need Netty's NIO loops (a {@code MultiThreadIoEventLoopGroup} with the
     * {@code NioIoHandler}, or the older {@code NioEventLoopGroup}), and Lettuce on NIO, which it
     * uses unless a native transport is on the class path. A refusal is logged as a warning,
     * with its reason, and {@link #status} says it. Each new lane starts connecting on its loop.
     *
     * @return whether lanes were added
     */
    synchronized boolean attach(EventLoopGroup loops) {
        if (closed) {
            return false;
        }
        String why = whyNot(Transports.socketChannelClass(), loops);
        if (why != null) {
            refusal = why;
            LOG.log(System.Logger.Level.WARNING, "sqlcache: no Redis connections on the event loops, their calls hop to"
                    + " Lettuce's I/O thread and back: " + why);
            return false;
        }
        List<EventLoop> fresh = new ArrayList<>();
        for (EventExecutor e : loops) {
            EventLoop loop = (EventLoop) e; // whyNot checked it
            if (Arrays.stream(lanes).noneMatch(l -> l.loop == loop)) {
                fresh.add(loop);
            }
        }
        List<Lane> added = fresh.stream().map(Lane::new).toList();
        List<Lane> next = new ArrayList<>(Arrays.asList(lanes));
        next.addAll(added);
        lanes = next.toArray(new Lane[0]);
        // connect now, so that the loops' first calls find their lanes ready
        added.forEach(l -> l.loop.execute(l::ready));
        return true;
    }

    /**
     * Why a lane cannot live on {@code loops} when Lettuce connects with {@code channel}, or
     * null when it can. Netty 4.2 tells a loop's kind by its I/O handler, not by its class: a
     * loop takes Lettuce's channel when its handler accepts NIO handles.
     */
    static String whyNot(Class<? extends Channel> channel, EventLoopGroup loops) {
        if (channel != NioSocketChannel.class) {
            return "Lettuce connects with " + channel.getName() + " (a native transport on the class path), lanes need NIO";
        }
        for (EventExecutor e : loops) {
            if (!(e instanceof IoEventLoop loop) || !loop.isCompatible(NioIoHandle.class)) {
                return "not an NIO event loop: " + e.getClass().getName();
            }
        }
        return null;
    }

    /**
     * For {@link RedisStore#describe}: the lanes and how many are connected, such as
     * {@code 4 (4 connected)}; {@code off: <why>} when none is attached because the last
     * {@link #attach} was refused; null when none was ever asked for.
     */
    String status() {
        Lane[] all = lanes;
        if (all.length > 0) {
            return all.length + " (" + Arrays.stream(all).filter(l -> l.connection != null).count() + " connected)";
        }
        String why = refusal;
        return why == null ? null : "off: " + why;
    }

    /**
     * Removes and closes the lanes of {@code loops}; commands in flight on them fail. Waits (a
     * second at most) for their connections to close, unless called on one of those loops.
     */
    void detach(EventLoopGroup loops) {
        List<Lane> gone = new ArrayList<>();
        synchronized (this) {
            List<Lane> kept = new ArrayList<>();
            for (Lane l : lanes) {
                (inGroup(l.loop, loops) ? gone : kept).add(l);
            }
            lanes = kept.toArray(new Lane[0]);
        }
        closeAll(gone);
    }

    private static void closeAll(List<Lane> gone) {
        List<CompletableFuture<Void>> closing = gone.stream().map(Lane::close).toList();
        if (gone.stream().anyMatch(l -> l.loop.inEventLoop())) {
            return; // the connections close on this very loop, after this call returns
        }
        try {
            CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0])).get(CLOSE_WAIT_MILLIS,
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(System.Logger.Level.DEBUG, "sqlcache: event-loop connections to Redis did not close in time: " + e);
        }
    }

    private static boolean inGroup(EventLoop loop, EventLoopGroup loops) {
        for (EventExecutor e : loops) {
            if (e == loop) {
                return true;
            }
        }
        return false;
    }

    /** The calling loop's lane, or null on any other thread. */
    Lane current() {
        for (Lane l : lanes) {
            if (l.loop.inEventLoop()) {
                return l;
            }
        }
        return null;
    }

    /** Closes every lane, as {@link #detach} does. Idempotent. */
    @Override
    public void close() {
        Lane[] all;
        synchronized (this) {
            closed = true;
            all = lanes;
            lanes = new Lane[0];
        }
        closeAll(List.of(all));
    }

    /** One loop's connection. Every method but {@link #close} runs on the loop. */
    final class Lane {
        private final EventLoop loop;
        private final RedisClient client;
        private volatile StatefulRedisConnection<String, byte[]> connection;
        private volatile boolean closed;
        private boolean connecting;
        /** No connect before this (System.nanoTime(), which may be negative: never compare with 0). */
        private long retryAfter = System.nanoTime();
        private final List<RedisCommand<String, byte[], ?>> pending = new ArrayList<>();
        private boolean flushScheduled;
        /** The last SET this loop sent on the shared connection, or null: see {@link #sentElsewhere}. */
        private CompletableFuture<?> elsewhere;

        Lane(EventLoop loop) {
            this.loop = loop;
            // the lane's own resources share the shared connection's timer and executors
            // (mutate() marks them shared: closing the lane leaves them running) and put every
            // connection, reconnects included, on this one loop
            this.client = RedisClient.create(resources.mutate().eventLoopGroupProvider(new OneLoop(loop)).build());
            client.setOptions(options);
        }

        /**
         * Whether this loop's calls go on the lane: connected, and no SET of the loop's still on
         * its way through the shared connection (a lookup on the lane could overtake it, and
         * miss the entry a client has just stored). Not connected: starts a connect, at most one
         * at a time, one a second after a failure.
         */
        boolean ready() {
            if (connection != null) {
                if (elsewhere != null && !elsewhere.isDone()) {
                    return false;
                }
                elsewhere = null;
                return true;
            }
            if (!connecting && !closed && System.nanoTime() - retryAfter >= 0) {
                connecting = true;
                client.connectAsync(codec, uri).whenComplete((c, e) -> loop.execute(() -> connected(c, e)));
            }
            return false;
        }

        private void connected(StatefulRedisConnection<String, byte[]> c, Throwable e) {
            connecting = false;
            if (e != null) {
                retryAfter = System.nanoTime() + RETRY_NANOS;
                LOG.log(System.Logger.Level.DEBUG, "sqlcache: event-loop connection to Redis failed: " + e);
                return;
            }
            if (closed) {
                c.closeAsync();
                return;
            }
            connection = c;
        }

        /** A SET of this loop's went through the shared connection: the lane waits for its reply (see {@link #ready}). */
        void sentElsewhere(CompletableFuture<?> set) {
            elsewhere = set;
        }

        /** The lane's connection; only once {@link #ready}. */
        StatefulRedisConnection<String, byte[]> connection() {
            return connection;
        }

        /**
         * Queues {@code command} to leave with the others of this pass of the loop, in one write
         * at its end. Returns {@code command}.
         */
        <C extends RedisCommand<String, byte[], ?>> C send(C command) {
            pending.add(command);
            if (!flushScheduled) {
                flushScheduled = true;
                // a task runs after the pass's I/O: every command of the pass is queued by then
                loop.execute(() -> {
                    flushScheduled = false;
                    flush();
                });
            }
            return command;
        }

        /**
         * Sends {@code command}, with what waits for the end of the pass, now. For a miss's SET:
         * the caller answers its client next, and that client's next query may come on another
         * loop's connection; written before the answer, the SET reaches Redis before that query.
         */
        <C extends RedisCommand<String, byte[], ?>> C sendNow(C command) {
            pending.add(command);
            flush();
            return command;
        }

        private void flush() {
            if (pending.isEmpty()) {
                return;
            }
            List<RedisCommand<String, byte[], ?>> batch = new ArrayList<>(pending);
            pending.clear();
            StatefulRedisConnection<String, byte[]> c = connection;
            if (c == null || closed) {
                StoreException e = new StoreException("Redis connection of the event loop is closed");
                batch.forEach(command -> command.completeExceptionally(e));
                return;
            }
            RedisStore.dispatch(c, batch);
        }

        private CompletableFuture<Void> close() {
            closed = true;
            return client.shutdownAsync(0, CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Gives Lettuce one loop to connect on. An {@link EventLoop} is a group of one: every
     * connect of the lane's client registers its channel there. The loop belongs to the
     * caller, so releasing or shutting it down is not Lettuce's to do.
     */
    private record OneLoop(EventLoop loop) implements EventLoopGroupProvider {
        @Override
        @SuppressWarnings("unchecked")
        public <T extends EventLoopGroup> T allocate(Class<T> type) {
            return (T) loop;
        }

        @Override
        public int threadPoolSize() {
            return 1;
        }

        @Override
        public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }

        @Override
        public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit timeUnit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }
    }
}
