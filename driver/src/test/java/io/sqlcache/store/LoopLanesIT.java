package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.sqlcache.testing.Await;
import io.sqlcache.testing.RedisServerProcess;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RedisStore's connections on the caller's event loops ({@link RedisStore#attach}), against a
 * private redis-server: which connection and thread a call runs on, what one pass of a loop
 * sends, detaching, and a frozen server.
 */
class LoopLanesIT {

    /** Connecting a lane takes a round trip or two; only a broken lane takes this many calls. */
    private static final int MAX_CALLS_TO_CONNECT = 10_000;

    private final String prefix = "sqlcache-test-" + UUID.randomUUID() + ":";
    private final List<String> versionKeys = List.of(prefix + "t:a");
    private RedisServerProcess redis;
    private RedisStore store;
    private EventLoopGroup group;
    private EventLoop loop;

    @BeforeEach
    void start() {
        redis = RedisServerProcess.start();
        store = new RedisStore(redis.uri(), prefix, Duration.ofMillis(500), Duration.ofSeconds(2));
        // NIO loops as the proxy makes them (Netty 4.2: by I/O handler, not by class)
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
    }

    @AfterEach
    void stop() {
        store.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        redis.close();
    }

    /**
     * The outcome of a call made on {@link #loop} and the thread that completed it, or null when
     * it was complete before the caller could attach to it (then its callback runs on the caller).
     */
    private record Answer<T>(T value, Throwable failure, Thread thread) {
    }

    private <T> Answer<T> onLoop(Supplier<CompletionStage<T>> call) throws Exception {
        CompletableFuture<Answer<T>> out = new CompletableFuture<>();
        loop.execute(() -> {
            AtomicBoolean attaching = new AtomicBoolean(true);
            call.get().whenComplete((v, e) -> out.complete(new Answer<>(v, e, attaching.get() ? null : Thread.currentThread())));
            attaching.set(false);
        });
        return out.get(10, TimeUnit.SECONDS);
    }

    private boolean onTheLoop(Thread t) throws Exception {
        return t != null && loop.submit(() -> Thread.currentThread() == t).get(10, TimeUnit.SECONDS);
    }

    /** Looks up on the loop until the lane is connected; returns the first answer it gave. */
    private Answer<CacheStore.Lookup> lookUpUntilTheLaneAnswers(String entryKey) throws Exception {
        for (int i = 0; i < MAX_CALLS_TO_CONNECT; i++) {
            Answer<CacheStore.Lookup> a = onLoop(() -> store.lookupAsync(entryKey, versionKeys));
            assertThat(a.failure()).isNull();
            if (onTheLoop(a.thread())) {
                return a;
            }
        }
        throw new AssertionError("the loop's connection never answered in " + MAX_CALLS_TO_CONNECT + " calls");
    }

    @Test
    void anAttachedLoopGetsAConnectionOfItsOwnAndItsCallsCompleteOnIt() throws Exception {
        store.put(prefix + "q:1", new byte[] {1, 2}, 60);
        CacheStore.Lookup blocking = store.lookup(prefix + "q:1", versionKeys);
        // this thread's own connection (ThreadLanes) connects in the background: counted before, not after
        Await.until(() -> store.threadLanes().connected() == store.threadLanes().size(), "this thread's lane connected");
        int before = clients();

        store.attach(group);
        Answer<CacheStore.Lookup> a = lookUpUntilTheLaneAnswers(prefix + "q:1");

        assertThat(a.value().entry()).containsExactly(1, 2);
        assertThat(a.value().versions()).containsExactly(blocking.versions());
        assertThat(clients()).as("one more connection: the loop's").isEqualTo(before + 1);
        assertThat(store.describe()).endsWith(", event-loop connections 1 (1 connected)");
        // a call from any other thread still goes through the shared connection
        CacheStore.Lookup elsewhere = store.lookupAsync(prefix + "q:1", versionKeys).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(elsewhere.entry()).containsExactly(1, 2);
    }

    @Test
    void theCommandsOfOnePassLeaveInOneWriteAndASetLeavesBeforeThePassEnds() throws Exception {
        store.attach(group);
        lookUpUntilTheLaneAnswers(prefix + "q:0"); // connected, version created
        long alone = readsDuring(() -> onLoop(() -> store.lookupAsync(prefix + "q:0", versionKeys)));

        CompletableFuture<List<byte[]>> entries = new CompletableFuture<>();
        CompletableFuture<Integer> checksUntilStored = new CompletableFuture<>();
        long batch = readsDuring(() -> {
            loop.submit(() -> {
                // one pass: two lookups of an entry, then a miss's SET of it
                CompletableFuture<CacheStore.Lookup> first = store.lookupAsync(prefix + "q:1", versionKeys).toCompletableFuture();
                CompletableFuture<CacheStore.Lookup> second = store.lookupAsync(prefix + "q:1", versionKeys).toCompletableFuture();
                store.putAsync(prefix + "q:1", new byte[] {7}, 60);
                first.thenCombine(second, (x, y) -> Arrays.asList(x.entry(), y.entry())).whenComplete((l, e) -> {
                    if (e != null) {
                        entries.completeExceptionally(e);
                    } else {
                        entries.complete(l);
                    }
                });
                // still in the pass (where a proxy answers its client next): the SET has left
                int checks = 0;
                boolean stored = false;
                while (!stored && checks < MAX_CALLS_TO_CONNECT) {
                    stored = redis.command("EXISTS", prefix + "q:1").equals(":1\r\n");
                    checks++;
                }
                checksUntilStored.complete(stored ? checks : -1);
                return null;
            }).get(30, TimeUnit.SECONDS);
            entries.get(10, TimeUnit.SECONDS); // answered: Redis has read the commands
        });

        int checks = checksUntilStored.get();
        assertThat(checks).as("the SET left before the pass ended").isPositive();
        // the lookups left with it, in the same write, ahead of it
        assertThat(entries.get(10, TimeUnit.SECONDS)).containsExactly(null, null);
        // three commands, one read of Redis's as for one lookup; each check costs two more
        // (its command and its connection's close), as readsDuring's own INFO does
        assertThat(batch).isEqualTo(alone + 2L * checks);
        assertThat(onLoop(() -> store.lookupAsync(prefix + "q:1", versionKeys)).value().entry()).containsExactly(7);
    }

    @Test
    void aLoopKeepsToTheSharedConnectionWhileASetItSentThereIsUnanswered() throws Exception {
        store.lookup(prefix + "q:0", versionKeys); // the shared connection is up, the version exists
        // writes wait (the SET below), reads and the lane's handshake go on
        assertThat(redis.command("CLIENT", "PAUSE", "60000", "WRITE")).startsWith("+OK");
        try {
            store.attach(group); // queues the lane's connect on the loop
            // the next task on the loop: the lane cannot be up yet (its connect completes in a
            // later task), so this miss's SET goes through the shared connection, and waits there
            loop.submit(() -> store.putAsync(prefix + "q:1", new byte[] {7}, 60)).get(10, TimeUnit.SECONDS);
            boolean up = false;
            for (int i = 0; i < MAX_CALLS_TO_CONNECT && !up; i++) {
                up = loop.submit(() -> store.lanes().current().connection() != null).get(10, TimeUnit.SECONDS);
            }
            assertThat(up).as("the lane connected while writes were paused").isTrue();

            // the lane is up, the SET still unanswered: a lookup on the loop must not overtake it
            CompletableFuture<CacheStore.Lookup> lookup = loop.submit(
                    () -> store.lookupAsync(prefix + "q:1", versionKeys).toCompletableFuture()).get(10, TimeUnit.SECONDS);
            assertThat(redis.command("CLIENT", "UNPAUSE")).startsWith("+OK");
            assertThat(lookup.get(10, TimeUnit.SECONDS).entry()).as("the lookup ran after the SET").containsExactly(7);
        } finally {
            redis.command("CLIENT", "UNPAUSE");
        }
        // the SET answered, the loop's calls go on its own connection again
        lookUpUntilTheLaneAnswers(prefix + "q:1");
    }

    @Test
    void afterDetachTheLoopUsesTheSharedConnectionAndItsOwnIsClosed() throws Exception {
        store.lookup(prefix + "q:0", versionKeys); // the shared connection
        Await.until(() -> store.threadLanes().connected() == store.threadLanes().size(), "this thread's lane connected");
        int shared = clients();
        store.attach(group);
        lookUpUntilTheLaneAnswers(prefix + "q:0");
        assertThat(clients()).isEqualTo(shared + 1);

        store.detach(group);

        Answer<CacheStore.Lookup> a = onLoop(() -> store.lookupAsync(prefix + "q:0", versionKeys));
        assertThat(a.failure()).isNull();
        assertThat(onTheLoop(a.thread())).as("answered by the shared connection's thread").isFalse();
        // the lane's connection closes asynchronously: Redis sees it go
        for (int i = 0; i < MAX_CALLS_TO_CONNECT && clients() > shared; i++) {
            onLoop(() -> store.lookupAsync(prefix + "q:0", versionKeys));
        }
        assertThat(clients()).isEqualTo(shared);
    }

    @Test
    void aFrozenServerFailsALoopsCallWithinItsTimeout() throws Exception {
        store.attach(group);
        lookUpUntilTheLaneAnswers(prefix + "q:0");
        redis.pause();
        try {
            Answer<CacheStore.Lookup> lookup = onLoop(() -> store.lookupAsync(prefix + "q:0", versionKeys));
            Answer<Void> put = onLoop(() -> store.putAsync(prefix + "q:1", new byte[] {1}, 60));
            assertThat(lookup.failure()).isInstanceOf(StoreException.class).hasMessageContaining("timed out");
            assertThat(put.failure()).isInstanceOf(StoreException.class).hasMessageContaining("timed out");
        } finally {
            redis.resume();
        }
    }

    @Test
    void loopsLettuceCannotRunOnAreIgnored() throws Exception {
        // in-JVM channels' loops: Lettuce's NIO channels cannot register there
        EventLoopGroup local = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        try {
            store.attach(local);
            assertThat(store.describe()).contains(", event-loop connections off: not an NIO event loop");
            for (int i = 0; i < 3; i++) {
                CacheStore.Lookup l = local.next().submit(() -> store.lookupAsync(prefix + "q:0", versionKeys))
                        .get(10, TimeUnit.SECONDS).toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(l.versions()).hasSize(1);
            }
            assertThat(clients()).as("the shared connection and this check's").isEqualTo(2);
        } finally {
            local.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    /** Clients connected to Redis, counting the connection that asks. */
    private int clients() {
        Matcher m = Pattern.compile("connected_clients:(\\d+)").matcher(redis.command("INFO", "clients"));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private long readsDuring(Body body) throws Exception {
        long before = stat("total_reads_processed");
        body.run();
        return stat("total_reads_processed") - before;
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private long stat(String name) {
        Matcher m = Pattern.compile(name + ":(\\d+)").matcher(redis.command("INFO", "stats"));
        assertThat(m.find()).as(name + " in INFO stats").isTrue();
        return Long.parseLong(m.group(1));
    }
}
