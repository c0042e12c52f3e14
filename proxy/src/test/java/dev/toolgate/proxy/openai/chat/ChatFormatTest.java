package dev.toolgate.proxy.openai.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ChatFormat#mayHoldCalls}: the byte check that lets a text answer skip the parser. It must
 * say "may" wherever a marker's bytes appear, at any offset and across the parts of a composed
 * buffer, and "no" only where none does.
 */
class ChatFormatTest {
    private final ChatFormat format = new ChatFormat();

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"tool_calls\":[]}",
            "tool_calls",
            "{\"function_call\":{}}",
            "xfunction_call",
            "{\"content\":\"\\u0074ool_calls\"}",
            "\\u",
            // A partial match that restarts on the marker's first byte.
            "ttool_calls", "tool_tool_calls", "functionfunction_call", "\\\\u",
    })
    void aMarkerAnywhereSendsTheAnswerToTheParser(String body) {
        assertThat(mayHoldCalls(buffer(body))).isTrue();
        assertThat(mayHoldCalls(splitEverywhere(body))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"content\":\"The total of the function is 5; call the tool to fetch the file.\"}",
            "tool_call", "tool_callx", "function_cal", "functions_call", "tool calls", "\\n\\t\\\"", "",
    })
    void noMarkerLetsItPass(String body) {
        assertThat(mayHoldCalls(buffer(body))).isFalse();
        assertThat(mayHoldCalls(splitEverywhere(body))).isFalse();
    }

    @Test
    void zeroBytesAtTheStartMeanAnotherEncoding() {
        byte[] utf16 = "{\"tool_calls\":[]}".getBytes(StandardCharsets.UTF_16BE);
        assertThat(mayHoldCalls(Unpooled.wrappedBuffer(utf16))).isTrue();
    }

    @Test
    void onlyTheReadableBytesAreScanned() {
        ByteBuf body = buffer("tool_calls{\"content\":\"hi\"}");
        body.skipBytes("tool_calls".length());
        assertThat(mayHoldCalls(body)).isFalse();
    }

    /** Random text over the markers' own letters, checked against a plain substring search. */
    @Test
    void agreesWithASubstringSearch() {
        Random random = new Random(20261122);
        String alphabet = "tool_calsfuni\\ \"{}";
        for (int run = 0; run < 20_000; run++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (random.nextInt(4) == 0) {
                String[] markers = {"tool_calls", "function_call", "\\u"};
                text.insert(random.nextInt(text.length() + 1), markers[random.nextInt(markers.length)]);
            }
            String body = text.toString();
            boolean expected = body.contains("tool_calls") || body.contains("function_call") || body.contains("\\u");
            assertThat(mayHoldCalls(buffer(body))).as(body).isEqualTo(expected);
            assertThat(mayHoldCalls(splitEverywhere(body))).as(body).isEqualTo(expected);
        }
    }

    /** Asks, then releases the buffer. */
    private boolean mayHoldCalls(ByteBuf body) {
        try {
            return format.mayHoldCalls(body);
        } finally {
            body.release();
        }
    }

    private static ByteBuf buffer(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(UTF_8));
    }

    /** One component per byte: every marker straddles a boundary. */
    private static ByteBuf splitEverywhere(String text) {
        byte[] bytes = text.getBytes(UTF_8);
        CompositeByteBuf composite = Unpooled.compositeBuffer(Math.max(2, bytes.length));
        for (byte b : bytes) {
            composite.addComponent(true, Unpooled.wrappedBuffer(new byte[] {b}));
        }
        return composite;
    }
}
