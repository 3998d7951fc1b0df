package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.resource.Transports;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which event loops {@link LoopLanes} takes. Netty 4.2 made every I/O loop group a
 * {@code MultiThreadIoEventLoopGroup} told apart by its I/O handler: a check by class would
 * turn the proxy's lanes off without a word.
 */
class LoopLanesTest {

    private static String whyNot(EventLoopGroup loops) {
        try {
            return LoopLanes.whyNot(NioSocketChannel.class, loops);
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    @Test
    void lettuceIsOnNioHere() {
        // no native transport on the test class path, as in the shaded driver: lanes are possible
        assertThat(Transports.socketChannelClass()).isEqualTo(NioSocketChannel.class);
    }

    @Test
    void nioLoopsInNetty42sFormTakeLanes() {
        assertThat(whyNot(new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory()))).isNull();
    }

    @Test
    @SuppressWarnings("deprecation")
    void theDeprecatedNioEventLoopGroupStillTakesLanes() {
        assertThat(whyNot(new NioEventLoopGroup(2))).isNull();
    }

    @Test
    void loopsOfAnotherIoHandlerAreRefusedWithTheirClass() {
        assertThat(whyNot(new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory())))
                .startsWith("not an NIO event loop: ");
    }

    @Test
    @SuppressWarnings("deprecation")
    void loopsWithoutIoAreRefused() {
        assertThat(whyNot(new DefaultEventLoopGroup(1))).startsWith("not an NIO event loop: ");
    }

    @Test
    void lettuceOnAnotherTransportIsRefusedWhateverTheLoops() {
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            assertThat(LoopLanes.whyNot(LocalChannel.class, nio)).contains(LocalChannel.class.getName())
                    .contains("lanes need NIO");
        } finally {
            nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
