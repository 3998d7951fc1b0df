package io.sqlcache.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.MaintNotificationsConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * Entries and versions in Redis, through one shared Lettuce connection.
 *
 * <p>Accepts what {@code RedisURI.create} accepts ({@code redis://}, {@code rediss://} with
 * {@code user:password@}, {@code redis-sentinel://}) and Redis Cluster as
 * {@code redis-cluster://[user:password@]host1:port,host2:port} (or {@code rediss-cluster://}).
 *
 * <p>Keys arrive complete; the prefix serves only {@link #flushAll}, which deletes
 * {@code prefix*} with SCAN and UNLINK, never FLUSHDB. Versions are decimal strings without
 * TTL; entries are raw bytes with {@code SET ... EX ttl}.
 *
 * <p>Construction never connects: a store built while Redis is down works once Redis is up.
 * The first use connects (bounded by the connect timeout); a failed connect is retried by the
 * next call. Once connected, Lettuce reconnects by itself and, meanwhile, rejects commands at
 * once instead of queueing them. Every call fails within about the command timeout with a
 * {@link StoreException} (whose cause may be a Lettuce exception, for logs only).
 *
 * <p>Thread-safe. Application threads (up to the {@code threadLanes} of the constructor) each
 * write and read a blocking connection of their own for the blocking calls and a miss's
 * {@link #putAsync} ({@link ThreadLanes}; one node, over TCP or TLS); every other caller and call
 * shares one Lettuce connection, on which Lettuce pipelines their commands. Either way a
 * thread's commands reach Redis in the order it issued them, except that on a lane a lookup may
 * overtake the thread's SETs of other entries ({@link ThreadLanes}).
 */
public final class RedisStore implements CacheStore {

    /** How long one command may take: a cache slower than this is worse than no cache. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(200);
    /** How long one connect (TCP, TLS, handshake) may take. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /**
     * How long a caller spins for a reply before it parks ({@link SpinWait}): a local Redis
     * answers a hit within it; a remote one turns the spin off by itself.
     */
    public static final Duration DEFAULT_SPIN = Duration.ofNanos(100_000);

    /**
     * How long a SET of {@link #putAsync} waits for a command to leave with, at least (at most
     * twice): how late other processes may see a miss's entry. Each tick wakes RideAlong's
     * thread while misses come; at 1 ms that was 0.8 wake-ups per 100-row miss (one a
     * millisecond, the miss's own pace), at 5 ms it is a fifth of that.
     */
    static final Duration RIDE_ALONG_TICK = Duration.ofMillis(5);

    /**
     * How many application threads get a blocking connection of their own ({@link ThreadLanes})
     * for the blocking calls, at most; the threads after them share the one Lettuce connection.
     */
    public static final int DEFAULT_THREAD_LANES = 64;

    /** What {@code CLIENT LIST} calls the threads' connections. */
    static final String LANE_NAME = "sqlcache-lane";

    /** Keys per SCAN step and per UNLINK in {@link #flushAll}. */
    static final int FLUSH_BATCH = 500;

    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    /** {@code //user:password@} in a URI: never printed. */
    private static final Pattern USER_INFO = Pattern.compile("//[^/?#]*@");

    private final String description;
    private final String prefix;
    private final long commandTimeoutNanos;
    /** Bound of one await, beyond Lettuce's own timeout, in case a future is never completed. */
    private final long awaitNanos;
    private final long connectAwaitNanos;
    /** How a caller waits for a reply it needs now ({@link #await}). */
    private final SpinWait spin;
    private final ClientResources resources;
    private final Backend backend;
    private final AtomicReference<CompletableFuture<StatefulConnection<String, byte[]>>> connection =
            new AtomicReference<>();
    /**
     * SETs of {@link #putAsync} waiting for the next command, with which they leave (one node
     * or Sentinel only: a cluster routes each command by its key, so there is no one next command).
     */
    private final RideAlong<RedisCommand<String, byte[], ?>> waiting;
    /** Connections on the caller's event loops ({@link #attach}); one node or Sentinel only, as {@link #waiting}. */
    private final LoopLanes lanes;
    /**
     * The application threads' own blocking connections (one node, over TCP or TLS, only; else,
     * or with 0 lanes, null: every command goes through Lettuce).
     */
    private final ThreadLanes threads;
    private volatile boolean closed;

    /** A store with the default timeouts. */
    public RedisStore(String uri, String prefix) {
        this(uri, prefix, DEFAULT_COMMAND_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_SPIN);
    }

    /** A store that spins {@link #DEFAULT_SPIN} for its replies. */
    public RedisStore(String uri, String prefix, Duration commandTimeout, Duration connectTimeout) {
        this(uri, prefix, commandTimeout, connectTimeout, DEFAULT_SPIN);
    }

    /**
     * Builds the client without connecting.
     *
     * @param uri            the Redis URI, not {@code null}
     * @param prefix         the key prefix {@link #flushAll} deletes, not {@code null}
     * @param commandTimeout how long one command may take, positive
     * @param connectTimeout how long one connect may take, positive
     * @param spin           how long a caller spins for a reply it waits for before it parks
     *                       ({@link SpinWait}); zero: it parks at once
     * @throws IllegalArgumentException when the URI is malformed, a timeout is not positive or
     *                                  the spin is negative; the message never contains the password
     */
    public RedisStore(String uri, String prefix, Duration commandTimeout, Duration connectTimeout, Duration spin) {
        this(uri, prefix, commandTimeout, connectTimeout, spin, DEFAULT_THREAD_LANES);
    }

    /**
     * Builds the client without connecting.
     *
     * @param uri            the Redis URI, not {@code null}
     * @param prefix         the key prefix {@link #flushAll} deletes, not {@code null}
     * @param commandTimeout how long one command may take, positive
     * @param connectTimeout how long one connect may take, positive
     * @param spin           how long a caller spins for a reply it waits for before it parks
     *                       ({@link SpinWait}); zero: it parks at once
     * @param threadLanes    how many application threads get a blocking connection of their own
     *                       for {@link #lookup}, {@link #versions}, {@link #bump} and
     *                       {@link #putAsync} ({@link ThreadLanes}; one node, over TCP or TLS,
     *                       only: Sentinel and cluster URIs use Lettuce alone); zero: none
     * @throws IllegalArgumentException when the URI is malformed, a timeout is not positive or
     *                                  the spin or the lanes are negative; the message never
     *                                  contains the password
     */
    public RedisStore(String uri, String prefix, Duration commandTimeout, Duration connectTimeout, Duration spin,
                      int threadLanes) {
        Objects.requireNonNull(uri, "uri");
        if (threadLanes < 0) {
            throw new IllegalArgumentException("threadLanes must not be negative, was " + threadLanes);
        }
        this.spin = SpinWait.of(Objects.requireNonNull(spin, "spin"));
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        requirePositive(commandTimeout, "commandTimeout");
        requirePositive(connectTimeout, "connectTimeout");
        this.description = redact(uri.strip());
        this.commandTimeoutNanos = commandTimeout.toNanos();
        this.awaitNanos = commandTimeout.toNanos() * 2 + TimeUnit.MILLISECONDS.toNanos(100);
        // a connect is TCP (+ TLS) then HELLO/AUTH/PING, each bounded by its own timeout;
        // Sentinel first asks a sentinel, hence twice
        this.connectAwaitNanos = 2 * (connectTimeout.toNanos() + commandTimeout.toNanos())
                + TimeUnit.MILLISECONDS.toNanos(100);

        List<RedisURI> uris = parse(uri.strip(), commandTimeout);
        SocketOptions socket = SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(commandTimeout);
        this.resources = DefaultClientResources.builder()
                // one connection needs one I/O thread; the second serves reconnects and sentinel
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                // Lettuce's default backs off to 30 s: the cache would stay off long after
                // Redis is back. One attempt a second at most is cheap.
                .reconnectDelay(Delay.exponential(Duration.ofMillis(1), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        try {
            if (isCluster(uri.strip())) {
                RedisClusterClient client = RedisClusterClient.create(resources, uris);
                ClusterClientOptions.Builder options = ClusterClientOptions.builder()
                        .autoReconnect(true)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .socketOptions(socket)
                        .timeoutOptions(timeouts)
                        // every adaptive refresh trigger is on by default since Lettuce 7
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enablePeriodicRefresh(Duration.ofSeconds(30))
                                .build());
                // as for one node, below (a setter of the plain ClientOptions builder: not chained)
                options.maintNotificationsConfig(MaintNotificationsConfig.disabled());
                client.setOptions(options.build());
                this.backend = new ClusterBackend(client);
                this.waiting = null;
                this.lanes = null;
                this.threads = null;
            } else {
                RedisClient client = RedisClient.create(resources);
                ClientOptions options = ClientOptions.builder()
                        .autoReconnect(true)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        // Lettuce 7 turns them on by default: one more command in each handshake
                        // and command timeouts relaxed while a server announces maintenance, where
                        // the cache wants its timeout to hold; it also logs through SLF4J, which
                        // the driver jar leaves to the application
                        .maintNotificationsConfig(MaintNotificationsConfig.disabled())
                        .socketOptions(socket)
                        .timeoutOptions(timeouts)
                        .build();
                client.setOptions(options);
                this.backend = new StandaloneBackend(client, uris.get(0));
                this.waiting = new RideAlong<>("sqlcache-redis-ride-along", RIDE_ALONG_TICK, this::sendAlone);
                this.lanes = new LoopLanes(resources, options, uris.get(0), CODEC);
                this.threads = threadLanes(uris.get(0), threadLanes, commandTimeout, connectTimeout);
            }
        } catch (RuntimeException e) {
            resources.shutdown(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * The threads' lanes to {@code node}, or null when it is not one node over TCP (with or
     * without TLS) or none are wanted.
     */
    private ThreadLanes threadLanes(RedisURI node, int max, Duration commandTimeout, Duration connectTimeout) {
        if (max == 0 || node.isStartTls() || node.getSocket() != null || !node.getSentinels().isEmpty()) {
            return null;
        }
        RespConnection.Tls tls = node.isSsl() ? tls(node.getVerifyMode()) : null;
        String host = node.getHost();
        int port = node.getPort();
        // Lettuce 7 keeps a URI's user and password only in its credentials provider: static
        // for a URI string, so this returns at once
        RedisCredentials credentials = node.getCredentialsProvider().resolveCredentials().toFuture().join();
        String user = credentials != null && credentials.hasUsername() ? credentials.getUsername() : null;
        char[] password = credentials != null && credentials.hasPassword() ? credentials.getPassword() : null;
        int database = node.getDatabase();
        int connectMillis = (int) Math.max(1, connectTimeout.toMillis());
        int commandMillis = (int) Math.max(1, commandTimeout.toMillis());
        return new ThreadLanes("sqlcache-redis-lanes", max, RIDE_ALONG_TICK, commandTimeout,
                () -> RespConnection.open(host, port, connectMillis, commandMillis, user, password, database, LANE_NAME,
                        tls));
    }

    /**
     * The lanes' TLS, trusting what Lettuce's connection trusts: the JDK's default trust store
     * (Lettuce's {@code SslOptions} are not set), and the URI's {@code verifyPeer} mode: {@code
     * FULL} (the default) checks the chain and the host name, {@code CA} the chain only, {@code
     * NONE} nothing.
     */
    static RespConnection.Tls tls(SslVerifyMode mode) {
        if (mode == SslVerifyMode.NONE) {
            try {
                SSLContext any = SSLContext.getInstance("TLS");
                any.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
                return new RespConnection.Tls(any.getSocketFactory(), false);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("no TLS in this JVM: " + e.getMessage(), e);
            }
        }
        return new RespConnection.Tls((SSLSocketFactory) SSLSocketFactory.getDefault(), mode == SslVerifyMode.FULL);
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** The URI without {@code user:password@}, for messages. */
    static String redact(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("//");
    }

    private static boolean isCluster(String uri) {
        return uri.startsWith("redis-cluster://") || uri.startsWith("rediss-cluster://");
    }

    /** Node URIs: one, or the seed nodes of a cluster. */
    static List<RedisURI> parse(String uri, Duration commandTimeout) {
        if (uri.isEmpty()) {
            throw new IllegalArgumentException("Redis URI is empty");
        }
        try {
            List<RedisURI> result = new ArrayList<>();
            if (isCluster(uri)) {
                String scheme = uri.startsWith("rediss") ? "rediss://" : "redis://";
                String rest = uri.substring(uri.indexOf("://") + 3);
                int end = indexOfAny(rest, "/?#");
                String authority = rest.substring(0, end);
                String tail = rest.substring(end);
                int at = authority.lastIndexOf('@');
                String userInfo = at < 0 ? "" : authority.substring(0, at + 1);
                String hosts = authority.substring(at + 1);
                for (String host : hosts.split(",")) {
                    if (host.isBlank()) {
                        throw new IllegalArgumentException("empty host in the cluster node list");
                    }
                    result.add(RedisURI.create(scheme + userInfo + host.strip() + tail));
                }
            } else {
                result.add(RedisURI.create(uri));
            }
            for (RedisURI r : result) {
                checkHost(r, uri);
                r.setTimeout(commandTimeout);
            }
            return result;
        } catch (RuntimeException e) {
            // URI parse errors quote the input: keep the password out of them
            throw new IllegalArgumentException("invalid Redis URI " + redact(uri) + ": " + redact(e.getMessage()), e);
        }
    }

    /**
     * Lettuce takes {@code host:notaport} or {@code :6379} for a host name and would only fail
     * at connect time; a typo in the URI should fail the configuration instead.
     */
    private static void checkHost(RedisURI r, String raw) {
        if (r.getSocket() != null || !r.getSentinels().isEmpty()) {
            return;
        }
        String host = r.getHost();
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("no host");
        }
        if (host.contains(":") && !raw.contains("[")) { // IPv6 literals come in brackets
            throw new IllegalArgumentException("bad host or port '" + host + "'");
        }
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    // ---------------------------------------------------------------- operations

    /** On the calling thread's lane when it has one ready ({@link ThreadLanes}), else on the shared connection. */
    @Override
    public Lookup lookup(String entryKey, List<String> versionKeys) throws StoreException {
        MgetReply reply = mget(mgetKeys(entryKey, versionKeys), versionKeys, "lookup");
        return new Lookup(reply.entry, reply.versions);
    }

    /** On the calling thread's lane when it has one ready, as {@link #lookup}. */
    @Override
    public long[] versions(List<String> versionKeys) throws StoreException {
        return mget(versionKeys.toArray(new String[0]), versionKeys, "versions").versions;
    }

    /**
     * One MGET of {@code keys} (the entry key, if any, then the version keys), creating missing
     * version keys (a second round trip, only then).
     */
    private MgetReply mget(String[] keys, List<String> versionKeys, String op) throws StoreException {
        ThreadLanes.Lane lane = acquireLane();
        if (lane != null) {
            return mget(lane, keys, versionKeys, op);
        }
        try {
            StatefulConnection<String, byte[]> c = connected();
            long deadline = System.nanoTime() + awaitNanos;
            MgetReply reply = parseMget(keys, versionKeys, await(mget(c, keys), deadline, "MGET"));
            if (reply.missing != null) {
                createMissing(backend.commands(c), versionKeys, reply.missing, reply.versions);
            }
            return reply;
        } catch (RuntimeException e) {
            throw failure(op, e);
        }
    }

    /** {@link #mget(String[], List, String)} on the calling thread's {@code lane}, which it releases. */
    private MgetReply mget(ThreadLanes.Lane lane, String[] keys, List<String> versionKeys, String op)
            throws StoreException {
        try {
            long deadline = System.nanoTime() + commandTimeoutNanos;
            RespConnection c = lane.connection();
            c.command(keys.length + 1).arg("MGET");
            for (String key : keys) {
                c.arg(key);
            }
            String entryKey = keys.length > versionKeys.size() ? keys[0] : null;
            MgetReply reply = parseMget(keys, versionKeys, values(lane.lookup(deadline, spin, entryKey), "MGET"));
            if (reply.missing == null) {
                return reply;
            }
            // the second round trip of createMissing, on the lane: SET NX and GET of each
            List<Integer> missing = reply.missing;
            long[] candidates = new long[missing.size()];
            for (int j = 0; j < candidates.length; j++) {
                String key = versionKeys.get(missing.get(j));
                candidates[j] = Versions.initial(key);
                c.command(4).arg("SET").arg(key).arg(Versions.encode(candidates[j])).arg("NX");
                c.command(2).arg("GET").arg(key);
            }
            Object first = lane.exchange(deadline);
            for (int j = 0; j < candidates.length; j++) {
                Object set = j == 0 ? first : lane.read(deadline);
                Object current = lane.read(deadline);
                if (current instanceof RespConnection.Error || set instanceof RespConnection.Error) {
                    throw new StoreException(description + ": creating a version refused: "
                            + (set instanceof RespConnection.Error ? set : current));
                }
                String key = versionKeys.get(missing.get(j));
                reply.versions[missing.get(j)] = created(key, set, (byte[]) current, candidates[j]);
            }
            return reply;
        } catch (IOException | ClassCastException e) {
            throw laneFailed(lane, op, e);
        } finally {
            lane.release();
        }
    }

    /** The calling thread's lane, locked, when it has one ready; else null (see {@link ThreadLanes#acquire}). */
    private ThreadLanes.Lane acquireLane() {
        // a blocking socket read does not answer an interrupt; the shared connection's wait does
        return threads == null || closed || Thread.currentThread().isInterrupted() ? null : threads.acquire();
    }

    /** A lane's connection failed: it is closed (and reconnected later), the failure is the caller's. */
    private StoreException laneFailed(ThreadLanes.Lane lane, String op, Exception e) {
        StoreException failure = e instanceof java.net.SocketTimeoutException
                ? new StoreException(description + ": " + op + " timed out after "
                        + TimeUnit.NANOSECONDS.toMillis(commandTimeoutNanos) + " ms", e)
                : new StoreException(description + ": " + op + " failed: " + e.getMessage(), e);
        lane.broken(failure);
        return failure;
    }

    /** An MGET's reply as its values, or the refusal Redis sent instead. */
    @SuppressWarnings("unchecked")
    private List<byte[]> values(Object reply, String what) throws StoreException, IOException {
        if (reply instanceof RespConnection.Error error) {
            throw new StoreException(description + ": " + what + " refused: " + error);
        }
        if (!(reply instanceof List<?> list)) {
            throw new IOException(what + " answered " + reply);
        }
        for (Object value : list) {
            if (value != null && !(value instanceof byte[])) {
                throw new IOException(what + " answered a " + value.getClass().getSimpleName() + " among its values");
            }
        }
        return (List<byte[]>) list;
    }

    /**
     * The version a creator of {@code key} ends up with: the value a GET right after its SET NX
     * found ({@code current}), else its own {@code candidate} when the SET took (deleted again
     * right after: ours was the value, and an entry stored under it will simply never match once
     * a new one is created).
     */
    private long created(String key, Object setReply, byte[] current, long candidate) throws StoreException {
        if (current != null) {
            return Versions.decode(key, current);
        }
        if ("OK".equals(setReply)) {
            return candidate;
        }
        throw new StoreException(description + ": version key " + key + " vanished while being created");
    }

    /**
     * The same MGET (and, only for missing version keys, the same second round trip) as
     * {@link #lookup}, chained on Lettuce's futures instead of awaited: no thread waits. Before
     * the first connect, the connect is chained too. The stage completes on a Lettuce thread
     * (or a timer thread on timeout), as {@link #chained} says, failing only with a
     * {@link StoreException}.
     */
    @Override
    public CompletionStage<Lookup> lookupAsync(String entryKey, List<String> versionKeys) {
        String[] keys = mgetKeys(entryKey, versionKeys);
        LoopLanes.Lane lane = callerLane();
        if (lane != null && lane.ready()) {
            // on the calling loop's own connection: written, answered and completed on the loop
            return mapped("lookup", lookUp(lane.send(mgetValues(keys)), backend.commands(lane.connection()),
                    keys, versionKeys));
        }
        if (lane == null && threads != null) {
            try {
                threads.settle(); // the calling thread's SETs on its lane go first
            } catch (StoreException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return chained("lookup", (c, cmd) -> lookUp(mget(c, keys), cmd, keys, versionKeys));
    }

    /** The lookup once the MGET's {@code values} come: the versions that did not exist are created first. */
    private CompletableFuture<Lookup> lookUp(CompletableFuture<List<byte[]>> values,
                                             RedisClusterAsyncCommands<String, byte[]> cmd, String[] keys,
                                             List<String> versionKeys) {
        return values.thenCompose(found -> {
            MgetReply reply;
            try {
                reply = parseMget(keys, versionKeys, found);
            } catch (StoreException e) {
                throw new CompletionException(e);
            }
            if (reply.missing == null) {
                return CompletableFuture.completedFuture(new Lookup(reply.entry, reply.versions));
            }
            return createMissingAsync(cmd, versionKeys, reply)
                    .thenApply(versions -> new Lookup(reply.entry, versions));
        });
    }

    /**
     * Binds a connection to each of {@code loops} (one node or Sentinel, on Netty's NIO
     * transport; otherwise nothing changes): {@link #lookupAsync} and {@link #putAsync} called
     * on one of these loops then run on its connection, registered on that very loop, and
     * complete there, with no hop to Lettuce's I/O thread and back. A loop's lookups of one
     * pass leave in one write at its end (a SET at once, taking them along). The connections
     * are made at once, without waiting; until its own is up, a loop uses the shared one.
     */
    @Override
    public void attach(EventLoopGroup loops) {
        if (lanes != null && !closed) {
            lanes.attach(Objects.requireNonNull(loops, "loops"));
        }
    }

    /** The calling thread's lane when it is an attached event loop, else null. */
    private LoopLanes.Lane callerLane() {
        return lanes == null ? null : lanes.current();
    }

    /** The threads' connections, or null when there are none (tests of this package). */
    ThreadLanes threadLanes() {
        return threads;
    }

    /** The event loops' connections, or null for a cluster (tests of this package). */
    LoopLanes lanes() {
        return lanes;
    }

    /** Closes the connections of {@code loops} (before the caller shuts them down); commands in flight there fail. */
    @Override
    public void detach(EventLoopGroup loops) {
        if (lanes != null) {
            lanes.detach(Objects.requireNonNull(loops, "loops"));
        }
    }

    /**
     * {@link #put} without waiting for the reply. On the calling thread's lane
     * ({@link ThreadLanes}), the SET waits in its buffer for the thread's next command and
     * leaves with it, or alone within two {@link #RIDE_ALONG_TICK}s. Else, once connected to
     * one node (or through Sentinel), it leaves with the next command this store sends on the
     * shared connection, in the same write, or alone within two ticks when no command comes. Either way Redis runs it before every later command of the calling thread (the
     * thread's next lookup finds the entry); another thread's command may overtake it, a
     * miss for that thread, as for another process. A cluster, or a connection still being
     * made, sends it at once. On an {@link #attach attached} loop whose connection is up, it
     * is written at once on that connection, before the call returns. Completes as
     * {@link #chained} says, failing only with a {@link StoreException}.
     */
    @Override
    public CompletionStage<Void> putAsync(String entryKey, byte[] value, int ttlSeconds) {
        LoopLanes.Lane loop = callerLane();
        if (loop == null && threads != null && !closed) {
            ThreadLanes.Lane lane = threads.mine();
            if (lane != null) {
                return putOn(lane, entryKey, value, ttlSeconds);
            }
        }
        return putShared(loop, entryKey, value, ttlSeconds);
    }

    /**
     * The calling thread's lane ({@link ThreadLanes}), or null when its commands go through the
     * shared connection (or it is an event loop of {@link #attach}).
     */
    @Override
    public Object orderOfCaller() {
        return threads == null || closed || callerLane() != null ? null : threads.mine();
    }

    /**
     * {@link #putAsync(String, byte[], int)} on the lane of the thread whose {@link #orderOfCaller}
     * gave {@code order}, as if that thread had made it; with a null {@code order}, on the shared
     * connection, never on the calling thread's own lane.
     */
    @Override
    public CompletionStage<Void> putAsync(Object order, String entryKey, byte[] value, int ttlSeconds) {
        if (order instanceof ThreadLanes.Lane lane && !closed) {
            return putOn(lane, entryKey, value, ttlSeconds);
        }
        return putShared(null, entryKey, value, ttlSeconds);
    }

    /**
     * The SET in {@code lane}'s buffer, to leave with its thread's next command; on the shared
     * connection when the lane is not connected, and then the lane is not used until that SET is
     * answered, so that it still reaches Redis before the thread's next lookup.
     */
    private CompletionStage<Void> putOn(ThreadLanes.Lane lane, String entryKey, byte[] value, int ttlSeconds) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        if (threads.put(lane, entryKey, value, Math.max(1, ttlSeconds), result)) {
            return result;
        }
        // marked before it is sent: the lane may connect meanwhile, and its thread look up there
        lane.sentShared(result);
        CompletionStage<Void> sent = putShared(null, entryKey, value, ttlSeconds);
        sent.whenComplete((ok, e) -> {
            if (e == null) {
                result.complete(null);
            } else {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** {@link #putAsync} on the shared connection, or on {@code loop}'s when the caller is that attached loop. */
    private CompletionStage<Void> putShared(LoopLanes.Lane loop, String entryKey, byte[] value, int ttlSeconds) {
        LoopLanes.Lane lane = loop != null && loop.ready() ? loop : null;
        if (lane == null && (waiting == null || closed || established() == null)) {
            CompletionStage<Void> sent = chained("put", (c, cmd) -> cmd.set(entryKey, value,
                    SetArgs.Builder.ex(Math.max(1, ttlSeconds))).thenApply(ok -> (Void) null));
            if (loop != null) {
                loop.sentElsewhere(sent.toCompletableFuture());
            }
            return sent;
        }
        // on a loop's connection, the SET leaves now, with the lookups of the pass so far: the
        // client is answered next, and its next query may come through another loop's connection.
        // Else it waits to leave with the next command (RideAlong). Either way its reply is not
        // awaited, so its only cost on the miss is building it; Lettuce's expiry starts when it leaves
        CommandArgs<String, byte[]> args = new CommandArgs<>(CODEC).addKey(entryKey).addValue(value);
        SetArgs.Builder.ex(Math.max(1, ttlSeconds)).build(args);
        AsyncCommand<String, byte[], String> set =
                new AsyncCommand<>(new Command<>(CommandType.SET, new StatusOutput<>(CODEC), args));
        CompletableFuture<Void> out = mapped("put", set.thenApply(ok -> (Void) null));
        if (lane != null) {
            lane.sendNow(set);
        } else {
            if (loop != null) {
                loop.sentElsewhere(out);
            }
            waiting.add(set);
        }
        return out;
    }

    /**
     * Sends {@code command} with the SETs waiting to leave (in one batch, after them), or alone.
     * Returns {@code command}, completed exceptionally when the connection rejects it.
     */
    private <T> AsyncCommand<String, byte[], T> send(StatefulConnection<String, byte[]> c,
                                                      AsyncCommand<String, byte[], T> command) {
        waiting.sendWith(batch -> {
            if (batch.isEmpty()) {
                c.dispatch(command);
            } else {
                batch.add(command);
                dispatch(c, batch);
            }
        });
        return command;
    }

    /** Dispatches {@code batch} in one write; a command the connection refused is completed with the refusal. */
    static void dispatch(StatefulConnection<String, byte[]> c, List<RedisCommand<String, byte[], ?>> batch) {
        try {
            c.dispatch(batch);
        } catch (RuntimeException e) {
            // Lettuce completes what it rejects itself; this is for what it throws instead
            batch.forEach(command -> command.completeExceptionally(e));
        }
    }

    /** The SETs no command took along in time (RideAlong's thread, or close). */
    private void sendAlone(List<RedisCommand<String, byte[], ?>> batch) {
        StatefulConnection<String, byte[]> c = established();
        if (c == null) {
            StoreException e = new StoreException(description + ": " + (closed ? "store is closed" : "not connected"));
            batch.forEach(command -> command.completeExceptionally(e));
            return;
        }
        dispatch(c, batch);
    }

    /** The shared connection when one is established (Lettuce may be reconnecting it), else null. Never blocks. */
    private StatefulConnection<String, byte[]> established() {
        CompletableFuture<StatefulConnection<String, byte[]>> current = connection.get();
        return current != null && current.isDone() && !current.isCompletedExceptionally() ? current.join() : null;
    }

    /** The SETs waiting to leave, sent before a command that does not take them along. */
    private void sendWaiting(StatefulConnection<String, byte[]> c) {
        if (waiting != null) {
            waiting.sendWith(batch -> {
                if (!batch.isEmpty()) {
                    dispatch(c, batch);
                }
            });
        }
    }

    /**
     * The values of an MGET of {@code keys}, null where a key does not exist: taking waiting SETs
     * along (one node), or through the cluster API (which splits it by slot).
     */
    private CompletableFuture<List<byte[]>> mget(StatefulConnection<String, byte[]> c, String[] keys) {
        if (waiting == null) {
            return backend.commands(c).mget(keys).toCompletableFuture().thenApply(kvs -> {
                List<byte[]> values = new ArrayList<>(kvs.size());
                kvs.forEach(kv -> values.add(kv.hasValue() ? kv.getValue() : null));
                return values;
            });
        }
        return send(c, mgetValues(keys));
    }

    /**
     * An MGET that answers the values alone: Lettuce's own wraps each in a KeyValue with its
     * key, which the I/O thread builds on every hit for nothing (the caller knows the keys' order).
     */
    private static AsyncCommand<String, byte[], List<byte[]>> mgetValues(String[] keys) {
        return new AsyncCommand<>(new Command<>(CommandType.MGET, new ValueListOutput<>(CODEC),
                new CommandArgs<>(CODEC).addKeys(keys)));
    }

    /**
     * Runs {@code call} on the connection, chained on Lettuce's futures: no thread waits. Before
     * the first connect, the connect is chained too. The stage completes on a Lettuce thread (or
     * a timer thread on timeout), within the command timeout and one tick of Lettuce's timer
     * (within about twice the command and connect timeouts while connecting), failing only with a
     * {@link StoreException}.
     */
    private <T> CompletionStage<T> chained(String op, java.util.function.BiFunction<StatefulConnection<String, byte[]>,
            RedisClusterAsyncCommands<String, byte[]>, CompletionStage<T>> call) {
        CompletableFuture<T> result;
        try {
            CompletableFuture<StatefulConnection<String, byte[]>> conn = connectionFuture();
            boolean connected = conn.isDone();
            result = conn.thenCompose(c -> call.apply(c, backend.commands(c))).toCompletableFuture();
            if (!connected) {
                // while connecting, the connect may never answer: this bound is the safety net,
                // as connectAwaitNanos is for the blocking calls. Once connected, every command
                // carries Lettuce's own expiry (TimeoutOptions, on its wheel timer); an orTimeout
                // here too cost a schedule and a cancel on the JDK's delay thread, a wake-up of
                // that thread on every miss and every proxy lookup (1.3 context switches a miss)
                result = result.orTimeout(2 * awaitNanos + connectAwaitNanos, TimeUnit.NANOSECONDS);
            }
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failure(op, e));
        }
        return mapped(op, result);
    }

    /** {@code result}'s outcome, a failure as a {@link StoreException} the blocking calls would throw. */
    private <T> CompletableFuture<T> mapped(String op, CompletableFuture<T> result) {
        CompletableFuture<T> out = new CompletableFuture<>();
        result.whenComplete((found, e) -> {
            if (e == null) {
                out.complete(found);
            } else {
                out.completeExceptionally(asyncFailure(op, e));
            }
        });
        return out;
    }

    /** A failure of a chained call as the blocking calls report it. */
    private StoreException asyncFailure(String op, Throwable e) {
        Throwable cause = e;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof StoreException se) {
            return se;
        }
        if (cause instanceof TimeoutException) {
            return new StoreException(description + ": " + op + " timed out after "
                    + TimeUnit.NANOSECONDS.toMillis(commandTimeoutNanos) + " ms", cause);
        }
        return new StoreException(description + ": " + op + " failed: " + redact(String.valueOf(cause.getMessage())), cause);
    }

    /** The entry key then the version keys: one MGET, one reply, one round trip (DESIGN.md, a read, step 3). */
    private static String[] mgetKeys(String entryKey, List<String> versionKeys) {
        // a GET and an MGET pipelined cost two writes and two wake-ups of the waiting thread
        // (benchmarks/results/REPORT.md, "hot path")
        String[] keys = new String[versionKeys.size() + 1];
        keys[0] = entryKey;
        for (int i = 0; i < versionKeys.size(); i++) {
            keys[i + 1] = versionKeys.get(i);
        }
        return keys;
    }

    /** What one MGET said: the entry, the versions that exist, the indexes of those that do not (or null). */
    private record MgetReply(byte[] entry, long[] versions, List<Integer> missing) {
    }

    private MgetReply parseMget(String[] keys, List<String> versionKeys, List<byte[]> values)
            throws StoreException {
        if (values.size() != keys.length) {
            throw new StoreException(description + ": MGET answered " + values.size()
                    + " values for " + keys.length + " keys");
        }
        // the entry, when asked for, comes first
        int first = keys.length - versionKeys.size();
        byte[] entry = first == 1 ? values.get(0) : null;
        long[] versions = new long[versionKeys.size()];
        List<Integer> missing = null;
        for (int i = 0; i < versions.length; i++) {
            byte[] value = values.get(i + first);
            if (value != null) {
                versions[i] = Versions.decode(versionKeys.get(i), value);
            } else {
                if (missing == null) {
                    missing = new ArrayList<>();
                }
                missing.add(i);
            }
        }
        return new MgetReply(entry, versions, missing);
    }

    /** {@link #createMissing} chained: the same SET NX and GET pipeline, the same outcome rules. */
    private CompletableFuture<long[]> createMissingAsync(RedisClusterAsyncCommands<String, byte[]> cmd,
                                                         List<String> keys, MgetReply reply) {
        List<Integer> missing = reply.missing;
        long[] versions = reply.versions;
        int n = missing.size();
        long[] candidates = new long[n];
        CompletableFuture<?>[] all = new CompletableFuture<?>[2 * n];
        List<CompletableFuture<String>> sets = new ArrayList<>(n);
        List<CompletableFuture<byte[]>> gets = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            String key = keys.get(missing.get(j));
            candidates[j] = Versions.initial(key);
            sets.add(cmd.set(key, Versions.encode(candidates[j]), SetArgs.Builder.nx()).toCompletableFuture());
            gets.add(cmd.get(key).toCompletableFuture());
            all[2 * j] = sets.get(j);
            all[2 * j + 1] = gets.get(j);
        }
        return CompletableFuture.allOf(all).thenApply(done -> {
            for (int j = 0; j < n; j++) {
                String key = keys.get(missing.get(j));
                try {
                    versions[missing.get(j)] = created(key, sets.get(j).join(), gets.get(j).join(), candidates[j]);
                } catch (StoreException e) {
                    throw new CompletionException(e);
                }
            }
            return versions;
        });
    }

    /**
     * The second round trip, only for versions that did not exist: SET NX a fresh random
     * value, and GET it back in the same pipeline, so that concurrent creators (other threads,
     * other processes) all end up with the one value that won.
     */
    private void createMissing(RedisClusterAsyncCommands<String, byte[]> cmd, List<String> keys,
                               List<Integer> missing, long[] versions) throws StoreException {
        long deadline = System.nanoTime() + awaitNanos;
        int n = missing.size();
        long[] candidates = new long[n];
        List<Future<String>> sets = new ArrayList<>(n);
        List<Future<byte[]>> gets = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            String key = keys.get(missing.get(j));
            candidates[j] = Versions.initial(key);
            // same connection (same node in a cluster), so Redis runs the GET after the SET
            sets.add(cmd.set(key, Versions.encode(candidates[j]), SetArgs.Builder.nx()));
            gets.add(cmd.get(key));
        }
        for (int j = 0; j < n; j++) {
            String key = keys.get(missing.get(j));
            String setReply = await(sets.get(j), deadline, "SET NX");
            versions[missing.get(j)] = created(key, setReply, await(gets.get(j), deadline, "GET"), candidates[j]);
        }
    }

    @Override
    public void put(String entryKey, byte[] value, int ttlSeconds) throws StoreException {
        try {
            RedisClusterAsyncCommands<String, byte[]> cmd = commands();
            // the contract says at least 1; clamp rather than let Redis reject EX 0
            await(cmd.set(entryKey, value, SetArgs.Builder.ex(Math.max(1, ttlSeconds))),
                    System.nanoTime() + awaitNanos, "SET");
        } catch (RuntimeException e) {
            throw failure("put", e);
        }
    }

    @Override
    public void mark(List<String> versionKeys, String sequenceKey, String writer, long leaseMillis)
            throws StoreException {
        if (leaseMillis < 1) {
            throw new IllegalArgumentException("lease must be at least 1 ms, was " + leaseMillis);
        }
        script("mark", versionKeys, sequenceKey, writer, leaseMillis);
    }

    @Override
    public void settle(List<String> versionKeys, String sequenceKey, String writer) throws StoreException {
        script("settle", versionKeys, sequenceKey, writer, -1);
    }

    /**
     * A write's mark or settle ({@link WriteScripts}) on the shared connection, parked, not spun:
     * it surrounds a statement, by when Redis and the I/O thread have gone idle and answer after
     * the spin's budget (ColdRoundTrip: 117 µs). No TTL on versions: a version must outlive every
     * entry stored under it.
     */
    private void script(String op, List<String> versionKeys, String sequenceKey, String writer, long lease)
            throws StoreException {
        if (versionKeys.isEmpty() && sequenceKey == null) {
            return;
        }
        List<WriteScripts.Call> calls = WriteScripts.calls(lanes == null, versionKeys, sequenceKey, writer, lease);
        ThreadLanes.Lane lane = calls.size() == 1 ? acquireLane() : null;
        if (lane != null) {
            script(lane, op, calls.get(0));
            return;
        }
        try {
            RedisClusterAsyncCommands<String, byte[]> cmd = commands();
            long deadline = System.nanoTime() + awaitNanos;
            List<Future<Object>> sent = new ArrayList<>(calls.size());
            for (WriteScripts.Call call : calls) {
                sent.add(WriteScripts.send(cmd, call));
            }
            for (Future<Object> f : sent) {
                awaitParked(f, deadline, op);
            }
        } catch (RuntimeException e) {
            throw failure(op, e);
        }
    }

    /** {@link #script} on the calling thread's {@code lane}, which it releases. */
    private void script(ThreadLanes.Lane lane, String op, WriteScripts.Call call) throws StoreException {
        try {
            WriteScripts.write(lane.connection(), call);
            Object reply = lane.exchange(System.nanoTime() + commandTimeoutNanos);
            if (reply instanceof RespConnection.Error error) {
                throw new StoreException(description + ": " + op + " refused: " + error);
            }
        } catch (IOException e) {
            throw laneFailed(lane, op, e);
        } finally {
            lane.release();
        }
    }

    @Override
    public boolean ordersSequence() {
        // one node runs each script and each MGET whole; a cluster splits both by slot
        return lanes != null;
    }

    @Override
    public void flushAll() throws StoreException {
        if (prefix.isEmpty()) {
            // SCAN MATCH * would delete every key of the database, also other applications'
            throw new StoreException(description + ": no key prefix configured, refusing to delete every key");
        }
        try {
            RedisClusterAsyncCommands<String, byte[]> cmd = commands();
            ScanArgs args = ScanArgs.Builder.matches(escapeGlob(prefix) + "*").limit(FLUSH_BATCH);
            KeyScanCursor<String> cursor = await(cmd.scan(args), System.nanoTime() + awaitNanos, "SCAN");
            while (true) {
                if (!cursor.getKeys().isEmpty()) {
                    await(cmd.unlink(cursor.getKeys().toArray(String[]::new)), System.nanoTime() + awaitNanos, "UNLINK");
                }
                if (cursor.isFinished()) {
                    return;
                }
                cursor = await(cmd.scan(cursor, args), System.nanoTime() + awaitNanos, "SCAN");
            }
        } catch (RuntimeException e) {
            throw failure("flushAll", e);
        }
    }

    @Override
    public Usage usage() throws StoreException {
        try {
            RedisClusterAsyncCommands<String, byte[]> cmd = commands();
            ScanArgs args = ScanArgs.Builder.matches(escapeGlob(prefix) + "q:*").limit(FLUSH_BATCH);
            KeyScanCursor<String> cursor = await(cmd.scan(args), System.nanoTime() + awaitNanos, "SCAN");
            long entries = 0;
            long bytes = 0;
            while (true) {
                List<Future<Long>> sizes = new ArrayList<>(cursor.getKeys().size());
                for (String key : cursor.getKeys()) {
                    sizes.add(cmd.strlen(key));
                }
                long deadline = System.nanoTime() + awaitNanos;
                for (Future<Long> size : sizes) {
                    Long n = await(size, deadline, "STRLEN");
                    bytes += n == null ? 0 : n;
                }
                entries += sizes.size();
                if (cursor.isFinished()) {
                    return new Usage(entries, bytes, true);
                }
                if (entries >= USAGE_SCAN_LIMIT) {
                    return new Usage(entries, bytes, false);
                }
                cursor = await(cmd.scan(cursor, args), System.nanoTime() + awaitNanos, "SCAN");
            }
        } catch (RuntimeException e) {
            throw failure("usage", e);
        }
    }

    /** Escapes the glob characters of SCAN MATCH, so that the prefix matches only itself. */
    static String escapeGlob(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /**
     * The URI without credentials and the prefix, such as {@code redis://127.0.0.1:6379 prefix
     * sqlcache:}, then, once {@link #attach} was called, the event loops' connections: {@code ,
     * event-loop connections 4 (4 connected)}, or {@code off: <why>} when the loops could not take them.
     */
    @Override
    public String describe() {
        String loops = lanes == null ? null : lanes.status();
        return description + " prefix " + prefix + (loops == null ? "" : ", event-loop connections " + loops);
    }

    /** Closes the connection and releases the client's threads; later calls fail. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (threads != null) {
            threads.close(); // their SETs leave, and are answered, first
        }
        if (waiting != null) {
            waiting.close(); // what waits leaves before the connection closes
        }
        if (lanes != null) {
            lanes.close();
        }
        // the client closes every connection it made, also one still being established
        connection.set(null);
        try {
            backend.shutdown();
        } finally {
            resources.shutdown(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "RedisStore[" + describe() + "]";
    }

    // ---------------------------------------------------------------- connection

    /**
     * The shared connection's commands, connecting first when there is none yet or the last
     * attempt failed. Concurrent callers share one attempt.
     */
    private RedisClusterAsyncCommands<String, byte[]> commands() throws StoreException {
        if (threads != null) {
            threads.settle(); // the calling thread's SETs on its lane go first
        }
        StatefulConnection<String, byte[]> c = connected();
        // every command of this store leaves after the SETs handed to putAsync before it
        sendWaiting(c);
        return backend.commands(c);
    }

    /** The shared connection, connecting first as {@link #commands} does. */
    private StatefulConnection<String, byte[]> connected() throws StoreException {
        // parked: once connected the future is done and nothing waits; a connect in progress
        // takes milliseconds, a spin would only count as fruitless against the reads'
        return awaitParked(connectionFuture(), System.nanoTime() + connectAwaitNanos, "connect");
    }

    /**
     * The shared connection, or the attempt that makes it (started here when there is none yet
     * or the last one failed; concurrent callers share one attempt). Never blocks.
     */
    private CompletableFuture<StatefulConnection<String, byte[]>> connectionFuture() throws StoreException {
        while (true) {
            if (closed) {
                throw new StoreException(description + ": store is closed");
            }
            CompletableFuture<StatefulConnection<String, byte[]>> current = connection.get();
            if (current == null || current.isCompletedExceptionally()) {
                CompletableFuture<StatefulConnection<String, byte[]>> attempt = new CompletableFuture<>();
                if (!connection.compareAndSet(current, attempt)) {
                    continue; // someone else started one: use theirs
                }
                try {
                    backend.connect().whenComplete((c, e) -> {
                        if (e != null) {
                            attempt.completeExceptionally(e);
                        } else {
                            attempt.complete(c);
                        }
                    });
                } catch (RuntimeException e) {
                    attempt.completeExceptionally(e);
                }
                current = attempt;
            }
            return current;
        }
    }

    private <T> T await(Future<T> f, long deadlineNanos, String what) throws StoreException {
        if (f.isDone()) {
            return awaitParked(f, deadlineNanos, what);
        }
        // a local Redis answers before a park and its wake-up would be done (SpinWait)
        spin.waiting();
        try {
            spin.spin(f);
            return awaitParked(f, deadlineNanos, what);
        } finally {
            spin.done();
        }
    }

    /** {@link #await} without the spin: the caller parks at once. */
    private <T> T awaitParked(Future<T> f, long deadlineNanos, String what) throws StoreException {
        try {
            return f.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(description + ": interrupted while waiting for " + what, e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StoreException(description + ": " + what + " failed: " + redact(String.valueOf(cause.getMessage())), cause);
        } catch (TimeoutException e) {
            throw new StoreException(description + ": " + what + " timed out after "
                    + TimeUnit.NANOSECONDS.toMillis(commandTimeoutNanos) + " ms", e);
        } catch (java.util.concurrent.CancellationException e) {
            throw new StoreException(description + ": " + what + " was cancelled", e);
        }
    }

    /** Callers now counted as waiting for a reply by the spin (tests: none once their calls returned). */
    int waiters() {
        return spin.waiters();
    }

    /** Lettuce also throws synchronously (a rejected or closed connection). */
    private StoreException failure(String op, RuntimeException e) {
        return new StoreException(description + ": " + op + " failed: " + redact(String.valueOf(e.getMessage())), e);
    }

    /** What differs between one node (or Sentinel) and a cluster. */
    private interface Backend {
        CompletableFuture<? extends StatefulConnection<String, byte[]>> connect();

        RedisClusterAsyncCommands<String, byte[]> commands(StatefulConnection<String, byte[]> c);

        void shutdown();
    }

    private record StandaloneBackend(RedisClient client, RedisURI uri) implements Backend {
        @Override
        public CompletableFuture<StatefulRedisConnection<String, byte[]>> connect() {
            return client.connectAsync(CODEC, uri).toCompletableFuture();
        }

        @Override
        @SuppressWarnings("unchecked")
        public RedisClusterAsyncCommands<String, byte[]> commands(StatefulConnection<String, byte[]> c) {
            return ((StatefulRedisConnection<String, byte[]>) c).async();
        }

        @Override
        public void shutdown() {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** MGET, UNLINK and SCAN of the advanced cluster API span slots and nodes by themselves. */
    private record ClusterBackend(RedisClusterClient client) implements Backend {
        @Override
        public CompletableFuture<StatefulRedisClusterConnection<String, byte[]>> connect() {
            // connectAsync needs the topology first (the blocking connect loads it itself);
            // after a failed attempt this also picks up nodes that changed meanwhile
            return client.refreshPartitionsAsync().toCompletableFuture()
                    .thenCompose(loaded -> client.connectAsync(CODEC))
                    .thenCompose(ClusterBackend::connectMasters);
        }

        /**
         * Makes the connection to each master before the first command needs it: Lettuce 7,
         * rejecting commands while disconnected, also rejects a command whose node's connection
         * is still being made (Lettuce 6 waited for it). Best effort: a master that cannot be
         * reached fails its own commands, not the whole connection.
         */
        private static CompletableFuture<StatefulRedisClusterConnection<String, byte[]>> connectMasters(
                StatefulRedisClusterConnection<String, byte[]> c) {
            CompletableFuture<?>[] masters = c.getPartitions().stream()
                    .filter(n -> n.is(RedisClusterNode.NodeFlag.UPSTREAM))
                    // host and port, as Lettuce routes a key's command (not the node id)
                    .map(n -> c.getConnectionAsync(n.getUri().getHost(), n.getUri().getPort()))
                    .toArray(CompletableFuture<?>[]::new);
            return CompletableFuture.allOf(masters).handle((ok, e) -> c);
        }

        @Override
        @SuppressWarnings("unchecked")
        public RedisClusterAsyncCommands<String, byte[]> commands(StatefulConnection<String, byte[]> c) {
            return ((StatefulRedisClusterConnection<String, byte[]>) c).async();
        }

        @Override
        public void shutdown() {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
