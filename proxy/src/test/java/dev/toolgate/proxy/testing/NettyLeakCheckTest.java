package dev.toolgate.proxy.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak check itself must be able to fail: a buffer dropped without release is reported. */
class NettyLeakCheckTest {

    @Test
    void anUnreleasedBufferIsReported() throws InterruptedException {
        leakOneBuffer();

        assertThat(NettyLeakCheck.collectLeaks()).anySatisfy(report -> assertThat(report).contains("ByteBuf"));
    }

    @Test
    void aReleasedBufferIsNot() throws InterruptedException {
        NettyLeakCheck.collectLeaks();
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(16);
        buffer.writeLong(42);
        buffer.release();

        assertThat(NettyLeakCheck.collectLeaks()).isEmpty();
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(16);
        leaked.writeLong(7);
    }
}
