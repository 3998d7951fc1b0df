package io.sqlcache.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Command-phase packets for the fuzz test: random ones and mutations of real commands. Each
 * {@link #next} returns the bytes to write on the socket (frames included, since wrong lengths
 * and truncated headers are part of the point). Deterministic for a seed; not thread-safe.
 */
final class PacketFuzzer {

    /** What the next write is, for counting. */
    enum Kind { RANDOM_COMMAND, QUERY_MUTATED, QUERY_RANDOM, EXECUTE_FORGED, STATEMENT_COMMAND, WRONG_LENGTH,
        HUGE_LENGTH, TRUNCATED_HEADER }

    record Output(Kind kind, byte[] bytes, boolean endsConnection) {
    }

    private final Random random;
    private final String[] queries;

    /**
     * @param table a table of the fuzz user's own: every real statement names only it
     */
    PacketFuzzer(long seed, String table) {
        this.random = new Random(seed);
        this.queries = new String[] {
            "SELECT * FROM " + table + " WHERE id = 1",
            "SELECT v, COUNT(*) FROM " + table + " GROUP BY v ORDER BY v",
            "SELECT id FROM " + table + " WHERE v = 'a' AND id IN (1, 2, 3)",
            "UPDATE " + table + " SET v = 'fz' WHERE id = 2",
            "INSERT INTO " + table + " (id, v) VALUES (100, 'x') ON DUPLICATE KEY UPDATE v = 'y'",
            "SELECT 1; SELECT 2",
            "SET NAMES utf8mb4",
            "BEGIN", "COMMIT", "ROLLBACK",
            "SELECT ? + 1",
        };
    }

    /** A real statement text for COM_STMT_PREPARE. */
    String preparable() {
        return queries[random.nextInt(queries.length)];
    }

    Output next() {
        int r = random.nextInt(100);
        if (r < 20) {
            byte[] body = bytes(random.nextInt(48));
            return framed(Kind.RANDOM_COMMAND, concat(new byte[] {(byte) random.nextInt(256)}, body));
        }
        if (r < 45) {
            return framed(Kind.QUERY_MUTATED, concat(new byte[] {0x03}, mutate(preparable().getBytes(StandardCharsets.UTF_8))));
        }
        if (r < 55) {
            return framed(Kind.QUERY_RANDOM, concat(new byte[] {0x03}, bytes(random.nextInt(80))));
        }
        if (r < 75) {
            return framed(Kind.EXECUTE_FORGED, forgedExecute());
        }
        if (r < 88) {
            return framed(Kind.STATEMENT_COMMAND, statementCommand());
        }
        if (r < 94) {
            // the header claims more or fewer bytes than follow: framing desynchronises
            byte[] payload = concat(new byte[] {0x03}, mutate(preparable().getBytes(StandardCharsets.UTF_8)));
            int claimed = Math.max(0, payload.length + random.nextInt(41) - 20);
            return new Output(Kind.WRONG_LENGTH, concat(header(claimed, random.nextInt(256)), payload), false);
        }
        if (r < 97) {
            int claimed = random.nextBoolean() ? 0xFFFFFF : (1 << 20) + random.nextInt(1 << 23);
            return new Output(Kind.HUGE_LENGTH, concat(header(claimed, 0), bytes(random.nextInt(32))), false);
        }
        // a partial header, then the client hangs up
        return new Output(Kind.TRUNCATED_HEADER, bytes(1 + random.nextInt(3)), true);
    }

    private byte[] forgedExecute() {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x17);
        int id = switch (random.nextInt(4)) {
            case 0 -> random.nextInt();
            case 1 -> -1;
            default -> 1 + random.nextInt(8); // ids the server likely handed out on this connection
        };
        int4(p, id);
        p.write(random.nextInt(4) == 0 ? random.nextInt(256) : 0); // flags: cursors, garbage
        int4(p, 1);
        int params = random.nextInt(4) == 0 ? random.nextInt(300) : random.nextInt(3);
        p.writeBytes(bytes((params + 7) / 8));
        p.write(random.nextInt(3) == 0 ? random.nextInt(256) : 1);
        for (int i = 0; i < params && p.size() < 2000; i++) {
            p.write(random.nextBoolean() ? 0x03 : random.nextInt(256));
            p.write(random.nextInt(8) == 0 ? 0x80 : 0);
        }
        p.writeBytes(bytes(random.nextInt(40)));
        return truncateMaybe(p.toByteArray());
    }

    private byte[] statementCommand() {
        return switch (random.nextInt(5)) {
            case 0 -> concat(new byte[] {0x16}, mutate(preparable().getBytes(StandardCharsets.UTF_8)));
            case 1 -> truncateMaybe(concat(new byte[] {0x18}, concat(le4(random.nextInt(8)), bytes(random.nextInt(64)))));
            case 2 -> truncateMaybe(concat(new byte[] {0x19}, le4(random.nextInt(8))));
            case 3 -> truncateMaybe(concat(new byte[] {0x1A}, le4(random.nextInt(8))));
            default -> truncateMaybe(concat(new byte[] {0x1C}, concat(le4(random.nextInt(8)), le4(random.nextInt()))));
        };
    }

    /** Byte flips, insertions, deletions and truncation of a real text, or the text itself. */
    private byte[] mutate(byte[] text) {
        byte[] out = text;
        int n = random.nextInt(4);
        for (int i = 0; i < n && out.length > 0; i++) {
            int at = random.nextInt(out.length);
            switch (random.nextInt(4)) {
                case 0 -> {
                    out = out.clone();
                    out[at] = (byte) random.nextInt(256);
                }
                case 1 -> out = concat(concat(java.util.Arrays.copyOf(out, at), bytes(1 + random.nextInt(4))),
                        java.util.Arrays.copyOfRange(out, at, out.length));
                case 2 -> out = concat(java.util.Arrays.copyOf(out, at), java.util.Arrays.copyOfRange(out, at + 1, out.length));
                default -> out = java.util.Arrays.copyOf(out, at);
            }
        }
        return out;
    }

    private byte[] truncateMaybe(byte[] p) {
        return random.nextInt(4) == 0 ? java.util.Arrays.copyOf(p, random.nextInt(p.length + 1)) : p;
    }

    private Output framed(Kind kind, byte[] payload) {
        // mostly sequence id 0, as a command starts; sometimes any
        int seq = random.nextInt(10) == 0 ? random.nextInt(256) : 0;
        return new Output(kind, concat(header(payload.length, seq), payload), false);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] header(int length, int seq) {
        return new byte[] {(byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) seq};
    }

    private static byte[] le4(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    private static void int4(ByteArrayOutputStream p, int v) {
        p.writeBytes(le4(v));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
