package io.sqlcache.invalidate;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.sql.SqlAnalyzer;
import io.sqlcache.sql.TableName;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a catalog implies, with the real analyzer and catalog rows as MariaDB 10.11 prints them. */
class SchemaModelTest {

    private final SqlAnalyzer analyzer = new SqlAnalyzer(100);

    private SchemaModel model(List<CatalogReader.ViewRow> views, List<CatalogReader.TriggerRow> triggers,
            List<CatalogReader.CascadeRow> cascades, boolean triggersVisible) {
        return SchemaModel.build("s", 0, 0, new CatalogReader.Catalog(views, triggers, cascades, triggersVisible),
                analyzer::analyze);
    }

    private static CatalogReader.ViewRow view(String name, String definition) {
        return new CatalogReader.ViewRow(TableName.of("s", name), definition);
    }

    private static CatalogReader.TriggerRow trigger(String table, String body) {
        return new CatalogReader.TriggerRow(TableName.of("s", table), "s", "trg_" + table, body);
    }

    @Test
    void aViewReadsTheTablesOfItsDefinitionResolvedInItsOwnSchema() {
        SchemaModel m = model(List.of(
                view("v", "select `s`.`t`.`id` AS `id` from `s`.`t` join `other`.`u` on(1)"),
                view("w", "select id from t2")), List.of(), List.of(), true);
        assertThat(m.view("v").reads()).containsExactlyInAnyOrder(TableName.of("s", "t"), TableName.of("other", "u"));
        assertThat(m.view("v").bypass()).isNull();
        assertThat(m.view("w").reads()).containsExactly(TableName.of("s", "t2"));
        assertThat(m.view("t")).as("a base table is no view").isNull();
    }

    @Test
    void aViewThatCannotBeCachedSaysWhy() {
        SchemaModel m = model(List.of(
                view("r", "select rand() AS `r` from `s`.`t`"),
                view("f", "select `s`.`my_fn`(1) AS `x`"),
                view("hidden", ""),
                view("sys", "select `user` from `mysql`.`user`")), List.of(), List.of(), true);
        assertThat(m.view("r").bypass()).contains("RAND");
        assertThat(m.view("r").reads()).containsExactly(TableName.of("s", "t"));
        assertThat(m.view("f").bypass()).contains("function");
        assertThat(m.view("hidden").bypass()).contains("not visible");
        assertThat(m.view("sys").bypass()).contains("system schema");
    }

    @Test
    void aSingleStatementTriggerWritesItsTargetInTheTriggersSchema() {
        SchemaModel m = model(List.of(), List.of(
                trigger("t", "INSERT INTO audit VALUES (NEW.id, 'ins')"),
                trigger("t", "UPDATE other.counts SET n = n + 1 WHERE k = NEW.k"),
                trigger("u", "SET NEW.x = NEW.x * 2")), List.of(), true);
        assertThat(m.triggers("t").unknown()).isFalse();
        assertThat(m.triggers("t").tables()).containsExactlyInAnyOrder(TableName.of("s", "audit"),
                TableName.of("other", "counts"));
        assertThat(m.triggers("u").unknown()).isFalse();
        assertThat(m.triggers("u").tables()).isEmpty();
        assertThat(m.triggers("none")).isNull();
    }

    @Test
    void aTriggerWeCannotFollowWritesUnknownTables() {
        SchemaModel m = model(List.of(), List.of(
                trigger("a", "BEGIN INSERT INTO audit VALUES (NEW.id); END"),
                trigger("b", "CALL p(NEW.id)"),
                trigger("c", "SET NEW.x = my_fn(NEW.x)"),
                trigger("d", "INSERT INTO audit VALUES (my_fn(NEW.id))"),
                trigger("e", null)), List.of(), true);
        for (String t : List.of("a", "b", "c", "d", "e")) {
            assertThat(m.triggers(t).unknown()).as("trigger on " + t).isTrue();
            assertThat(m.triggers(t).why()).isNotBlank();
        }
    }

    @Test
    void namesThatDifferOnlyInCaseAreMergedConservatively() {
        SchemaModel m = model(List.of(view("V", "select a from `s`.`t1`"), view("v", "select rand() AS r from `s`.`t2`")),
                List.of(trigger("T", "INSERT INTO x VALUES (1)"), trigger("t", "CALL p()")), List.of(), true);
        assertThat(m.view("v").reads()).containsExactlyInAnyOrder(TableName.of("s", "t1"), TableName.of("s", "t2"));
        assertThat(m.view("v").bypass()).contains("RAND");
        assertThat(m.triggers("t").unknown()).isTrue();
    }

    @Test
    void cascadesAreIndexedByParent() {
        SchemaModel m = model(List.of(), List.of(), List.of(
                new CatalogReader.CascadeRow(TableName.of("s", "p"), TableName.of("s", "c1")),
                new CatalogReader.CascadeRow(TableName.of("s", "p"), TableName.of("x", "c2"))), false);
        assertThat(m.cascades("p")).containsExactlyInAnyOrder(TableName.of("s", "c1"), TableName.of("x", "c2"));
        assertThat(m.cascades("c1")).isEmpty();
        assertThat(m.triggersVisible()).isFalse();
    }
}
