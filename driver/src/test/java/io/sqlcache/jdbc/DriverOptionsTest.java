package io.sqlcache.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DriverOptionsTest {

    @Test
    void optionsThatBringTheBinaryProtocolAreUnfaithful() {
        assertThat(DriverOptions.unfaithful("jdbc:mysql://h/db?useServerPrepStmts=true")).contains("useServerPrepStmts=true");
        // useCursorFetch makes prepareStatement a ServerPreparedStatement (checked against Connector/J 9.5)
        assertThat(DriverOptions.unfaithful("jdbc:mysql://h/db?user=u&useCursorFetch=true")).contains("useCursorFetch=true");
        assertThat(DriverOptions.unfaithful("jdbc:mysql://h/db?useCursorFetch=false")).isNull();
        assertThat(DriverOptions.unfaithful("jdbc:mysql://h/db?useSSL=false&connectionTimeZone=LOCAL")).isNull();
        assertThat(DriverOptions.unfaithful(null)).isNull();
    }
}
