package io.sqlcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.invalidate.Dependencies;
import io.sqlcache.invalidate.WriteSet;
import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.SqlAnalyzer;
import io.sqlcache.sql.TableName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The read rules the driver and the proxy share. Where their copies had drifted apart, the rule
 * kept is the stricter one; each such case has a test here that fails on the looser rule.
 */
class ReadPolicyTest {

    private static final SqlAnalyzer ANALYZER = new SqlAnalyzer(100);
    private final ReadPolicy policy = new ReadPolicy(new Dependencies(ANALYZER::analyze, Duration.ofSeconds(60)));
    private final FakeSession session = new FakeSession();

    private String bypass(String sql) {
        return policy.named(ANALYZER.analyze(sql), session).bypass();
    }

    @Test
    void aPlainReadInAutocommitMayBeCachedWithItsTablesResolved() {
        ReadDecision d = policy.named(ANALYZER.analyze("SELECT * FROM t JOIN other.u ON t.id = u.id"), session);
        assertThat(d.bypass()).isNull();
        assertThat(d.tables()).containsExactlyInAnyOrder(TableName.of("app", "t"), TableName.of("other", "u"));
    }

    @Test
    void anUnknownIsolationBypassesInAutocommitToo() {
        // the driver's copy only looked at the level inside transactions: a level it could not
        // read (READ UNCOMMITTED set in a way not followed) let dirty rows be stored
        session.isolation.session(Isolation.UNKNOWN);
        assertThat(bypass("SELECT * FROM t")).isEqualTo("isolation level unknown");
        session.isolation.session(Isolation.READ_UNCOMMITTED);
        assertThat(bypass("SELECT * FROM t")).isEqualTo("READ-UNCOMMITTED isolation");
    }

    @Test
    void aLevelSetForTheNextTransactionBypassesUntilThatTransactionHasRun() {
        // SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED applies to the next autocommit statement:
        // both copies used to cache that statement's dirty rows
        session.isolation.nextTransactionSet();
        assertThat(bypass("SELECT * FROM t")).isEqualTo("isolation level unknown");
        session.isolation.statementRan(true, false); // another SET does not consume it
        assertThat(bypass("SELECT * FROM t")).isEqualTo("isolation level unknown");
        session.isolation.statementRan(false, false); // the autocommit statement it applied to ran
        assertThat(bypass("SELECT * FROM t")).isNull();
    }

    @Test
    void aLevelSetForTheNextTransactionHoldsThroughBeginUntilTheEnd() {
        session.isolation.session(Isolation.READ_COMMITTED);
        session.isolation.nextTransactionSet();
        session.inTransaction = true;
        session.isolation.statementRan(false, true); // BEGIN
        assertThat(bypass("SELECT * FROM t")).isEqualTo("transaction snapshot (unknown)");
        session.isolation.statementRan(false, false); // COMMIT
        session.inTransaction = false;
        session.inTransaction = true;
        assertThat(bypass("SELECT * FROM t")).isNull(); // READ COMMITTED again
    }

    @Test
    void aTemporaryTableShadowsTheNameInEverySchema() {
        // the driver's copy matched schema and name: a temporary table created while another
        // schema was current (or through a name it resolved differently) was missed
        session.temporaryTables.seen(TableName.of("app", "t"));
        assertThat(bypass("SELECT * FROM other.t")).isEqualTo("temporary table other.t");
        assertThat(bypass("SELECT * FROM u")).isNull();
    }

    @Test
    void afterAProcedureEveryTableIsAskedAboutOnceAndUnknownOnesBypass() {
        session.temporaryTables.mayHaveChanged();
        session.prober = SessionView.Prober.CANNOT_TELL;
        assertThat(bypass("SELECT * FROM t")).isEqualTo("temporary tables unknown after a procedure call");
        assertThat(bypass("SELECT 1")).isNull(); // names no table

        List<TableName> asked = new ArrayList<>();
        session.prober = t -> {
            asked.add(t);
            return t.name().equals("tmp");
        };
        assertThat(bypass("SELECT * FROM t")).isNull();
        assertThat(bypass("SELECT * FROM t")).isNull();
        assertThat(bypass("SELECT * FROM tmp")).isEqualTo("temporary table app.tmp");
        assertThat(asked).containsExactly(TableName.of("app", "t"), TableName.of("app", "tmp"));
    }

