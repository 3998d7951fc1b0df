package io.sqlcache.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionVariablesTest {

    @Test
    void namesUntrackedSessionAssignments() {
        assertThat(SessionVariables.untrackedAssignedBy("SET max_join_size = 1")).containsExactly("max_join_size");
        assertThat(SessionVariables.untrackedAssignedBy("set @@session.OLD_MODE='a,b', @@big_tables := 1"))
                .containsExactly("big_tables", "old_mode");
        assertThat(SessionVariables.untrackedAssignedBy("SET LOCAL x1 = (SELECT 1, 2), SESSION y = 'p,z=1'"))
                .containsExactly("x1", "y");
        assertThat(SessionVariables.untrackedAssignedBy("SET @u = 1, v = @u")).containsExactly("v");
    }

    @Test
    void ignoresWhatIsTrackedHarmlessGlobalOrNotAnAssignment() {
        assertThat(SessionVariables.untrackedAssignedBy("SET time_zone = '+00:00', sql_mode = 'a,b'")).isEmpty();
        assertThat(SessionVariables.untrackedAssignedBy("SET wait_timeout = 10")).isEmpty();
        assertThat(SessionVariables.untrackedAssignedBy("SET GLOBAL max_join_size = 1")).isEmpty();
        assertThat(SessionVariables.untrackedAssignedBy("SET @@global.max_join_size = 1")).isEmpty();
        assertThat(SessionVariables.untrackedAssignedBy("SET NAMES utf8mb4 COLLATE utf8mb4_bin")).isEmpty();
        assertThat(SessionVariables.untrackedAssignedBy("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")).isEmpty();
        assertThat(SessionVariables.untrackedAssignedBy("SET STATEMENT max_join_size=1 FOR SELECT 1")).isEmpty();
        assertThat(SessionVariables.untrackedAssignedBy("SET @a = 1")).isEmpty();
        assertThat(SessionVariables.untrackedAssignedBy("SELECT 1")).isEmpty();
    }
}
