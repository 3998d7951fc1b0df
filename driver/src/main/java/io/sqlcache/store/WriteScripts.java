package io.sqlcache.store;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Lua scripts of a write's marks and its settle in Redis ({@link CacheStore#mark},
 * {@link CacheStore#settle}): each is one atomic step, so a reader's MGET sees a version and the
 * write sequence either both before it or both after it. Stateless and thread-safe.
 *
 * <p>Each version key {@code k} has beside it the sorted set of the writers that marked it, scored
 * by when their lease ends: {@code {k}:w} (or {@code k:w} when {@code k} has a hash tag of its
 * own), in {@code k}'s cluster slot. Random values come from the caller: a script's own
 * {@code math.random} is seeded the same way on every run.
 *
 * <p>A Redis Cluster cannot run one script over keys of several slots: there each key is marked
 * or settled by a script of its own, after one that advances the sequence. That keeps every
 * key's rule but not the atomicity across keys, which is why a cluster store serves no
 * transaction snapshots ({@link CacheStore#ordersSequence}).
 */
final class WriteScripts {

    /**
     * The start of both scripts: the write sequence (KEYS[1], when ARGV[1] is '1') advances to at
     * least the server's clock in microseconds, before any version changes; {@code first} is the
     * index of the first version key.
     */
    private static final String ADVANCE = """
            local first = 1
            local t = redis.call('TIME')
            local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
            if ARGV[1] == '1' then
              local g = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
              redis.call('SET', KEYS[1], string.format('%.0f', math.max(g + 1, now_us)))
              first = 2
            end
            """;

    /**
     * ARGV[1]: '1' when KEYS[1] is the write sequence, to advance first; then writer, lease (ms)
     * and one odd value per version key. KEYS after the sequence: each version key and its set.
     */
    static final String MARK = ADVANCE + """
            local lease = tonumber(ARGV[3])
            local expires = math.floor(now_us / 1000) + lease
            local v = 4
            for i = first, #KEYS, 2 do
              redis.call('ZADD', KEYS[i + 1], expires, ARGV[2])
              redis.call('PEXPIRE', KEYS[i + 1], lease * 2)
              redis.call('SET', KEYS[i], ARGV[v])
              v = v + 1
            end
            return 1
            """;

    /**
     * ARGV[1] as for {@link #MARK}; then the writer ('' for none) and per version key an even and
     * an odd value: odd while another writer's unexpired mark remains, even otherwise.
     */
    static final String SETTLE = ADVANCE + """
            local now_ms = math.floor(now_us / 1000)
            local v = 3
            for i = first, #KEYS, 2 do
              local w = KEYS[i + 1]
              if ARGV[2] ~= '' then redis.call('ZREM', w, ARGV[2]) end
              redis.call('ZREMRANGEBYSCORE', w, '-inf', now_ms)
              if redis.call('ZCARD', w) > 0 then
                redis.call('SET', KEYS[i], ARGV[v + 1])
              else
                redis.call('SET', KEYS[i], ARGV[v])
              end
              v = v + 2
            end
            return 1
            """;

    private WriteScripts() {
    }

    /** The set of writers that marked {@code versionKey}, in the same cluster slot. */
    static String writersKey(String versionKey) {
        int open = versionKey.indexOf('{');
        boolean tagged = open >= 0 && versionKey.indexOf('}', open + 1) > open + 1;
        return tagged ? versionKey + ":w" : "{" + versionKey + "}:w";
    }

    /** One script call: its text, keys and arguments. */
    record Call(String script, String[] keys, byte[][] args) {
    }

    /**
     * The calls that mark (or, with {@code lease} negative, settle) {@code versionKeys}: one
     * script, or in a cluster one to advance the sequence and then one per key.
     *
     * @param sequenceKey the write sequence to advance, or null for none
     * @param writer      the writer's token; for a settle, null when it has no marks to end
     */
    static List<Call> calls(boolean cluster, List<String> versionKeys, String sequenceKey, String writer, long lease) {
        boolean mark = lease >= 0;
        List<Call> calls = new ArrayList<>();
        if (!cluster) {
            calls.add(call(mark, versionKeys, sequenceKey, writer, lease));
            return calls;
        }
        if (sequenceKey != null) {
            calls.add(call(mark, List.of(), sequenceKey, writer, lease));
        }
        for (String key : versionKeys) {
            calls.add(call(mark, List.of(key), null, writer, lease));
        }
        return calls;
    }

    /** Sends a call on a Lettuce connection. */
    static RedisFuture<Object> send(RedisClusterAsyncCommands<String, byte[]> cmd, Call call) {
        return cmd.eval(call.script(), ScriptOutputType.INTEGER, call.keys(), call.args());
    }

    /** Writes a call on a thread's lane (its reply is read by the caller). */
    static void write(RespConnection c, Call call) {
        c.command(3 + call.keys().length + call.args().length).arg("EVAL").arg(call.script())
                .arg(call.keys().length);
        for (String key : call.keys()) {
            c.arg(key);
        }
        for (byte[] arg : call.args()) {
            c.arg(arg);
        }
    }

    private static Call call(boolean mark, List<String> versionKeys, String sequenceKey, String writer, long lease) {
        List<String> keys = new ArrayList<>(2 * versionKeys.size() + 1);
        List<byte[]> args = new ArrayList<>(2 * versionKeys.size() + 3);
        if (sequenceKey != null) {
            keys.add(sequenceKey);
        }
        args.add(ascii(sequenceKey != null ? "1" : "0"));
        args.add(ascii(writer == null ? "" : writer));
        if (mark) {
            args.add(ascii(Long.toString(Math.max(1, lease))));
        }
        for (String key : versionKeys) {
            keys.add(key);
            keys.add(writersKey(key));
            if (mark) {
                args.add(Versions.encode(Versions.randomInFlight()));
            } else {
                args.add(Versions.encode(Versions.random()));
                args.add(Versions.encode(Versions.randomInFlight()));
            }
        }
        return new Call(mark ? MARK : SETTLE, keys.toArray(new String[0]), args.toArray(new byte[0][]));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
