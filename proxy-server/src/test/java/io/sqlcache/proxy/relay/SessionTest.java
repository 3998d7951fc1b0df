package io.sqlcache.proxy.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.core.Isolation;
import io.sqlcache.proxy.protocol.ServerStatus;
import org.junit.jupiter.api.Test;

/** How the proxy follows a session's isolation level from the SET statements it relays. */
class SessionTest {

    private final Session session = new Session(0xFFFFFFFF);

    Session autocommit() {
        session.status = ServerStatus.AUTOCOMMIT;
        return session;
    }

    @Test
    void untilTheClientSetsALevelItIsTheServersDefault() {
        assertThat(autocommit().isolation()).isEqualTo(Isolation.SERVER_DEFAULT);
    }

    @Test
    void sessionLevelsAreFollowedInEverySpelling() {
        session.afterSet("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
        assertThat(session.isolation()).isEqualTo(Isolation.READ_COMMITTED);
        session.afterSet("set local transaction isolation level repeatable read, read only");
        assertThat(session.isolation()).isEqualTo(Isolation.REPEATABLE_READ);
        session.afterSet("SET @@session.transaction_isolation = 'READ-UNCOMMITTED'");
        assertThat(session.isolation()).isEqualTo(Isolation.READ_UNCOMMITTED);
        session.afterSet("SET tx_isolation='SERIALIZABLE';");
        assertThat(session.isolation()).isEqualTo(Isolation.SERIALIZABLE);
    }

    @Test
    void aSpellingNotFollowedMakesTheLevelUnknownNotTheDefault() {
        // the proxy's copy used to call this "set by the client" and cache autocommit reads under it
        session.afterSet("SET @a = 1, SESSION tx_isolation = 'READ-UNCOMMITTED'");
        assertThat(session.isolation()).isEqualTo(Isolation.UNKNOWN);
    }

    @Test
    void statementsThatOnlyMentionIsolationChangeNothing() {
        // what MariaDB Connector/J sends on connect
        session.afterSet("SET autocommit=1, session_track_system_variables = CONCAT(@@global.session_track_system_variables,',tx_isolation')");
        session.afterSet("SET GLOBAL TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
        assertThat(session.isolation()).isEqualTo(Isolation.SERVER_DEFAULT);
    }

    @Test
    void aLevelForTheNextTransactionIsUnknownUntilThatTransactionRan() {
        session.afterSet("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
        session.afterSet("SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
        assertThat(session.isolation()).isEqualTo(Isolation.UNKNOWN);
        session.isolationState().statementRan(false, false);
        assertThat(session.isolation()).isEqualTo(Isolation.READ_COMMITTED);
    }

    @Test
    void aResetForgetsLevelsTemporaryTablesAndTheTransactionsWrites() {
        session.afterSet("SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED");
        session.temporaryTables().seen(io.sqlcache.sql.TableName.of("app", "tmp"));
        session.writes().wrote(io.sqlcache.core.WriteTarget.UNKNOWN, true);
        session.reset();
        assertThat(session.isolation()).isEqualTo(Isolation.SERVER_DEFAULT);
        assertThat(session.temporaryTables().bypass(java.util.Set.of(io.sqlcache.sql.TableName.of("app", "tmp")),
                t -> false)).isNull();
        assertThat(session.writeSet().isEmpty()).isTrue();
    }
}
