package io.sqlcache.proxy;

import io.sqlcache.CacheConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line: {@code java -jar sqlcache-proxy.jar --backend host:port --listen host:port}.
 * Runs until SIGTERM or SIGINT, then shuts down cleanly (stops accepting, lets commands in
 * flight finish, closes the backend connections).
 */
@Command(name = "sqlcache-proxy", mixinStandardHelpOptions = true, version = "sqlcache-proxy 0.1.0",
        description = "A MySQL-wire proxy that answers repeated SELECTs from the sqlcache cache (Redis or in process)"
                + " and invalidates them on every write it relays.",
        sortOptions = false)
public final class ProxyMain implements Callable<Integer> {

    /** Config-file keys of the proxy alone (not of the driver): the catalog login. */
    static final String CATALOG_USER_KEY = "sqlcache.catalogUser";
    static final String CATALOG_PASSWORD_KEY = "sqlcache.catalogPassword";

    @Option(names = "--backend", required = true, paramLabel = "HOST:PORT",
            description = "The MySQL or MariaDB server to relay to, such as 127.0.0.1:3306.")
    String backend;

    @Option(names = "--listen", defaultValue = "127.0.0.1:6033", paramLabel = "HOST:PORT",
            description = "Where clients connect (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--redis", paramLabel = "URI",
            description = "Store URI (sqlcache.redis), such as redis://127.0.0.1:6379. Absent: the in-process store.")
    String redis;

    @Option(names = "--ttl", paramLabel = "SECONDS", description = "Seconds an entry lives (sqlcache.ttl; default 300).")
    Integer ttl;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file of sqlcache.* settings, the same keys as the driver's. Options given here win.")
    Path config;

    @Option(names = "--catalog-user", paramLabel = "USER",
            description = "A login the proxy reads the backend's catalog with (views, triggers, foreign keys;"
                    + " config key sqlcache.catalogUser). It should see every schema clients use: root, or a user with"
                    + " SELECT, SHOW VIEW and TRIGGER on them. Absent: nothing is cached, every write invalidates everything.")
    String catalogUser;

    @Option(names = "--catalog-password", paramLabel = "PASSWORD", arity = "0..1", interactive = false,
            description = "Its password (sqlcache.catalogPassword; prefer the config file: the command line is visible"
                    + " to other users of the machine). Default: empty.")
    String catalogPassword;

    @Option(names = "--max-connections", defaultValue = "" + ProxyConfig.DEFAULT_MAX_CONNECTIONS, paramLabel = "N",
            description = "Client connections accepted at once (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--max-packet", defaultValue = "" + ProxyConfig.DEFAULT_MAX_PACKET_BYTES, paramLabel = "BYTES",
            description = "Largest client packet accepted (default: ${DEFAULT-VALUE}).")
    int maxPacket;

    @Option(names = "--shutdown-grace", defaultValue = "" + ProxyConfig.DEFAULT_SHUTDOWN_GRACE_MILLIS, paramLabel = "MS",
            description = "How long a shutdown waits for commands in flight (default: ${DEFAULT-VALUE}).")
    long shutdownGrace;

    @Option(names = "--event-loops", paramLabel = "N",
            description = "Event-loop threads serving clients (default: one per core).")
    Integer eventLoops;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "A PEM certificate chain: clients may then use TLS to the proxy (the backend stays plain)."
                    + " Needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "Its PKCS#8 PEM private key, unencrypted.")
    Path tlsKey;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProxyMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ProxyConfig pc = toConfig();
        ProxyServer server = new ProxyServer(pc).start();
        System.out.println("sqlcache proxy listening on " + pc.listenHost() + ":" + server.port() + ", backend "
                + pc.backendHost() + ":" + pc.backendPort() + ", store " + server.context().runtime().store().describe()
                + (pc.catalog() == null ? "; no --catalog-user: nothing is cached, every write invalidates everything"
                        : ", catalog read as " + pc.catalog().user()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("sqlcache proxy shutting down");
            server.close();
            stopped.countDown();
        }, "sqlcache-proxy-shutdown"));
        stopped.await();
        return 0;
    }

    ProxyConfig toConfig() throws IOException {
        Map<String, String> settings = new HashMap<>();
        String fileCatalogUser = null;
        String fileCatalogPassword = null;
        if (config != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(config)) {
                p.load(r);
            }
            for (String k : p.stringPropertyNames()) {
                if (!k.startsWith(CacheConfig.PREFIX)) {
                    throw new IllegalArgumentException(config + ": '" + k + "' is not a sqlcache.* setting");
                }
                settings.put(k, p.getProperty(k).trim());
            }
            // proxy-only keys: the driver reads the catalog with its application's own login
            fileCatalogUser = settings.remove(CATALOG_USER_KEY);
            fileCatalogPassword = settings.remove(CATALOG_PASSWORD_KEY);
        }
        if (redis != null) {
            settings.put("sqlcache.redis", redis);
        }
        if (ttl != null) {
            settings.put("sqlcache.ttl", ttl.toString());
        }
        CacheConfig cache = CacheConfig.parse(settings, System::getenv);
        HostPort l = HostPort.parse("--listen", listen);
        HostPort b = HostPort.parse("--backend", backend);
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        String user = catalogUser != null ? catalogUser : fileCatalogUser;
        String password = catalogPassword != null ? catalogPassword : fileCatalogPassword;
        if (user == null && password != null) {
            throw new IllegalArgumentException("--catalog-password (" + CATALOG_PASSWORD_KEY + ") without --catalog-user ("
                    + CATALOG_USER_KEY + ")");
        }
        if (user != null && user.isBlank()) {
            throw new IllegalArgumentException("--catalog-user (" + CATALOG_USER_KEY + ") must not be empty");
        }
        return new ProxyConfig(l.host(), l.port(), b.host(), b.port(), cache, maxConnections, maxPacket, shutdownGrace,
                ProxyConfig.defaultWorkers(), eventLoops == null ? ProxyConfig.defaultEventLoops() : eventLoops, null,
                tlsCert == null ? null : new ProxyConfig.TlsFiles(tlsCert, tlsKey))
                .withCatalog(user, password);
    }

    /** A host and port from {@code host:port} or {@code [v6]:port}. */
    record HostPort(String host, int port) {
        static HostPort parse(String option, String s) {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                throw new IllegalArgumentException(option + " wants HOST:PORT, got '" + s + "'");
            }
            String host = s.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                return new HostPort(host, Integer.parseInt(s.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " wants HOST:PORT, got '" + s + "'");
            }
        }
    }
}
