package io.sqlcache;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.testing.TestEnv;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The jar applications use: self-contained, relocated, and working with nothing but the
 * application's own mysql-connector-j beside it.
 */
class ShadedJarIT {

    private static Path jar() {
        Path jar = Path.of(System.getProperty("sqlcache.shadedJar", "target/sqlcache-driver.jar"));
        assertThat(jar).as("run 'mvn -B verify' (the jar is built in the package phase)").exists();
        return jar;
    }

    @Test
    void everyBundledClassIsRelocatedAndTheDriverIsRegistered() throws Exception {
        List<String> foreign = new ArrayList<>();
        try (JarFile jar = new JarFile(jar().toFile())) {
            jar.stream().map(e -> e.getName())
                    .filter(n -> n.endsWith(".class") && !n.startsWith("io/sqlcache/"))
                    .forEach(foreign::add);
            assertThat(jar.stream().anyMatch(e -> e.getName().startsWith("io/sqlcache/shaded/lettuce/"))).isTrue();
            assertThat(jar.stream().anyMatch(e -> e.getName().startsWith("com/mysql/"))).as("never bundles the real driver").isFalse();
            String services = new String(jar.getInputStream(jar.getEntry("META-INF/services/java.sql.Driver")).readAllBytes(),
                    StandardCharsets.UTF_8).trim();
            assertThat(services).isEqualTo("io.sqlcache.SqlCacheDriver");
            assertThat(jar.stream().filter(e -> e.getName().startsWith("META-INF/services/")).count())
                    .as("no foreign service files").isEqualTo(1);
        }
        assertThat(foreign).as("classes outside io.sqlcache").isEmpty();
    }

    @Test
    void theDemoRunsOnTheJarAloneWithRedis() throws Exception {
        TestEnv.requireRedis();
        String mysqlJar = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.contains("mysql-connector-j")).findFirst().orElseThrow();
        String cp = String.join(File.pathSeparator, "target/test-classes", jar().toString(), mysqlJar);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the first Redis HELLO on a loaded machine can outlast the default 200 ms, and the
                // breaker would then skip Redis for the whole (sub-second) demo
                "-cp", cp, "io.sqlcache.demo.UsersDemo", TestEnv.REDIS_URL, "sqlcache.timeoutMs=2000")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("[hit]").contains("'alice v2'").doesNotContain("Exception");
        Files.writeString(Path.of("target/demo-output.txt"), out);
    }
}
