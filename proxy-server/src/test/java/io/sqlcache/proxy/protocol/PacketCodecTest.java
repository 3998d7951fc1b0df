package io.sqlcache.proxy.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PacketCodecTest {

    /** The OK packet of the MySQL documentation (OK_Packet page). */
    private static final byte[] OK_FRAME = Hex.bytes("07 00 00 02 00 00 00 02 00 00 00");

    @Test
    void decodesTheDocumentedOkPacket() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketCodec(1 << 20));
        ch.writeInbound(Unpooled.wrappedBuffer(OK_FRAME));
        Packet p = ch.readInbound();
        assertThat(p.sequenceId()).isEqualTo(2);
        assertThat(p.payload()).containsExactly(Hex.bytes("00 00 00 02 00 00 00"));
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void encodesItBackByteForByte() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketCodec(1 << 20));
        ch.writeOutbound(new Packet(2, Hex.bytes("00 00 00 02 00 00 00")));
        ByteBuf out = ch.readOutbound();
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        assertThat(bytes).containsExactly(OK_FRAME);
    }

    @Test
    void waitsForTruncatedFramesAndSplitsNothingEarly() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketCodec(1 << 20));
        // the documented text result set of "select @@version_comment limit 1", fed one byte at a time
        byte[] stream = Hex.bytes("01 00 00 01 01 05 00 00 03 fe 00 00 02 00");
        for (byte b : stream) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        Packet first = ch.readInbound();
        Packet second = ch.readInbound();
        assertThat(first.sequenceId()).isEqualTo(1);
        assertThat(first.payload()).containsExactly(1);
        assertThat(second.sequenceId()).isEqualTo(3);
        assertThat(EofPacket.parse(second.payload())).isEqualTo(new EofPacket(0, 2));
    }

    @Test
    void joinsAndSplitsPacketsOf16MiB() {
        for (int length : new int[] {Packet.MAX_FRAME - 1, Packet.MAX_FRAME, Packet.MAX_FRAME + 1, 2 * Packet.MAX_FRAME}) {
            byte[] payload = new byte[length];
            for (int i = 0; i < length; i++) {
                payload[i] = (byte) (i * 31 + 7);
            }
            EmbeddedChannel out = new EmbeddedChannel(new PacketCodec(64 << 20));
            out.writeOutbound(new Packet(254, payload));
            ByteBuf wire = out.readOutbound();
            int frames = Packet.frames(length);
            assertThat(wire.readableBytes()).as("length %d", length).isEqualTo(length + 4 * frames);
            // sequence ids of the frames are consecutive and wrap after 255
            assertThat(wire.getUnsignedByte(3)).isEqualTo((short) 254);
            if (frames > 1) {
                assertThat(wire.getUnsignedMediumLE(0)).isEqualTo(Packet.MAX_FRAME);
                assertThat(wire.getUnsignedByte(4 + Packet.MAX_FRAME + 3)).isEqualTo((short) 255);
            }
            EmbeddedChannel in = new EmbeddedChannel(new PacketCodec(64 << 20));
            in.writeInbound(wire);
            Packet p = in.readInbound();
            assertThat(p.sequenceId()).isEqualTo(254);
            assertThat(p.frames()).isEqualTo(frames);
            assertThat(p.nextSequenceId()).isEqualTo((254 + frames) & 0xFF);
            assertThat(Arrays.equals(p.payload(), payload)).as("length %d", length).isTrue();
            assertThat((Object) in.readInbound()).isNull();
        }
    }

    @Test
    void refusesAPacketOverTheLimitBeforeBufferingIt() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketCodec(1024));
        // a header announcing 1025 bytes: refused at once, without waiting for them
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(Hex.bytes("01 04 00 00 03"))))
                .isInstanceOf(TooLongFrameException.class);
        EmbeddedChannel ok = new EmbeddedChannel(new PacketCodec(1024));
        ok.writeInbound(Unpooled.wrappedBuffer(Hex.bytes("00 04 00 00"), new byte[1024]));
        assertThat(((Packet) ok.readInbound()).payload()).hasSize(1024);
    }
}
