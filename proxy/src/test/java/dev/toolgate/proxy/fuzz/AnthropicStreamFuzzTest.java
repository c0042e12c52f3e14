package dev.toolgate.proxy.fuzz;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.toolgate.proxy.anthropic.AnthropicStreamRewriter;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * Any Anthropic Messages event stream through the real relay and the Messages stream rewriter,
 * read in any cuts: nothing throws, nothing leaks, the response ends, and no {@code tool_use}
 * block for {@value GovernedDecider#BLOCKED} reaches the client.
 */
class AnthropicStreamFuzzTest {
    private static final URI PUBLIC_URL = URI.create("https://toolgate.example");

    private static AnthropicStreamRewriter rewriter() {
        return new AnthropicStreamRewriter(new GovernedDecider(), "_toolgate", PUBLIC_URL, RelayRun.MAX_ARGUMENT_BYTES);
    }

    @FuzzTest
    void blockedCallsNeverReachTheClient(byte[] input) {
        RelayRun run = RelayRun.of(rewriter(), input);

        assertThat(ClientCalls.anthropicStream(run.events())).doesNotContain(GovernedDecider.BLOCKED);
    }

    /** The check is not vacuous: on the upstream's own stream it finds the call the rewriter withholds. */
    @Test
    void theCheckFindsTheBlockedCallInTheUpstreamStream() {
        byte[] upstream = new String(RelayRun.fixture("anthropic-text-then-tool-use.sse"), UTF_8)
                .replace("\"run_shell\"", "\"" + GovernedDecider.BLOCKED + "\"").getBytes(UTF_8);

        assertThat(ClientCalls.anthropicStream(RelayRun.decode(upstream))).containsExactly(GovernedDecider.BLOCKED);
        assertThat(ClientCalls.anthropicStream(RelayRun.of(rewriter(), SplitInput.seed(upstream)).events())).isEmpty();
    }
}
