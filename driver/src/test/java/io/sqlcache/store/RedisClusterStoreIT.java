package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqlcache.testing.RedisServerProcess;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RedisStore on a private three-master Redis Cluster: keys of one lookup live on different nodes. */
class RedisClusterStoreIT {

    private static final List<RedisServerProcess> NODES = new ArrayList<>();
    private static String clusterUri;

    private final String prefix = "sqlcache-test-" + UUID.randomUUID() + ":";

    @BeforeAll
    static void startCluster() throws Exception {
        List<String> args = List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", "2000");
        List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        StringBuilder hosts = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            RedisServerProcess node = RedisServerProcess.start(args);
            NODES.add(node);
            create.add("127.0.0.1:" + node.port());
            hosts.append(i == 0 ? "" : ",").append("127.0.0.1:").append(node.port());
        }
        create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        Process p = new ProcessBuilder(create).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("redis-cli --cluster create finished").isTrue();
        assertThat(p.exitValue()).as("redis-cli --cluster create: " + out).isZero();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!NODES.stream().allMatch(n -> n.command("CLUSTER", "INFO").contains("cluster_state:ok"))) {
            assertThat(System.nanoTime()).as("cluster reached state ok").isLessThan(deadline);
            Thread.sleep(50); // polling for a condition, bounded by the deadline
        }
        clusterUri = "redis-cluster://" + hosts;
    }

    @AfterAll
    static void stopCluster() {
        NODES.forEach(RedisServerProcess::close);
    }

    private static long keysOn(RedisServerProcess node) {
        String reply = node.command("DBSIZE"); // ":<n>\r\n"
        return Long.parseLong(reply.substring(1).strip());
    }

    @Test
    void lookupSpansSlotsAndNodes() throws Exception {
        try (RedisStore store = new RedisStore(clusterUri, prefix)) {
            List<String> versions = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                versions.add(prefix + "t:" + i);
            }
            store.put(prefix + "q", new byte[] {9}, 60);
            CacheStore.Lookup first = store.lookup(prefix + "q", versions);
            assertThat(first.entry()).containsExactly(9);
            CacheStore.Lookup again = store.lookup(prefix + "q", versions);
            assertThat(again.versions()).containsExactly(first.versions());
            assertThat(NODES).allMatch(n -> keysOn(n) > 0, "every node holds some of the keys");

            store.bump(versions.subList(0, 10));
            long[] after = store.lookup(prefix + "q", versions).versions();
            for (int i = 0; i < 30; i++) {
                if (i < 10) {
                    assertThat(after[i]).isNotEqualTo(first.versions()[i]);
                } else {
                    assertThat(after[i]).isEqualTo(first.versions()[i]);
                }
            }
        }
    }

    @Test
    void concurrentCreatorsAgreeOnOneVersion() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (RedisStore a = new RedisStore(clusterUri, prefix); RedisStore b = new RedisStore(clusterUri, prefix)) {
            List<String> keys = List.of(prefix + "t:x", prefix + "t:y", prefix + "t:z");
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                RedisStore s = i % 2 == 0 ? a : b;
                results.add(pool.submit(() -> {
                    go.await();
                    long[] v = s.lookup(prefix + "q", keys).versions();
                    return List.of(v[0], v[1], v[2]);
                }));
            }
            go.countDown();
            Set<List<Long>> seen = new HashSet<>();
            for (Future<List<Long>> f : results) {
                seen.add(f.get(10, TimeUnit.SECONDS));
            }
            assertThat(seen).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void flushAllClearsThePrefixOnEveryNode() throws Exception {
        String outside = "sqlcache-test-outside-" + UUID.randomUUID();
        try (RedisStore store = new RedisStore(clusterUri, prefix);
             RedisStore other = new RedisStore(clusterUri, outside)) {
            for (int i = 0; i < 300; i++) {
                store.put(prefix + "q:" + i, new byte[] {1}, 60);
            }
            other.put(outside + "q", new byte[] {2}, 60);
            store.flushAll();
            for (int i = 0; i < 300; i++) {
                assertThat(store.lookup(prefix + "q:" + i, List.of()).entry()).isNull();
            }
            assertThat(other.lookup(outside + "q", List.of()).entry()).containsExactly(2);
            other.flushAll();
        }
    }

    @Test
    void unreachableClusterFailsFastWithoutFailingConstruction() {
        RedisServerProcess dead = RedisServerProcess.start();
        dead.kill();
        try (RedisStore store = new RedisStore("redis-cluster://127.0.0.1:" + dead.port(), prefix)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> store.lookup(prefix + "q", List.of(prefix + "t:a")))
                    .isInstanceOf(StoreException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3_000);
        } finally {
            dead.close();
        }
    }

    @Test
    void malformedClusterUriIsRejected() {
        assertThatThrownBy(() -> new RedisStore("redis-cluster://u:s3cret@h1:1,,h2:2", prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty host")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> new RedisStore("redis-cluster://h1:x1,h2:2", prefix))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
