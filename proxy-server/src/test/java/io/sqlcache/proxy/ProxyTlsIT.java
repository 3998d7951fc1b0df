package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqlcache.CacheConfig;
import io.sqlcache.testing.Db;
import io.sqlcache.testing.TestEnv;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS between clients and the proxy ({@code --tls-cert/--tls-key}), with a self-signed
 * certificate made by the JDK's keytool: mysql-connector-j verifies it (VERIFY_CA), caching works
 * over TLS, a plain client shares the same proxy, and a client that trusts another certificate is
 * refused. The backend connection stays plain (the local MariaDB has SSL disabled).
 */
class ProxyTlsIT {

    private static final String PASSWORD = "changeit";
    private static Path dir;
    private static ProxyServer proxy;
    private static String table;

    @BeforeAll
    static void start() throws Exception {
        TestEnv.requireRedis();
        dir = Files.createTempDirectory("proxy-tls");
        Path store = keystore("proxy");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Key key = ks.getKey("proxy", PASSWORD.toCharArray());
        Path cert = dir.resolve("proxy.crt");
        Path keyFile = dir.resolve("proxy.key");
        Files.writeString(cert, pem("CERTIFICATE", ks.getCertificate("proxy").getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
        CacheConfig cache = CacheConfig.parse(Map.of("sqlcache.prefix", Db.uniquePrefix()), k -> null);
        proxy = new ProxyServer(ProxyTests.config(cache).withTls(new ProxyConfig.TlsFiles(cert, keyFile))).start();
        table = Db.uniqueTable("tls");
        try (Connection c = TestEnv.mysql()) {
            Db.exec(c, "CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(20))", "INSERT INTO " + table + " VALUES (1, 'a')");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (table != null) {
            try (Connection c = TestEnv.mysql()) {
                Db.exec(c, "DROP TABLE IF EXISTS " + table);
            }
        }
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    /** A PKCS12 key store with a fresh self-signed certificate for 127.0.0.1, made by keytool. */
    private static Path keystore(String alias) throws Exception {
        Path store = dir.resolve(alias + ".p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool: %s", out).isZero();
        return store;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static String trusting(Path store) {
        return "sslMode=VERIFY_CA&trustCertificateKeyStoreUrl=" + store.toUri() + "&trustCertificateKeyStoreType=PKCS12"
                + "&trustCertificateKeyStorePassword=" + PASSWORD;
    }

    private static long selects(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW SESSION STATUS LIKE 'Com_select'")) {
            rs.next();
            return rs.getLong(2);
        }
    }

    @Test
    void clientsVerifyTheProxysCertificateAndAreServedFromTheCache() throws Exception {
        String sql = "SELECT v FROM " + table + " WHERE id = 1";
        for (String options : List.of(trusting(dir.resolve("proxy.p12")), "sslMode=REQUIRED", "sslMode=DISABLED",
                "sslMode=VERIFY_CA&useServerPrepStmts=true&" + trusting(dir.resolve("proxy.p12")).substring("sslMode=VERIFY_CA&".length()))) {
            try (Connection c = DriverManager.getConnection(ProxyTests.proxyUrl(proxy.port(), options))) {
                assertThat(Db.one(c, sql)).as(options).isEqualTo("a");
                long before = selects(c);
                assertThat(Db.one(c, sql)).isEqualTo("a");
                assertThat(selects(c)).as("a hit over %s", options).isEqualTo(before);
                Db.exec(c, "UPDATE " + table + " SET v = 'a' WHERE id = 1");
                assertThat(Db.one(c, sql)).isEqualTo("a");
            }
        }
    }

    @Test
    void aClientThatTrustsAnotherCertificateIsRefused() throws Exception {
        Path other = keystore("other");
        assertThatThrownBy(() -> DriverManager.getConnection(ProxyTests.proxyUrl(proxy.port(), trusting(other))))
                .isInstanceOf(SQLException.class);
        try (Connection c = DriverManager.getConnection(ProxyTests.proxyUrl(proxy.port(), trusting(dir.resolve("proxy.p12"))))) {
            assertThat(c.isValid(2)).as("the proxy is unharmed").isTrue();
        }
    }
}
