package io.sqlcache.proxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageCodec;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * The only place that knows the framing: a 3-byte little-endian payload length and a one-byte
 * sequence id before every frame; payloads of 16 MiB - 1 bytes or more are split into frames
 * of that size followed by a shorter one (possibly empty), with consecutive sequence ids.
 * Decoding joins such frames into one {@link Packet}; encoding splits them again.
 *
 * <p>One instance per channel (it keeps the frames of a packet being joined); not sharable.
 *
 * @see <a href="https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_basic_packets.html">Sending more than 16 MiB</a>
 */
public final class PacketCodec extends ByteToMessageCodec<Packet> {

    private final int maxPacketBytes;
    /** Frames of a packet longer than one frame, joined so far; null between packets. */
    private byte[] joined;
    private int firstSequenceId;

    /**
     * @param maxPacketBytes the largest joined payload accepted; a longer one fails the channel
     *                       with {@link TooLongFrameException} before it is buffered
     */
    public PacketCodec(int maxPacketBytes) {
        if (maxPacketBytes < 1) {
            throw new IllegalArgumentException("max packet bytes must be positive: " + maxPacketBytes);
        }
        this.maxPacketBytes = maxPacketBytes;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Packet packet, ByteBuf out) {
        write(packet, out);
    }

    /** Writes {@code packet} as frames to {@code out}. */
    public static void write(Packet packet, ByteBuf out) {
        byte[] p = packet.payload();
        int seq = packet.sequenceId();
        int offset = 0;
        while (true) {
            int n = Math.min(Packet.MAX_FRAME, p.length - offset);
            out.writeMediumLE(n);
            out.writeByte(seq);
            out.writeBytes(p, offset, n);
            offset += n;
            seq = (seq + 1) & 0xFF;
            if (n < Packet.MAX_FRAME) {
                return;
            }
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws TooLongFrameException {
        while (in.readableBytes() >= 4) {
            int start = in.readerIndex();
            int length = in.getUnsignedMediumLE(start);
            int seq = in.getUnsignedByte(start + 3);
            long total = (joined == null ? 0 : joined.length) + (long) length;
            if (total > maxPacketBytes) {
                // refuse before buffering: a forged length must not make us wait for (or hold) gigabytes
                in.skipBytes(in.readableBytes());
                joined = null;
                throw new TooLongFrameException("packet of " + total + " bytes exceeds the limit of " + maxPacketBytes);
            }
            if (in.readableBytes() < 4 + length) {
                return;
            }
            in.skipBytes(4);
            byte[] frame = new byte[length];
            in.readBytes(frame);
            if (joined == null && length < Packet.MAX_FRAME) {
                out.add(new Packet(seq, frame));
                continue;
            }
            if (joined == null) {
                joined = frame;
                firstSequenceId = seq;
            } else {
                byte[] all = new byte[joined.length + length];
                System.arraycopy(joined, 0, all, 0, joined.length);
                System.arraycopy(frame, 0, all, joined.length, length);
                joined = all;
            }
            if (length < Packet.MAX_FRAME) {
                out.add(new Packet(firstSequenceId, joined));
                joined = null;
            }
        }
    }
}
