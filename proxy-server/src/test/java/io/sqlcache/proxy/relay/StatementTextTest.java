package io.sqlcache.proxy.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StatementTextTest {

    @Test
    void asciiIsTrustedInEveryCharacterSet() {
        assertThat(StatementText.decode("SELECT 1".getBytes(StandardCharsets.US_ASCII), Session.TextDecoding.OTHER))
                .isEqualTo(new StatementText("SELECT 1", true));
    }

    @Test
    void otherBytesAreDecodedOnlyInAUtf8Session() {
        byte[] text = "SELECT 'é'".getBytes(StandardCharsets.UTF_8);
        assertThat(StatementText.decode(text, Session.TextDecoding.UTF8))
                .isEqualTo(new StatementText("SELECT 'é'", true));
        assertThat(StatementText.decode(text, Session.TextDecoding.OTHER).trusted()).isFalse();
    }

    @Test
    void invalidUtf8IsNotTrusted() {
        byte[] text = {'S', 'E', 'L', 'E', 'C', 'T', ' ', (byte) 0xE9};
        assertThat(StatementText.decode(text, Session.TextDecoding.UTF8))
                .isEqualTo(new StatementText("SELECT \u00e9", false));
    }
}
