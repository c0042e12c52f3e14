package dev.toolgate.proxy.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.toolgate.proxy.openai.chat.ChatStreamRewriter;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * Any Chat Completions event stream (the SSE decoder and the stream rewriter behind the real
 * relay), read in any cuts: nothing throws, nothing leaks, the response ends, and the client never
 * assembles a call to {@value GovernedDecider#BLOCKED}. Seeds: the fixtures in
 * {@code src/test/resources/fixtures} and variants, in {@code ChatStreamFuzzTestInputs/}.
 */
class ChatStreamFuzzTest {
    private static final URI PUBLIC_URL = URI.create("https://toolgate.example");

    private static ChatStreamRewriter rewriter() {
        return new ChatStreamRewriter(new GovernedDecider(), "_toolgate", PUBLIC_URL, RelayRun.MAX_ARGUMENT_BYTES);
    }

    @FuzzTest
    void blockedCallsNeverReachTheClient(byte[] input) {
        RelayRun run = RelayRun.of(rewriter(), input);

        assertThat(ClientCalls.chatStream(run.events())).doesNotContain(GovernedDecider.BLOCKED);
    }

    /** The check is not vacuous: on the upstream's own stream it finds the call the rewriter withholds. */
    @Test
    void theCheckFindsTheBlockedCallInTheUpstreamStream() {
        byte[] upstream = RelayRun.fixture("chat-two-tool-calls.sse");

        assertThat(ClientCalls.chatStream(RelayRun.decode(upstream))).containsExactly("get_weather", GovernedDecider.BLOCKED);
        assertThat(ClientCalls.chatStream(RelayRun.of(rewriter(), SplitInput.seed(upstream)).events())).containsExactly("get_weather");
    }
}
