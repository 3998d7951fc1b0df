package io.sqlcache.key;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The full key of a cached result: everything that can change the rows the real driver would
 * return for a statement. Its hash names the entry; the material itself is stored in the
 * entry and compared on a hit, so a hash collision can never serve the wrong rows.
 * Immutable; {@link #hash()} is computed once.
 *
 * <p>The material is the statement's {@link Prefix} (text and scope, the same for every
 * execution of a statement in a session) around its parameters. The hash is SHA-256 of the
 * prefix's own SHA-256 followed by the parameters, so a statement executed again hashes only
 * its parameters: the scope holds the session's settings, hundreds of bytes that a point read
 * would otherwise hash on every hit (issue 5).
 */
public final class KeyMaterial {

    private static final byte[] VERSION = "sqlcache-key-2".getBytes(StandardCharsets.US_ASCII);

    private final Prefix prefix;
    private final byte[] params;
    private final String hash;

    private KeyMaterial(Prefix prefix, byte[] params) {
        this.prefix = prefix;
        this.params = params;
        MessageDigest md = sha256();
        md.update(prefix.digest);
        md.update(params);
        this.hash = HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    /**
     * Builds key material.
     *
     * @param sql     the statement text as it goes into the key (hints removed)
     * @param params  the bound parameters, in order; empty for a plain statement; never null
     *                elements (an unset parameter makes the statement fail on the real driver anyway)
     * @param scope   who and where: current schema, user, session settings, driver settings
     *                (each may be null, which is encoded distinctly from empty)
     */
    public static KeyMaterial of(String sql, ParamValue[] params, String... scope) {
        return Prefix.of(sql, params.length, scope).with(params);
    }

    /** Whether {@code stored} (an entry's material) is exactly this material. */
    public static boolean matches(KeyMaterial k, byte[] stored) {
        byte[] head = k.prefix.head;
        byte[] tail = k.prefix.tail;
        int h = head.length;
        int p = h + k.params.length;
        return stored.length == p + tail.length
                && Arrays.equals(stored, 0, h, head, 0, h)
                && Arrays.equals(stored, h, p, k.params, 0, k.params.length)
                && Arrays.equals(stored, p, stored.length, tail, 0, tail.length);
    }

    /** The bytes, a new array on every call (they are only needed to store an entry). */
    public byte[] bytes() {
        byte[] head = prefix.head;
        byte[] out = Arrays.copyOf(head, head.length + params.length + prefix.tail.length);
        System.arraycopy(params, 0, out, head.length, params.length);
        System.arraycopy(prefix.tail, 0, out, head.length + params.length, prefix.tail.length);
        return out;
    }

    /** 128 bits of the key's SHA-256, as 32 lowercase hex digits. */
    public String hash() {
        return hash;
    }

    /**
     * What a statement's key holds besides its parameters: the text, the number of parameters
     * and the scope, encoded and digested once. A statement keeps the prefix of its last
     * execution and reuses it while {@link #sameAs} holds. Immutable and thread-safe.
     */
    public static final class Prefix {

        private final String sql;
        private final int paramCount;
        private final String[] scope;
        /** VERSION, the text, the number of parameters. */
        private final byte[] head;
        /** The number of scope strings, then each. */
        private final byte[] tail;
        /** SHA-256 of head then tail. */
        private final byte[] digest;

        private Prefix(String sql, int paramCount, String[] scope) {
            this.sql = sql;
            this.paramCount = paramCount;
            this.scope = scope.clone();
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 + sql.length() * 2);
            out.writeBytes(VERSION);
            writeString(out, sql);
            writeInt(out, paramCount);
            this.head = out.toByteArray();
            out.reset();
            writeInt(out, scope.length);
            for (String s : scope) {
                writeString(out, s);
            }
            this.tail = out.toByteArray();
            MessageDigest md = sha256();
            md.update(head);
            md.update(tail);
            this.digest = md.digest();
        }

        /**
         * The prefix of a statement.
         *
         * @param sql        the statement text as it goes into the key, not null
         * @param paramCount how many parameters it is executed with
         * @param scope      as in {@link KeyMaterial#of}
         */
        public static Prefix of(String sql, int paramCount, String... scope) {
            return new Prefix(sql, paramCount, scope);
        }

        /**
         * {@code last} when it is the prefix of these arguments, else a new one: a statement keeps
         * the prefix of its last execution and passes it back here.
         *
         * @param last the prefix of the caller's last execution, or null
         */
        public static Prefix reusing(Prefix last, String sql, int paramCount, String... scope) {
            return last != null && last.sameAs(sql, paramCount, scope) ? last : new Prefix(sql, paramCount, scope);
        }

        /** Whether this is the prefix {@link #of} would build from these arguments. */
        public boolean sameAs(String sql, int paramCount, String... scope) {
            return paramCount == this.paramCount && this.sql.equals(sql) && Arrays.equals(this.scope, scope);
        }

        /**
         * The key of an execution with these parameters.
         *
         * @param params as in {@link KeyMaterial#of}; as many as this prefix was built for
         * @throws IllegalArgumentException when the number of parameters differs
         */
        public KeyMaterial with(ParamValue[] params) {
            if (params.length != paramCount) {
                throw new IllegalArgumentException(params.length + " parameters for a key of " + paramCount);
            }
            if (params.length == 0) {
                return new KeyMaterial(this, NO_BYTES);
            }
            if (params.length == 1) {
                return new KeyMaterial(this, params[0].bytes());
            }
            int n = 0;
            for (ParamValue p : params) {
                n += p.bytes().length;
            }
            byte[] out = new byte[n];
            int at = 0;
            for (ParamValue p : params) {
                byte[] b = p.bytes();
                System.arraycopy(b, 0, out, at, b.length);
                at += b.length;
            }
            return new KeyMaterial(this, out);
        }
    }

    private static final byte[] NO_BYTES = new byte[0];

    private static void writeString(ByteArrayOutputStream out, String s) {
        if (s == null) {
            writeInt(out, -1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        writeInt(out, b.length);
        out.writeBytes(b);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    /** This thread's digest, reset. */
    private static MessageDigest sha256() {
        MessageDigest md = SHA256.get();
        md.reset();
        return md;
    }
}
