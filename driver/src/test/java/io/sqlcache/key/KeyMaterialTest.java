package io.sqlcache.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.util.Calendar;
import java.util.HashSet;
import java.util.Set;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

class KeyMaterialTest {

    private static KeyMaterial key(String sql, ParamValue... params) {
        return KeyMaterial.of(sql, params, "test", "root", "UTC", "jdbc:mysql://h/test");
    }

    @Test
    void sameInputsSameKey() {
        KeyMaterial a = key("SELECT 1 FROM t WHERE id = ?", ParamValue.ofLong('I', 42));
        KeyMaterial b = key("SELECT 1 FROM t WHERE id = ?", ParamValue.ofLong('I', 42));
        assertThat(a.hash()).isEqualTo(b.hash()).hasSize(32);
        assertThat(KeyMaterial.matches(a, b.bytes())).isTrue();
    }

    @Test
    void everyComponentChangesTheKey() {
        Set<String> hashes = new HashSet<>();
        hashes.add(key("SELECT 1 FROM t WHERE id = ?", ParamValue.ofLong('I', 42)).hash());
        hashes.add(key("SELECT 1 FROM t WHERE id = ?", ParamValue.ofLong('I', 43)).hash());
        hashes.add(key("SELECT 1 FROM t WHERE id = ?", ParamValue.ofLong('J', 42)).hash());
        hashes.add(key("SELECT 1 FROM t WHERE id = ?", ParamValue.ofString('s', "42")).hash());
        hashes.add(key("SELECT 1 FROM t WHERE id = ?", ParamValue.ofNull(java.sql.Types.INTEGER)).hash());
        hashes.add(key("SELECT 1 FROM t WHERE id =  ?", ParamValue.ofLong('I', 42)).hash());
        hashes.add(KeyMaterial.of("SELECT 1 FROM t WHERE id = ?", new ParamValue[] {ParamValue.ofLong('I', 42)},
                "other", "root", "UTC", "jdbc:mysql://h/test").hash());
        hashes.add(KeyMaterial.of("SELECT 1 FROM t WHERE id = ?", new ParamValue[] {ParamValue.ofLong('I', 42)},
                "test", "alice", "UTC", "jdbc:mysql://h/test").hash());
        hashes.add(KeyMaterial.of("SELECT 1 FROM t WHERE id = ?", new ParamValue[] {ParamValue.ofLong('I', 42)},
                "test", "root", "+02:00", "jdbc:mysql://h/test").hash());
        assertThat(hashes).hasSize(9);
    }

    @Test
    void fieldBoundariesAreUnambiguous() {
        // "ab" + "c" must not equal "a" + "bc"
        KeyMaterial a = KeyMaterial.of("q", new ParamValue[0], "ab", "c");
        KeyMaterial b = KeyMaterial.of("q", new ParamValue[0], "a", "bc");
        KeyMaterial c = KeyMaterial.of("q", new ParamValue[] {ParamValue.ofString('s', "x")}, "y");
        KeyMaterial d = KeyMaterial.of("q", new ParamValue[] {ParamValue.ofString('s', "xy")});
        assertThat(a.hash()).isNotEqualTo(b.hash());
        assertThat(c.hash()).isNotEqualTo(d.hash());
        assertThat(KeyMaterial.of("q", new ParamValue[0], (String) null).hash())
                .isNotEqualTo(KeyMaterial.of("q", new ParamValue[0], "").hash());
    }

    @Test
    void objectParametersKeepExactValueAndCalendar() {
        Timestamp ts = Timestamp.valueOf("2024-01-02 03:04:05.123456789");
        Timestamp other = Timestamp.valueOf("2024-01-02 03:04:05.123456788");
        assertThat(key("q", ParamValue.ofObject(ts, null, null)).hash())
                .isNotEqualTo(key("q", ParamValue.ofObject(other, null, null)).hash());
        Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
        Calendar tokyo = Calendar.getInstance(TimeZone.getTimeZone("Asia/Tokyo"));
        assertThat(key("q", ParamValue.ofObject(ts, utc, null)).hash())
                .isNotEqualTo(key("q", ParamValue.ofObject(ts, tokyo, null)).hash());
        assertThat(key("q", ParamValue.ofObject(new BigDecimal("1.0"), null, null)).hash())
                .isNotEqualTo(key("q", ParamValue.ofObject(new BigDecimal("1.00"), null, null)).hash());
    }

    @Test
    void streamsAndUnknownObjectsAreNotKeyMaterial() {
        assertThat(ParamValue.ofObject(new java.io.ByteArrayInputStream(new byte[1]), null, null)).isNull();
        assertThat(ParamValue.ofObject(new Object(), null, null)).isNull();
    }
    @Test
    void aReusedPrefixGivesTheSameKeyAsBuildingItAnew() {
        KeyMaterial.Prefix prefix = KeyMaterial.Prefix.of("SELECT a FROM t WHERE id = ? AND b = ?", 2, "test", "root");
        ParamValue[] params = {ParamValue.ofLong('I', 7), ParamValue.ofString('s', "x")};
        KeyMaterial reused = prefix.with(params);
        KeyMaterial fresh = KeyMaterial.of("SELECT a FROM t WHERE id = ? AND b = ?", params, "test", "root");
        assertThat(reused.hash()).isEqualTo(fresh.hash());
        assertThat(reused.bytes()).isEqualTo(fresh.bytes());
        assertThat(KeyMaterial.matches(reused, fresh.bytes())).isTrue();
        assertThat(prefix.sameAs("SELECT a FROM t WHERE id = ? AND b = ?", 2, "test", "root")).isTrue();
        assertThat(prefix.sameAs("SELECT a FROM t WHERE id = ? AND b = ?", 2, "test", "alice")).isFalse();
        assertThat(prefix.sameAs("SELECT a FROM t WHERE id = ? AND b = ?", 2, "test")).isFalse();
        assertThat(prefix.sameAs("SELECT a FROM t WHERE id = ?", 2, "test", "root")).isFalse();
        assertThat(KeyMaterial.Prefix.reusing(prefix, "SELECT a FROM t WHERE id = ? AND b = ?", 2, "test", "root"))
                .isSameAs(prefix);
        assertThat(KeyMaterial.Prefix.reusing(prefix, "SELECT a FROM t WHERE id = ? AND b = ?", 2, "test", "alice")
                .with(params).hash()).isNotEqualTo(reused.hash());
        assertThatThrownBy(() -> prefix.with(new ParamValue[] {ParamValue.ofLong('I', 7)}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void storedMaterialMatchesOnlyWhenEveryPartIsEqual() {
        KeyMaterial k = key("SELECT 1 FROM t WHERE id = ?", ParamValue.ofLong('I', 42));
        byte[] stored = k.bytes();
        assertThat(KeyMaterial.matches(k, stored)).isTrue();
        for (int i = 0; i < stored.length; i++) {
            byte[] changed = stored.clone();
            changed[i] ^= 1;
            assertThat(KeyMaterial.matches(k, changed)).as("byte %d changed", i).isFalse();
        }
        assertThat(KeyMaterial.matches(k, java.util.Arrays.copyOf(stored, stored.length + 1))).isFalse();
        assertThat(KeyMaterial.matches(k, java.util.Arrays.copyOf(stored, stored.length - 1))).isFalse();
    }
}
