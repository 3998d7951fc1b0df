package io.sqlcache.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import io.sqlcache.SqlCacheConnection;
import io.sqlcache.SqlCacheStatement;
import io.sqlcache.core.CacheRuntime;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.LogRecorder;
import io.sqlcache.testing.RedisServerProcess;
import io.sqlcache.testing.TestEnv;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * I5 and I1 end to end through the driver, against a private redis-server whose keys the test
 * rewrites behind the driver's back: a corrupt, truncated or forged entry is a miss and a
 * counted store error, never an exception or an object of another class; a version counter that
 * disappears never lets an old entry match again.
 */
class TamperedEntryIT {

    private String table;
    private String prefix;
    private RedisServerProcess redis;

    @BeforeEach
    void setUp() throws SQLException {
        table = Db.uniqueTable("te_users");
        prefix = Db.uniquePrefix();
        redis = RedisServerProcess.start();
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, name VARCHAR(64))",
                    "INSERT INTO " + table + " VALUES (1, 'alice')");
        }
    }

    @AfterEach
    void tearDown() throws SQLException {
        redis.close();
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "DROP TABLE IF EXISTS " + table);
        }
    }

    /**
     * Without local copies: a process that holds a decoded copy of its own entry never reads the
     * tampered bytes at all (its copy is valid while the versions are); what is tested here is
     * every process that must read them.
     */
    private String url() {
        return TestEnv.sqlcacheUrl("sqlcache.redis=" + redis.uri() + "&sqlcache.prefix=" + prefix
                + "&sqlcache.localCopyBytes=0");
    }

    @Test
    void randomBytesInAnEntryAreAMissAndACountedError() throws Exception {
        Random random = new Random(42);
        tamperAndRead(old -> {
            byte[] b = new byte[old.length];
            random.nextBytes(b);
            return b;
        });
    }

    @Test
    void aTruncatedEntryIsAMissAndACountedError() throws Exception {
        tamperAndRead(old -> Arrays.copyOf(old, old.length / 2));
        tamperAndRead(old -> Arrays.copyOf(old, old.length - 1));
        tamperAndRead(old -> Arrays.copyOf(old, EntryCodec.HEADER_LENGTH));
        tamperAndRead(old -> new byte[0]);
    }

    @Test
    void aStockKryoPayloadNamingAnArbitraryClassIsAMissAndACountedError() throws Exception {
        for (Object payload : new Object[] {new java.util.ArrayList<>(java.util.List.of("x")),
                new java.util.HashMap<>(java.util.Map.of("k", "v")), new Gadget()}) {
            tamperAndRead(old -> {
                Kryo stock = new Kryo();
                stock.setRegistrationRequired(false);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                // our own header, taken from the real entry, then a payload that names a class
                bytes.write(old, 0, EntryCodec.HEADER_LENGTH);
                try (Output out = new Output(bytes)) {
                    stock.writeClassAndObject(out, payload);
                }
                return bytes.toByteArray();
            });
        }
    }

    /** Stands for any class an attacker would like instantiated (a deserialization gadget). */
    public static final class Gadget {
        public String command = "touch /tmp/pwned";
    }

    @Test
    void anEntryOfAnotherQueryCopiedOverThisOneIsAMiss() throws Exception {
        // a well-formed entry under the wrong key: the stored key material does not match
        try (Connection app = DriverManager.getConnection(url());
                PreparedStatement other = app.prepareStatement("SELECT 'mallory' FROM " + table + " WHERE id = 1")) {
            read(other);
            // a miss does not wait for its SET; this read's lookup follows it on the same connection
            read(other);
            String otherKey = onlyEntryKey();
            byte[] forged = get(otherKey);
            redis.command("DEL", otherKey);
            tamperAndRead(old -> forged, app, 0);
        }
    }

    /** Caches the read, rewrites its entry with {@code tamper}, and reads again through the driver. */
    private void tamperAndRead(UnaryOperator<byte[]> tamper) throws Exception {
        try (Connection app = DriverManager.getConnection(url())) {
            tamperAndRead(tamper, app, 1);
        }
    }

    private void tamperAndRead(UnaryOperator<byte[]> tamper, Connection app, int expectedErrors) throws Exception {
        try (PreparedStatement ps = app.prepareStatement("SELECT name FROM " + table + " WHERE id = ?")) {
            ps.setInt(1, 1);
            read(ps);
            assertThat(read(ps)).isEqualTo("alice");
            assertThat(outcome(ps)).isEqualTo("hit");
            String key = onlyEntryKey();
            byte[] tampered = tamper.apply(get(key));
            set(key, tampered);
            long errors = app.unwrap(SqlCacheConnection.class).cacheStats().storeErrors();

            try (LogRecorder log = LogRecorder.of(CacheRuntime.class)) {
                assertThat(read(ps)).isEqualTo("alice");
                assertThat(outcome(ps)).isEqualTo("miss");
                // what an operator sees of a tampered entry: one line, no stack trace
                assertThat(log.at(Level.WARNING)).hasSize(expectedErrors).allSatisfy(w -> {
                    assertThat(w.getMessage()).contains("undecodable entry", key);
                    assertThat(w.getThrown()).isNull();
                });
            }
            assertThat(app.unwrap(SqlCacheConnection.class).cacheStats().storeErrors())
                    .as("store errors counted for the tampered entry").isEqualTo(errors + expectedErrors);
            // the miss stored a good entry again
            assertThat(read(ps)).isEqualTo("alice");
            assertThat(outcome(ps)).isEqualTo("hit");
        }
    }

    @Test
    void aVersionCounterThatDisappearsNeverLetsAnOldEntryMatchAgain() throws Exception {
        try (Connection app = DriverManager.getConnection(url());
                PreparedStatement ps = app.prepareStatement("SELECT name FROM " + table + " WHERE id = 1");
                Connection direct = TestEnv.mysql()) {
            read(ps);
            assertThat(read(ps)).isEqualTo("alice");
            assertThat(outcome(ps)).isEqualTo("hit");
            for (int round = 0; round < 20; round++) {
                // "id = 1" on an INT primary key: the read checks the table's whole-table key and
                // bucket 0 (RowScopes), not v:; lose each of them in turn
                String versionKey = prefix + (round % 2 == 0 ? "w:test." + table.toLowerCase()
                        : "b:test." + table.toLowerCase() + ":0");
                assertThat(redis.command("EXISTS", versionKey)).isEqualTo(":1\r\n");
                // the counter is lost (eviction) while the entry survives, and the data changes
                // behind sqlcache's back: only the lost counter can tell the entry is old
                redis.command("DEL", versionKey);
                String name = "name-" + round;
                Db.exec(direct, "UPDATE " + table + " SET name = '" + name + "' WHERE id = 1");
                assertThat(read(ps)).as("round %d", round).isEqualTo(name);
                assertThat(outcome(ps)).isEqualTo("miss");
                assertThat(read(ps)).isEqualTo(name);
                assertThat(outcome(ps)).isEqualTo("hit");
            }
            // the global epoch too
            redis.command("DEL", prefix + "g");
            Db.exec(direct, "UPDATE " + table + " SET name = 'after epoch loss' WHERE id = 1");
            assertThat(read(ps)).isEqualTo("after epoch loss");
            assertThat(outcome(ps)).isEqualTo("miss");
        }
    }

    @Test
    void aRestartedRedisNeverServesAnEntryOfBeforeTheRestart() throws Exception {
        try (Connection app = DriverManager.getConnection(url());
                PreparedStatement ps = app.prepareStatement("SELECT name FROM " + table + " WHERE id = 1");
                Connection direct = TestEnv.mysql()) {
            read(ps);
            assertThat(read(ps)).isEqualTo("alice");
            String key = onlyEntryKey();
            byte[] entry = get(key);
            redis.restart();
            // the entry comes back (a replica that kept it, a restore), the counters do not
            Db.exec(direct, "UPDATE " + table + " SET name = 'bob' WHERE id = 1");
            for (int i = 0; i < 300; i++) {
                set(key, entry);
                assertThat(read(ps)).isEqualTo("bob");
                if (!outcome(ps).startsWith("bypass")) {
                    break;
                }
                Thread.sleep(20); // waiting for the breaker's next trial and Lettuce's reconnect
            }
            assertThat(outcome(ps)).isEqualTo("miss");
        }
    }

    private static String read(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            Object v = rs.getObject(1);
            assertThat(v).isInstanceOf(String.class);
            return (String) v;
        }
    }

    private static String outcome(PreparedStatement ps) throws SQLException {
        return ps.unwrap(SqlCacheStatement.class).lastCacheOutcome();
    }

    private String onlyEntryKey() {
        String reply = redis.command("KEYS", prefix + "q:*");
        String[] lines = reply.split("\r\n");
        assertThat(lines[0]).as("exactly one entry in Redis: %s", reply).isEqualTo("*1");
        return lines[2];
    }

    // Binary-safe GET/SET: RedisServerProcess.command speaks text only.
    private byte[] get(String key) throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(resp("GET", key.getBytes(StandardCharsets.UTF_8)));
            var in = s.getInputStream();
            String header = line(in);
            assertThat(header).startsWith("$");
            int len = Integer.parseInt(header.substring(1));
            assertThat(len).as("entry %s exists", key).isPositive();
            byte[] b = in.readNBytes(len);
            in.readNBytes(2);
            return b;
        }
    }

    private void set(String key, byte[] value) throws Exception {
        try (Socket s = connect()) {
            // KEEPTTL: the tampered entry keeps the real one's expiry
            s.getOutputStream().write(resp("SET", key.getBytes(StandardCharsets.UTF_8), value,
                    "KEEPTTL".getBytes(StandardCharsets.US_ASCII)));
            assertThat(line(s.getInputStream())).as("SET %s", key).isEqualTo("+OK");
        }
    }

    private Socket connect() throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", redis.port()), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static byte[] resp(String cmd, byte[]... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] c = cmd.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(("*" + (args.length + 1) + "\r\n$" + c.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(c);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            out.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(a);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static String line(java.io.InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int ch; (ch = in.read()) != -1; ) {
            if (ch == '\r') {
                in.read();
                return sb.toString();
            }
            sb.append((char) ch);
        }
        throw new AssertionError("connection closed; got " + sb);
    }
}
