package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.api.StatefulRedisConnection;
import io.sqlcache.SqlCacheStatement;
import io.sqlcache.testing.Await;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.RedisServerProcess;
import io.sqlcache.testing.TestEnv;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Redis over TLS ({@code rediss://}, as ElastiCache with encryption in transit), against a
 * private {@code redis-server} with a TLS port and a self-signed certificate made for the test
 * (its name is {@code localhost}, not {@code 127.0.0.1}): the threads' own connections and
 * Lettuce's both speak TLS and log in; a certificate the JVM does not trust is refused unless the
 * URI says {@code verifyPeer=NONE}; the host name is checked against the certificate; and the
 * driver caches and invalidates over it.
 */
@Timeout(60)
class RedisTlsIT {

    private static final String PASSWORD = "s3cret";

    private static Path dir;
    private static RedisServerProcess redis;
    private static int tlsPort;

    private final String prefix = "sqlcache-test-" + UUID.randomUUID() + ":";
    private RedisStore store;

    @BeforeAll
    static void startTlsRedis() throws Exception {
        dir = Files.createTempDirectory("sqlcache-tls-");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString(),
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost")
                .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0)
                .as("openssl made the certificate (apt-get install openssl): %s", Files.exists(dir.resolve("openssl.log"))
                        ? Files.readString(dir.resolve("openssl.log")) : "").isTrue();
        tlsPort = RedisServerProcess.freePort();
        redis = RedisServerProcess.start(List.of("--tls-port", Integer.toString(tlsPort),
                "--tls-cert-file", dir.resolve("cert.pem").toString(), "--tls-key-file", dir.resolve("key.pem").toString(),
                "--tls-ca-cert-file", dir.resolve("cert.pem").toString(), "--tls-auth-clients", "no"));
        assertThat(redis.command("CONFIG", "SET", "requirepass", PASSWORD)).startsWith("+OK");
    }

    @AfterAll
    static void stopTlsRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    /** The URI of the TLS port, with the password; {@code query} such as {@code "?verifyPeer=NONE"}. */
    private static String tlsUri(String host, String query) {
        return "rediss://:" + PASSWORD + "@" + host + ":" + tlsPort + query;
    }

    /** CLIENT LIST over the plain port (the test's own connection is not TLS). */
    private static List<String> clients() {
        RedisClient client = RedisClient.create("redis://:" + PASSWORD + "@127.0.0.1:" + redis.port());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().clientList().lines().filter(l -> !l.contains(" cmd=client|list ")).toList();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }


    @Test
    void theThreadsLanesAndLettuceSpeakTlsAndLogIn() throws Exception {
        store = new RedisStore(tlsUri("127.0.0.1", "?verifyPeer=NONE"), prefix, Duration.ofSeconds(2),
                Duration.ofSeconds(2), RedisStore.DEFAULT_SPIN, 4);
        List<String> versions = List.of(prefix + "t:a");
        store.lookup(prefix + "q:first", versions);
        Await.until(() -> store.threadLanes().connected() >= 1, "the lane connected");
        store.bump(versions);
        store.putAsync(prefix + "q:1", new byte[] {7}, 60);
        assertThat(store.lookup(prefix + "q:1", versions).entry()).containsExactly(7);

        List<String> clients = clients();
        assertThat(clients).as("every connection of the store came to the TLS port").isNotEmpty()
                .allMatch(l -> l.contains(":" + tlsPort + " "), "laddr is the TLS port");
        assertThat(clients).filteredOn(l -> l.contains(" name=" + RedisStore.LANE_NAME + " "))
                .singleElement().satisfies(l -> assertThat(l).contains(" cmd=mget "));
    }

    @Test
    void aCertificateTheJvmDoesNotTrustIsRefusedUnlessVerificationIsOff() throws Exception {
        for (SslVerifyMode mode : List.of(SslVerifyMode.FULL, SslVerifyMode.CA)) {
            assertThatThrownBy(() -> RespConnection.open("localhost", tlsPort, 2000, 2000, null, PASSWORD.toCharArray(),
                    0, "t", RedisStore.tls(mode)).close()).as("verifyPeer=%s", mode).isInstanceOf(SSLHandshakeException.class);
        }
        try (RespConnection c = RespConnection.open("localhost", tlsPort, 2000, 2000, null, PASSWORD.toCharArray(), 0,
                "t", RedisStore.tls(SslVerifyMode.NONE))) {
            c.command(1).arg("PING").flush();
            assertThat(c.read(System.nanoTime() + TimeUnit.SECONDS.toNanos(2))).isEqualTo("PONG");
        }
        // the store: Lettuce and the lanes refuse alike, and the cache fails open (I4)
        store = new RedisStore(tlsUri("localhost", ""), prefix, Duration.ofMillis(500), Duration.ofMillis(500),
                RedisStore.DEFAULT_SPIN, 4);
        assertThatThrownBy(() -> store.lookup(prefix + "q:1", List.of(prefix + "t:a"))).isInstanceOf(StoreException.class);
        assertThat(store.threadLanes().connected()).as("no lane got through").isZero();
    }

    @Test
    void theHostNameIsCheckedAgainstTheCertificate() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream pem = Files.newInputStream(dir.resolve("cert.pem"))) {
            trust.setCertificateEntry("test", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        RespConnection.Tls checked = new RespConnection.Tls(ctx.getSocketFactory(), true);
        try (RespConnection c = RespConnection.open("localhost", tlsPort, 2000, 2000, null, PASSWORD.toCharArray(), 0,
                "t", checked)) {
            c.command(1).arg("PING").flush();
            assertThat(c.read(System.nanoTime() + TimeUnit.SECONDS.toNanos(2))).isEqualTo("PONG");
        }
        assertThatThrownBy(() -> RespConnection.open("127.0.0.1", tlsPort, 2000, 2000, null, PASSWORD.toCharArray(), 0,
                "t", checked).close()).as("the certificate names localhost only").isInstanceOf(SSLHandshakeException.class);
        RespConnection.open("127.0.0.1", tlsPort, 2000, 2000, null, PASSWORD.toCharArray(), 0, "t",
                new RespConnection.Tls(ctx.getSocketFactory(), false)).close();
    }

    @Test
    void theDriverCachesAndInvalidatesOverTls() throws Exception {
        TestEnv.mysql().close();
        String table = Db.uniqueTable("tls");
        try (Connection admin = TestEnv.mysql()) {
            Db.exec(admin, "CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(20))",
                    "INSERT INTO " + table + " VALUES (1, 'a')");
        }
        Properties p = new Properties();
        p.setProperty("sqlcache.redis", tlsUri("127.0.0.1", "?verifyPeer=NONE"));
        p.setProperty("sqlcache.prefix", prefix);
        try (Connection c = DriverManager.getConnection(TestEnv.sqlcacheUrl(""), p);
             PreparedStatement read = c.prepareStatement("SELECT v FROM " + table + " WHERE id = ?")) {
            read.setInt(1, 1);
            assertThat(value(read)).isEqualTo("a");
            assertThat(read.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("miss");
            assertThat(value(read)).isEqualTo("a");
            assertThat(read.unwrap(SqlCacheStatement.class).lastCacheOutcome()).isEqualTo("hit");
            Db.exec(c, "UPDATE " + table + " SET v = 'b' WHERE id = 1");
            assertThat(value(read)).as("I1 over TLS").isEqualTo("b");
        } finally {
            try (Connection admin = TestEnv.mysql()) {
                Db.exec(admin, "DROP TABLE IF EXISTS " + table);
            }
        }
    }

    private static String value(PreparedStatement read) throws Exception {
        try (ResultSet rs = read.executeQuery()) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }
}
