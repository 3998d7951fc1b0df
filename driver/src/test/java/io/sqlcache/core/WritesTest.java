package io.sqlcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.sql.SqlAnalyzer;
import io.sqlcache.sql.TableName;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a write bumps and when: {@link WriteTarget} and {@link TransactionWrites}. */
class WritesTest {

    private static final SqlAnalyzer ANALYZER = new SqlAnalyzer(100);
    private static final TableName T = TableName.of("app", "t");
    private static final TableName U = TableName.of("app", "u");

    private final ReadPolicyTest.FakeSession session = new ReadPolicyTest.FakeSession();
    private final TransactionWrites writes = new TransactionWrites();

    @Test
    void aWriteResolvesItsTablesAndNotesTemporaryTables() {
        WriteTarget w = WriteTarget.of(ANALYZER.analyze("UPDATE t SET a = 1"), session);
        assertThat(w.tables()).containsExactly(T);
        assertThat(w.unknown()).isFalse();

        WriteTarget.of(ANALYZER.analyze("CREATE TEMPORARY TABLE tmp (a INT)"), session);
        assertThat(session.temporaryTables.bypass(Set.of(TableName.of("x", "tmp")), t -> false)).isNotNull();
    }

    @Test
    void anUnresolvableNameOrAStoredFunctionMakesTheWriteUnknown() {
        session.schema = null;
        assertThat(WriteTarget.of(ANALYZER.analyze("UPDATE t SET a = 1"), session).unknown()).isTrue();
        assertThat(WriteTarget.of(ANALYZER.analyze("UPDATE other.t SET a = 1"), session).unknown()).isFalse();
        assertThat(WriteTarget.of(ANALYZER.analyze("CALL p()"), session).unknown()).isTrue();
        assertThat(WriteTarget.of(ANALYZER.analyze("SELECT 1"), session).isEmpty()).isTrue();
    }

    @Test
    void inAutocommitAWriteIsBumpedAtOnceWithItsBuckets() {
        WriteTarget w = new WriteTarget(Set.of(T), false, Map.of(T, new long[] {3}));
        assertThat(writes.wrote(w, false)).isSameAs(w);
        assertThat(writes.writeSet().isEmpty()).isTrue();
    }

    @Test
    void inATransactionWritesWaitForTheEndAndAreBumpedWhole() {
        assertThat(writes.wrote(new WriteTarget(Set.of(T), false, Map.of(T, new long[] {3})), true).isEmpty()).isTrue();
        assertThat(writes.wrote(new WriteTarget(Set.of(U), false, Map.of()), true).isEmpty()).isTrue();
        WriteTarget end = writes.ended(false);
        assertThat(end.tables()).containsExactlyInAnyOrder(T, U);
        assertThat(end.buckets()).isEmpty();
        assertThat(writes.ended(false).isEmpty()).isTrue(); // forgotten once bumped
    }

    @Test
    void aRollbackBumpsNothingAndForgetsTheWrites() {
        writes.wrote(new WriteTarget(Set.of(T), true, Map.of()), true);
        assertThat(writes.ended(true).isEmpty()).isTrue();
        assertThat(writes.writeSet().isEmpty()).isTrue();
    }

    @Test
    void aTableBumpedWholeOnOneSideLosesTheOthersBuckets() {
        WriteTarget rows = new WriteTarget(Set.of(T, U), false, Map.of(T, new long[] {1}, U, new long[] {2}));
        WriteTarget whole = new WriteTarget(Set.of(T), false, Map.of());
        WriteTarget both = rows.plus(whole);
        assertThat(both.tables()).containsExactlyInAnyOrder(T, U);
        assertThat(both.buckets()).containsOnlyKeys(U);
        assertThat(whole.plus(rows).buckets()).containsOnlyKeys(U);
        WriteTarget more = rows.plus(new WriteTarget(Set.of(T), false, Map.of(T, new long[] {5, 1})));
        assertThat(more.buckets().get(T)).containsExactly(1, 5);
        assertThat(rows.plus(WriteTarget.UNKNOWN).unknown()).isTrue();
    }
}
