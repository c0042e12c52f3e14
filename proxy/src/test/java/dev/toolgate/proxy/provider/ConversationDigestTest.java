package dev.toolgate.proxy.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.proxy.arguments.CanonicalArguments;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConversationDigestTest {
    private static final String CONVERSATION = "\"instructions\":\"be brief\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    @Test
    void isTheDigestOfTheConversationReadFromTheRequestsBytesOnFirstUse() {
        ByteBuf body = bytes("{\"model\":\"gpt-4o\",\"temperature\":1," + CONVERSATION + ",\"stream\":false}");
        AtomicInteger reads = new AtomicInteger();
        ConversationDigest digest = new ConversationDigest(() -> {
            reads.incrementAndGet();
            return body;
        });
        assertThat(reads).hasValue(0);

        // Approvals are stored with this value: it must not change between versions of the gateway.
        assertThat(digest.get()).isEqualTo(CanonicalArguments.sha256("{" + CONVERSATION + "}"));
        assertThat(digest.get()).isEqualTo(digest.get());
        assertThat(reads).hasValue(1);
        assertThat(body.readableBytes()).as("not consumed").isGreaterThan(0);
        body.release();
    }

    @Test
    void onlyTheConversationCountsNotTheModelOrTheSettings() {
        String same = digestOf("{\"model\":\"a\"," + CONVERSATION + "}");
        String otherSettings = digestOf("{" + CONVERSATION + ",\"model\":\"b\",\"top_p\":0.5}");
        String otherMessages = digestOf(
                "{\"model\":\"a\",\"instructions\":\"be brief\",\"messages\":[{\"role\":\"user\",\"content\":\"hi!\"}]}");

        assertThat(otherSettings).isEqualTo(same);
        assertThat(otherMessages).isNotEqualTo(same);
    }

    private static String digestOf(String request) {
        ByteBuf body = bytes(request);
        try {
            return new ConversationDigest(() -> body).get();
        } finally {
            body.release();
        }
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }
}
