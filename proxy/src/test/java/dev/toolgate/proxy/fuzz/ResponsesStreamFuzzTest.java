package dev.toolgate.proxy.fuzz;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.toolgate.proxy.openai.responses.ResponsesStreamRewriter;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * Any Responses API event stream through the real relay and the Responses stream rewriter, read
 * in any cuts: nothing throws, nothing leaks, the response ends, and no call item to
 * {@value GovernedDecider#BLOCKED} reaches the client, in an item event or a response snapshot.
 */
class ResponsesStreamFuzzTest {
    private static final URI PUBLIC_URL = URI.create("https://toolgate.example");

    private static ResponsesStreamRewriter rewriter() {
        return new ResponsesStreamRewriter(new GovernedDecider(), RelayRun.MAX_ARGUMENT_BYTES, "_toolgate", PUBLIC_URL);
    }

    @FuzzTest
    void blockedCallsNeverReachTheClient(byte[] input) {
        RelayRun run = RelayRun.of(rewriter(), input);

        assertThat(ClientCalls.responsesStream(run.events())).doesNotContain(GovernedDecider.BLOCKED);
    }

    /** The check is not vacuous: on the upstream's own stream it finds the call the rewriter withholds. */
    @Test
    void theCheckFindsTheBlockedCallInTheUpstreamStream() {
        byte[] upstream = new String(RelayRun.fixture("responses-function-call.sse"), UTF_8)
                .replace("\"wire_transfer\"", "\"" + GovernedDecider.BLOCKED + "\"").getBytes(UTF_8);

        assertThat(ClientCalls.responsesStream(RelayRun.decode(upstream))).isNotEmpty().containsOnly(GovernedDecider.BLOCKED);
        assertThat(ClientCalls.responsesStream(RelayRun.of(rewriter(), SplitInput.seed(upstream)).events())).isEmpty();
    }
}
