package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.sqlcache.testing.Await;
import io.sqlcache.testing.RedisServerProcess;
import io.sqlcache.testing.TestEnv;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The application threads' own blocking connections ({@link ThreadLanes}) under RedisStore,
 * against real Redis: which commands take them, the order of a thread's commands across its lane
 * and the shared connection, the cap, threads that end, a server that dies and comes back, and
 * credentials. Connections are told apart by {@code CLIENT LIST}, where lanes carry their name.
 */
@Timeout(60)
class ThreadLanesIT {


    private final String prefix = "sqlcache-test-" + UUID.randomUUID() + ":";
    private final List<String> versions = List.of(prefix + "t:a");
    private RedisStore store;
    private RedisServerProcess ownRedis;

    @AfterEach
    void close() throws StoreException {
        if (store != null) {
            if (ownRedis == null) {
                store.flushAll();
            }
            store.close();
        }
        if (ownRedis != null) {
            ownRedis.close();
        }
    }

    private RedisStore store(String uri, int lanes) {
        store = new RedisStore(uri, prefix, Duration.ofSeconds(2), Duration.ofSeconds(2), RedisStore.DEFAULT_SPIN, lanes);
        return store;
    }

    /** The calling thread's first lookup makes its lane; returns once the lane is connected. */
    private void laneUp(RedisStore s) throws Exception {
        s.lookup(prefix + "q:first", versions);
        Await.until(() -> s.threadLanes().connected() >= 1, "the lane connected");
    }


    /** The lines of CLIENT LIST that are lanes (named {@link RedisStore#LANE_NAME}). */
    private static List<String> lanes(RedisCommands<String, String> redis) {
        return redis.clientList().lines().filter(l -> l.contains(" name=" + RedisStore.LANE_NAME + " ")).toList();
    }

    private interface Raw extends AutoCloseable {
        RedisCommands<String, String> sync();

        @Override
        void close();
    }

    private static Raw raw(String uri) {
        RedisClient client = RedisClient.create(uri);
        StatefulRedisConnection<String, String> c = client.connect();
        return new Raw() {
            @Override
            public RedisCommands<String, String> sync() {
                return c.sync();
            }

            @Override
            public void close() {
                c.close();
                client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            }
        };
    }

    @Test
    void aThreadsLookupsBumpsAndPutsGoOverItsOwnConnection() throws Exception {
        TestEnv.requireRedis();
        RedisStore s = store(TestEnv.REDIS_URL, 4);
        laneUp(s);
        try (Raw raw = raw(TestEnv.REDIS_URL)) {
            s.bump(versions);
            assertThat(lanes(raw.sync())).anyMatch(l -> l.contains(" cmd=eval "));
            s.putAsync(prefix + "q:1", new byte[] {5}, 60);
            CacheStore.Lookup found = s.lookup(prefix + "q:1", versions);
            assertThat(found.entry()).containsExactly(5);
            assertThat(lanes(raw.sync())).anyMatch(l -> l.contains(" cmd=mget "));
            assertThat(raw.sync().ttl(prefix + "q:1")).isBetween(1L, 60L);
        }
        assertThat(s.threadLanes().size()).isEqualTo(1);
    }

    @Test
    void aPutLeavesWithItsThreadsNextLookupAndIsAnsweredBeforeIt() throws Exception {
        TestEnv.requireRedis();
        RedisStore s = store(TestEnv.REDIS_URL, 4);
        laneUp(s);
        CompletableFuture<Void> put = s.putAsync(prefix + "q:1", new byte[] {7}, 60).toCompletableFuture();
        assertThat(s.lookup(prefix + "q:1", versions).entry()).containsExactly(7);
        // its reply was read on the way to the lookup's
        assertThat(put).isCompleted();
    }

    @Test
    void aPutThatNoCommandFollowsIsSentAndAnsweredByTheDaemonThread() throws Exception {
        TestEnv.requireRedis();
        RedisStore s = store(TestEnv.REDIS_URL, 4);
        laneUp(s);
        s.putAsync(prefix + "q:1", new byte[] {9}, 60).toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (Raw raw = raw(TestEnv.REDIS_URL)) {
            assertThat(raw.sync().get(prefix + "q:1")).isEqualTo("\t");
        }
    }

