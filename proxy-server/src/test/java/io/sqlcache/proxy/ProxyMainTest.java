package io.sqlcache.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line and the config file: the catalog login and the TLS files. */
class ProxyMainTest {

    private static ProxyConfig parse(String... args) throws Exception {
        ProxyMain main = new ProxyMain();
        new CommandLine(main).parseArgs(args);
        return main.toConfig();
    }

    @Test
    void withoutACatalogUserThereIsNoCatalogLogin() throws Exception {
        assertThat(parse("--backend", "127.0.0.1:3306").catalog()).isNull();
    }

    @Test
    void theCatalogLoginComesFromTheCommandLineOrTheConfigFileAndTheCommandLineWins() throws Exception {
        ProxyConfig c = parse("--backend", "127.0.0.1:3306", "--catalog-user", "root");
        assertThat(c.catalog().user()).isEqualTo("root");
        assertThat(c.catalog().password()).isEmpty();

        Path file = Files.createTempFile("proxy", ".properties");
        try {
            Files.writeString(file, "sqlcache.catalogUser=reader\nsqlcache.catalogPassword=s3cret\nsqlcache.ttl=60\n");
            ProxyConfig f = parse("--backend", "127.0.0.1:3306", "--config", file.toString());
            assertThat(f.catalog().user()).isEqualTo("reader");
            assertThat(f.catalog().password()).isEqualTo("s3cret");
            assertThat(f.catalog().toString()).doesNotContain("s3cret");
            assertThat(f.cache().ttlSeconds()).isEqualTo(60);
            assertThat(parse("--backend", "127.0.0.1:3306", "--config", file.toString(), "--catalog-user", "other")
                    .catalog().user()).isEqualTo("other");
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aPasswordWithoutAUserOrAnEmptyUserIsRefused() {
        assertThatThrownBy(() -> parse("--backend", "127.0.0.1:3306", "--catalog-password", "x"))
                .hasMessageContaining("--catalog-user");
        assertThatThrownBy(() -> parse("--backend", "127.0.0.1:3306", "--catalog-user", " "))
                .hasMessageContaining("must not be empty");
    }

    @Test
    void tlsFilesAreTakenAsAPair() throws Exception {
        ProxyConfig c = parse("--backend", "127.0.0.1:3306", "--tls-cert", "a.crt", "--tls-key", "a.key");
        assertThat(c.tls().certificateChain()).isEqualTo(Path.of("a.crt"));
        assertThat(c.tls().privateKey()).isEqualTo(Path.of("a.key"));
        assertThat(parse("--backend", "127.0.0.1:3306").tls()).isNull();
        assertThatThrownBy(() -> parse("--backend", "127.0.0.1:3306", "--tls-cert", "a.crt"))
                .hasMessageContaining("go together");
    }

    @Test
    void eventLoopsDefaultToOnePerCoreAndMustBePositive() throws Exception {
        assertThat(parse("--backend", "127.0.0.1:3306").eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(parse("--backend", "127.0.0.1:3306", "--event-loops", "3").eventLoops()).isEqualTo(3);
        assertThatThrownBy(() -> parse("--backend", "127.0.0.1:3306", "--event-loops", "0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("event loops must be positive");
    }
}
