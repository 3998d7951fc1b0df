package io.sqlcache.proxy.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.proxy.protocol.Packet;
import org.junit.jupiter.api.Test;

class BinaryExecuteTest {

    // COM_STMT_EXECUTE, statement 7, no cursor, iteration 1, null bitmap 0x02 (the second is NULL)
    private static final byte[] WITH_TYPES = {0x17, 7, 0, 0, 0, 0, 1, 0, 0, 0, 0x02, 1, 3, 0, 15, 0, 5, 0, 0, 0};
    private static final byte[] WITHOUT_TYPES = {0x17, 7, 0, 0, 0, 0, 1, 0, 0, 0, 0x02, 0, 5, 0, 0, 0};

    private final Session session = new Session(0xFFFFFFFF);
    private final Session.Prepared statement = new Session.Prepared("SELECT ?, ?", null, 2);

    BinaryExecuteTest() {
        session.prepared.put(7, statement);
    }

    @Test
    void anExecuteWithoutTypesIsRewrittenWithNewParamsBoundAndTheTypes() {
        byte[] nulls = {0x02};
        byte[] types = {3, 0, 15, 0};
        byte[] values = {5, 0, 0, 0};
        assertThat(BinaryExecute.withTypes(WITHOUT_TYPES, nulls, types, values)).containsExactly(WITH_TYPES);
    }

    @Test
    void typesAnExecuteCarriesAreNotedAndReachTheServerWithIt() {
        BinaryExecute x = BinaryExecute.parse(WITH_TYPES, session);
        assertThat(x.prepared()).isSameAs(statement);
        assertThat(x.flags()).isZero();
        assertThat(statement.types).containsExactly(3, 0, 15, 0);
        assertThat(statement.typesOnServer).isFalse();
        assertThat(x.integerParams()).containsExactly(5L, null);
        Packet request = new Packet(0, WITH_TYPES);
        assertThat(x.types().forwarded(request)).isSameAs(request);
        assertThat(statement.typesOnServer).isTrue();
    }

    @Test
    void anExecuteAfterOneAnsweredFromTheCacheCarriesTheTypesTheServerNeverSaw() {
        BinaryExecute.parse(WITH_TYPES, session); // answered from the cache: never forwarded
        BinaryExecute x = BinaryExecute.parse(WITHOUT_TYPES, session);
        Packet forwarded = x.types().forwarded(new Packet(0, WITHOUT_TYPES));
        assertThat(forwarded.payload()).containsExactly(WITH_TYPES);
        assertThat(statement.typesOnServer).isTrue();
        // the server holds them now: the next execute goes as the client sent it
        Packet next = new Packet(0, WITHOUT_TYPES);
        assertThat(BinaryExecute.parse(WITHOUT_TYPES, session).types().forwarded(next)).isSameAs(next);
    }

    @Test
    void aTruncatedOrUnknownExecuteNamesNoStatement() {
        assertThat(BinaryExecute.parse(new byte[] {0x17, 7, 0}, session).prepared()).isNull();
        assertThat(BinaryExecute.parse(new byte[] {0x17, 8, 0, 0, 0, 0, 1, 0, 0, 0}, session).prepared()).isNull();
    }
}
