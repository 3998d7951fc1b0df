package io.sqlcache.proxy.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientConnectionTest {

    @Test
    void anExecuteWithoutTypesIsRewrittenWithNewParamsBoundAndTheTypes() {
        // COM_STMT_EXECUTE, statement 7, no cursor, iteration 1, null bitmap 0x02, not bound, values
        byte[] payload = {0x17, 7, 0, 0, 0, 0, 1, 0, 0, 0, 0x02, 0, 5, 0, 0, 0};
        byte[] nulls = {0x02};
        byte[] types = {3, 0, 15, 0};
        byte[] values = {5, 0, 0, 0};
        assertThat(ClientConnection.withTypes(payload, nulls, types, values))
                .containsExactly(0x17, 7, 0, 0, 0, 0, 1, 0, 0, 0, 0x02, 1, 3, 0, 15, 0, 5, 0, 0, 0);
    }
}
