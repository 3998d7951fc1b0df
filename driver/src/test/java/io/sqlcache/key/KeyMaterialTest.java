package io.sqlcache.key;

import static org.assertj.core.api.Assertions.assertThat;

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
}