    /**
     * While SETs come, the daemon thread ticks and a SET wakes nobody; after {@link
     * ThreadLanes#IDLE_TICKS} quiet ticks it sleeps, and then a SET must wake it. Its sleep here
     * is an hour: the SET made while it sleeps is sent only because its put woke the daemon.
     */
    @Test
    void aPutWakesTheDaemonThreadFromItsLongSleep() throws Exception {
        TestEnv.requireRedis();
        java.net.URI uri = java.net.URI.create(TestEnv.REDIS_URL);
        try (ThreadLanes lanes = new ThreadLanes("test-lanes", 2, Duration.ofMillis(1), Duration.ofSeconds(5),
                () -> RespConnection.open(uri.getHost(), uri.getPort(), 2000, 5000, null, null, 0,
                        RedisStore.LANE_NAME, null), Duration.ofHours(1))) {
            ThreadLanes.Lane lane = connectedLane(lanes);
            CompletableFuture<Void> ticking = new CompletableFuture<>();
            assertThat(lanes.put(lane, prefix + "q:1", new byte[] {1}, 60, ticking)).isTrue();
            ticking.get(10, TimeUnit.SECONDS);
            Await.until(lanes::asleep, "the daemon thread asleep after its quiet ticks");
            CompletableFuture<Void> asleep = new CompletableFuture<>();
            assertThat(lanes.put(lane, prefix + "q:2", new byte[] {2}, 60, asleep)).isTrue();
            asleep.get(10, TimeUnit.SECONDS);
        }
        try (Raw raw = raw(TestEnv.REDIS_URL)) {
            assertThat(raw.sync().mget(prefix + "q:1", prefix + "q:2")).extracting(kv -> kv.getValue())
                    .containsExactly("\u0001", "\u0002");
            raw.sync().del(prefix + "q:1", prefix + "q:2");
        }
    }

    /** Lanes whose daemon never sends a SET by itself: its tick and its sleep are an hour. */
    private static ThreadLanes hourLanes() {
        java.net.URI uri = java.net.URI.create(TestEnv.REDIS_URL);
        return new ThreadLanes("test-lanes", 2, Duration.ofHours(1), Duration.ofSeconds(5),
                () -> RespConnection.open(uri.getHost(), uri.getPort(), 2000, 5000, null, null, 0,
                        RedisStore.LANE_NAME, null), Duration.ofHours(1));
    }

    /** The calling thread's lane, once connected. */
    private static ThreadLanes.Lane connectedLane(ThreadLanes lanes) throws InterruptedException {
        ThreadLanes.Lane lane = lanes.mine();
        Await.until(() -> lanes.connected() == 1, "the lane connected");
        return lane;
    }

    /** {@code MGET keys} on the calling thread's lane as a read's lookup of {@code entryKey}. */
    private static Object lookUp(ThreadLanes lanes, String entryKey, String... keys) throws Exception {
        ThreadLanes.Lane lane = lanes.acquire();
        assertThat(lane).as("the lane, connected").isNotNull();
        try {
            lane.connection().command(keys.length + 1).arg("MGET");
            for (String k : keys) {
                lane.connection().arg(k);
            }
            return lane.lookup(System.nanoTime() + TimeUnit.SECONDS.toNanos(5), SpinWait.of(Duration.ofMillis(1)),
                    entryKey);
        } finally {
            lane.release();
        }
    }

