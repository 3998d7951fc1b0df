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
 */
public final class KeyMaterial {

    private static final byte[] VERSION = "sqlcache-key-1".getBytes(StandardCharsets.US_ASCII);

    private final byte[] bytes;
    private final String hash;

    private KeyMaterial(byte[] bytes) {
        this.bytes = bytes;
        this.hash = sha256Hex128(bytes);
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
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + sql.length() * 2);
        out.writeBytes(VERSION);
        writeString(out, sql);
        writeInt(out, params.length);
        for (ParamValue p : params) {
            out.writeBytes(p.bytes());
        }
        writeInt(out, scope.length);
        for (String s : scope) {
            writeString(out, s);
        }
        return new KeyMaterial(out.toByteArray());
    }

    /** Wraps bytes read back from an entry (for comparison only). */
    public static boolean matches(KeyMaterial k, byte[] stored) {
        return Arrays.equals(k.bytes, stored);
    }

    /** The bytes; the caller must not modify them. */
    public byte[] bytes() {
        return bytes;
    }

    /** 128 bits of SHA-256 of the material, as 32 lowercase hex digits. */
    public String hash() {
        return hash;
    }

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

    private static String sha256Hex128(byte[] bytes) {
        MessageDigest md = SHA256.get();
        md.reset();
        byte[] d = md.digest(bytes);
        return HexFormat.of().formatHex(d, 0, 16);
    }
}
