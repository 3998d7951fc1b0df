package io.sqlcache.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The proxy's raw entries: a format of their own that neither decoder confuses with the other. */
class RawEntryCodecTest {

    private final EntryCodec codec = new EntryCodec();

    private static RawEntry sample() {
        return new RawEntry(new byte[] {1, 2, 3}, new long[] {42L, -7L},
                List.of(new byte[] {1}, new byte[0], new byte[] {(byte) 0xfe, 0, 0, 2, 0}));
    }

    @Test
    void roundTrips() throws CodecException {
        RawEntry back = codec.decodeRaw(codec.encodeRaw(sample()));
        assertThat(back.keyMaterial()).containsExactly(1, 2, 3);
        assertThat(back.versions()).containsExactly(42L, -7L);
        assertThat(back.packets()).hasSize(3);
        assertThat(back.packets().get(2)).containsExactly((byte) 0xfe, 0, 0, 2, 0);
        assertThat(back.packets().get(1)).isEmpty();
    }

    @Test
    void everyTruncationAndTrailingByteIsRefused() {
        byte[] bytes = codec.encodeRaw(sample());
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> codec.decodeRaw(cut)).as("cut at %d", n).isInstanceOf(CodecException.class);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> codec.decodeRaw(longer)).isInstanceOf(CodecException.class);
    }

    @Test
    void forgedLengthsAreRefusedBeforeAllocating() {
        byte[] bytes = codec.encodeRaw(sample());
        bytes[EntryCodec.HEADER_LENGTH] = 0x7f; // key material length of about 2 GB
        assertThatThrownBy(() -> codec.decodeRaw(bytes)).isInstanceOf(CodecException.class).hasMessageContaining("exceeds");
    }

    @Test
    void driverAndProxyEntriesAreNeverMistakenForEachOther() {
        byte[] raw = codec.encodeRaw(sample());
        assertThatThrownBy(() -> codec.decode(raw)).isInstanceOf(CodecException.class);
        byte[] driver = codec.encode(new CacheEntry(new byte[] {1}, new long[] {1}, 0,
                new CachedRows(List.of(), List.of(), List.of())));
        assertThatThrownBy(() -> codec.decodeRaw(driver)).isInstanceOf(CodecException.class);
    }
}