    @Test
    void aLookupOfAnotherEntryLeavesTheThreadsSetsWaiting() throws Exception {
        TestEnv.requireRedis();
        try (ThreadLanes lanes = hourLanes(); Raw raw = raw(TestEnv.REDIS_URL)) {
            ThreadLanes.Lane lane = connectedLane(lanes);
            raw.sync().set(prefix + "q:2", "x");
            CompletableFuture<Void> put = new CompletableFuture<>();
            assertThat(lanes.put(lane, prefix + "q:1", new byte[] {1}, 60, put)).isTrue();
            // the MGET goes alone and its reply is its own, not the SET's
            List<?> reply = (List<?>) lookUp(lanes, prefix + "q:2", prefix + "q:2", versions.get(0));
            assertThat(reply).hasSize(2);
            assertThat(reply.get(0)).isEqualTo("x".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(reply.get(1)).isNull();
            assertThat(put).isNotDone();
            assertThat(raw.sync().get(prefix + "q:1")).isNull();
            // a lookup of the waiting entry itself takes the SET along, ahead of the MGET
            assertThat((List<?>) lookUp(lanes, prefix + "q:1", prefix + "q:1")).singleElement()
                    .isEqualTo(new byte[] {1});
            assertThat(put).isCompleted();
            raw.sync().del(prefix + "q:1", prefix + "q:2");
        }
    }

    @Test
    void aLookupTakesTheWaitingSetsAlongOnceTheyAreTooMany() throws Exception {
        TestEnv.requireRedis();
        try (ThreadLanes lanes = hourLanes(); Raw raw = raw(TestEnv.REDIS_URL)) {
            ThreadLanes.Lane lane = connectedLane(lanes);
            List<CompletableFuture<Void>> puts = new java.util.ArrayList<>();
            for (int i = 0; i <= ThreadLanes.MAX_UNSENT; i++) {
                CompletableFuture<Void> put = new CompletableFuture<>();
                assertThat(lanes.put(lane, prefix + "q:" + i, new byte[] {(byte) i}, 60, put)).isTrue();
                puts.add(put);
            }
            assertThat((List<?>) lookUp(lanes, prefix + "other", prefix + "other")).singleElement().isNull();
            assertThat(puts).allMatch(CompletableFuture::isDone);
            assertThat(raw.sync().get(prefix + "q:" + ThreadLanes.MAX_UNSENT)).isEqualTo(
                    String.valueOf((char) ThreadLanes.MAX_UNSENT));
            raw.sync().del(java.util.stream.IntStream.rangeClosed(0, ThreadLanes.MAX_UNSENT)
                    .mapToObj(i -> prefix + "q:" + i).toArray(String[]::new));
        }
    }

    /**
     * The daemon sent the SET a lookup left waiting; its reply, here or on its way, is read
     * before the next lookup's own, whoever reads it.
     */
    @Test
    void aSetTheDaemonSentIsAnsweredAheadOfTheNextLookup() throws Exception {
        TestEnv.requireRedis();
        RedisStore s = store(TestEnv.REDIS_URL, 4);
        laneUp(s);
        try (Raw raw = raw(TestEnv.REDIS_URL)) {
            raw.sync().set(prefix + "q:2", "\u0002");
            for (int i = 0; i < 20; i++) {
                String key = prefix + "q:1:" + i;
                CompletableFuture<Void> put = s.putAsync(key, new byte[] {1}, 60).toCompletableFuture();
                assertThat(s.lookup(prefix + "q:2", versions).entry()).containsExactly(2);
                Await.until(() -> raw.sync().get(key) != null, "the daemon sent the SET");
                assertThat(s.lookup(prefix + "q:2", versions).entry()).containsExactly(2);
                put.get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aPutMadeOnAnotherThreadsBehalfJoinsThatThreadsOrder() throws Exception {
        TestEnv.requireRedis();
        RedisStore s = store(TestEnv.REDIS_URL, 4);
        laneUp(s);
        Object order = s.orderOfCaller();
        assertThat(order).isInstanceOf(ThreadLanes.Lane.class);
        CompletableFuture<Void> handed = CompletableFuture.runAsync(
                () -> s.putAsync(order, prefix + "q:1", new byte[] {3}, 60));
        handed.get(10, TimeUnit.SECONDS);
        // the SET waits on this thread's lane, so this lookup carries it
        assertThat(s.lookup(prefix + "q:1", versions).entry()).containsExactly(3);
        // the helper thread made no lane of its own
        assertThat(s.threadLanes().size()).isEqualTo(1);
    }

    @Test
    void aPutSentSharedWhileTheLaneConnectsStaysAheadOfTheThreadsNextLookup() throws Exception {
        TestEnv.requireRedis();
        RedisStore s = store(TestEnv.REDIS_URL, 4);
        CountDownLatch gate = new CountDownLatch(1);
        s.threadLanes().holdConnects(gate);
        s.lookup(prefix + "q:first", versions); // the lane is made, and held unconnected
        assertThat(s.threadLanes().connected()).isZero();
        // on the shared connection, where it waits up to two ticks for company
        CompletableFuture<Void> put = s.putAsync(prefix + "q:1", new byte[] {4}, 60).toCompletableFuture();
        gate.countDown();
        Await.until(() -> s.threadLanes().connected() == 1, "the lane connected");
        // the lane must not overtake the SET still waiting on the shared connection
        assertThat(s.lookup(prefix + "q:1", versions).entry()).containsExactly(4);
        put.get(10, TimeUnit.SECONDS);
        // and once it is answered, the lane serves the thread
        try (Raw raw = raw(TestEnv.REDIS_URL)) {
            s.bump(versions);
            assertThat(lanes(raw.sync())).anyMatch(l -> l.contains(" cmd=eval "));
        }
    }

    @Test
    void threadsBeyondTheCapShareOneConnectionAndKeepTheirOrder() throws Exception {
        TestEnv.requireRedis();
        RedisStore s = store(TestEnv.REDIS_URL, 1);
        laneUp(s);
        CompletableFuture<byte[]> other = CompletableFuture.supplyAsync(() -> {
            try {
                assertThat(s.orderOfCaller()).isNull();
                s.putAsync(prefix + "q:2", new byte[] {2}, 60);
                return s.lookup(prefix + "q:2", versions).entry();
            } catch (StoreException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(other.get(10, TimeUnit.SECONDS)).containsExactly(2);
        assertThat(s.threadLanes().size()).isEqualTo(1);
    }

    @Test
    void theLaneOfAThreadThatEndedIsClosed() throws Exception {
        TestEnv.requireRedis();
        RedisStore s = store(TestEnv.REDIS_URL, 4);
        CountDownLatch up = new CountDownLatch(1);
        CountDownLatch end = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            try {
                laneUp(s);
                up.countDown();
                end.await(); // alive until its lane is counted: the daemon reclaims a dead thread's within a tick
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        worker.start();
        assertThat(up.await(30, TimeUnit.SECONDS)).as("the worker's lane up").isTrue();
        assertThat(s.threadLanes().connected()).isEqualTo(1);
        try (Raw raw = raw(TestEnv.REDIS_URL)) {
            int before = lanes(raw.sync()).size();
            end.countDown();
            worker.join();
            Await.until(() -> s.threadLanes().size() == 0, "the ended thread's lane closed");
            Await.until(() -> lanes(raw.sync()).size() == before - 1, "its connection gone from CLIENT LIST");
        }
    }

    @Test
    void aDeadServerFailsTheLaneFastAndTheLaneComesBackWithTheServer() throws Exception {
        ownRedis = RedisServerProcess.start();
        RedisStore s = store(ownRedis.uri(), 4);
        laneUp(s);
        ownRedis.kill();
        long start = System.nanoTime();
        assertThatThrownBy(() -> s.lookup(prefix + "q:1", versions)).isInstanceOf(StoreException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3_000);
        assertThat(s.threadLanes().connected()).isZero();
        ownRedis.restart();
        Await.until(() -> s.threadLanes().connected() == 1, "the lane reconnected");
        s.putAsync(prefix + "q:1", new byte[] {6}, 60);
        assertThat(s.lookup(prefix + "q:1", versions).entry()).containsExactly(6);
        s.lookup(prefix + "q:1", versions); // the versions exist now: one MGET
        try (Raw raw = raw(ownRedis.uri())) {
            assertThat(lanes(raw.sync())).anyMatch(l -> l.contains(" cmd=mget "));
        }
    }

    @Test
    void theLaneLogsInWithThePasswordAndUsesTheDatabaseOfTheUri() throws Exception {
        ownRedis = RedisServerProcess.start();
        assertThat(ownRedis.command("CONFIG", "SET", "requirepass", "s3cret")).startsWith("+OK");
        String uri = "redis://:s3cret@127.0.0.1:" + ownRedis.port() + "/3";
        RedisStore s = store(uri, 4);
        laneUp(s);
        s.bump(versions);
        try (Raw raw = raw(uri)) {
            assertThat(lanes(raw.sync())).singleElement().satisfies(l -> {
                assertThat(l).contains(" db=3 ");
                assertThat(l).contains(" cmd=eval ");
            });
            assertThat(raw.sync().get(versions.get(0))).isNotNull();
        }
    }
}