    @Test
    void inATransactionReadCommittedAndProvenSnapshotsAreServedButNotTheTransactionsOwnTables() {
        session.inTransaction = true;
        session.isolation.session(Isolation.SERIALIZABLE);
        assertThat(bypass("SELECT * FROM t")).isEqualTo("transaction snapshot (SERIALIZABLE)");
        session.isolation.session(Isolation.SERVER_DEFAULT);
        assertThat(bypass("SELECT * FROM t")).isEqualTo("transaction snapshot (server default)");
        session.isolation.session(Isolation.READ_COMMITTED);
        assertThat(bypass("SELECT * FROM t")).isNull();
        session.writes.add(Set.of(TableName.of("app", "t")), false);
        assertThat(bypass("SELECT * FROM t")).isEqualTo("table written in this transaction");
        assertThat(bypass("SELECT * FROM u")).isNull();
    }

    @Test
    void repeatableReadIsServedOnlyUnderTheSnapshotTheSessionProves() {
        session.inTransaction = true;
        session.isolation.session(Isolation.REPEATABLE_READ);
        session.snapshot = -1;
        assertThat(bypass("SELECT * FROM t")).isEqualTo("transaction snapshot taken before the cache could see it");
        session.snapshot = 42;
        ReadDecision d = policy.named(ANALYZER.analyze("SELECT * FROM t"), session);
        assertThat(d.bypass()).isNull();
        assertThat(d.snapshot()).isEqualTo(42);
        session.inTransaction = false;
        assertThat(policy.named(ANALYZER.analyze("SELECT * FROM t"), session).snapshot())
                .as("autocommit: any current entry").isEqualTo(ReadDecision.ANY_SNAPSHOT);
    }

    @Test
    void theWriteSetIsCheckedAgainstTheTablesBehindViews() {
        session.inTransaction = true;
        session.isolation.session(Isolation.READ_COMMITTED);
        session.writes.add(Set.of(TableName.of("app", "base")), false);
        ReadDecision named = policy.named(ANALYZER.analyze("SELECT * FROM v"), session);
        assertThat(named.bypass()).isNull();
        // what expand returns for a view v over app.base
        ReadDecision expanded = new ReadDecision(null, Set.of(TableName.of("app", "v"), TableName.of("app", "base")),
                Map.of(), ReadDecision.ANY_SNAPSHOT);
        assertThat(policy.expanded(expanded, session).bypass()).isEqualTo("table written in this transaction");
        session.inTransaction = false;
        assertThat(policy.expanded(expanded, session)).isSameAs(expanded);
    }

    @Test
    void sessionStateAndSystemSchemasAndMissingSchemasBypass() {
        session.stateBypass = "session state unknown";
        assertThat(bypass("SELECT * FROM t")).isEqualTo("session state unknown");
        session.stateBypass = null;
        session.schema = null;
        assertThat(bypass("SELECT * FROM t")).isEqualTo("no current schema");
        session.schema = "information_schema";
        assertThat(bypass("SELECT * FROM tables")).isEqualTo("system schema information_schema");
        assertThat(bypass("SELECT NOW()")).contains("NOW");
    }

    /** A session whose every part a test sets by hand. */
    static final class FakeSession implements SessionView {
        String stateBypass;
        String schema = "app";
        boolean inTransaction;
        final IsolationState isolation = new IsolationState(Isolation.REPEATABLE_READ);
        final WriteSet writes = new WriteSet();
        final TemporaryTables temporaryTables = new TemporaryTables();
        Prober prober = Prober.CANNOT_TELL;
        long snapshot = -1;

        @Override
        public String stateBypass() {
            return stateBypass;
        }

        @Override
        public String schema() {
            return schema;
        }

        @Override
        public boolean inTransaction() {
            return inTransaction;
        }

        @Override
        public Isolation isolation() {
            return isolation.effective();
        }

        @Override
        public long transactionSnapshot() {
            return snapshot;
        }

        @Override
        public WriteSet writeSet() {
            return writes;
        }

        @Override
        public TemporaryTables temporaryTables() {
            return temporaryTables;
        }

        @Override
        public Prober temporaryTableProber() {
            return prober;
        }
    }
}
