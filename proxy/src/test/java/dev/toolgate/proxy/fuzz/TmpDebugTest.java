package dev.toolgate.proxy.fuzz;

import dev.toolgate.proxy.anthropic.AnthropicStreamRewriter;
import dev.toolgate.proxy.openai.ChatStreamRewriter;
import dev.toolgate.proxy.openai.ResponsesStreamRewriter;
import dev.toolgate.proxy.stream.StreamRewriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TmpDebugTest {
    @Test
    void debug() throws Exception {
        byte[] input = Files.readAllBytes(Path.of(System.getProperty("debug.input")));
        URI url = URI.create("https://t.example");
        String kind = System.getProperty("debug.kind");
        StreamRewriter rewriter = switch (kind) {
            case "chat" -> new ChatStreamRewriter(new GovernedDecider(), "_toolgate", url, RelayRun.MAX_ARGUMENT_BYTES, "v");
            case "responses" -> new ResponsesStreamRewriter(new GovernedDecider(), RelayRun.MAX_ARGUMENT_BYTES, "v", "_toolgate", url);
            default -> new AnthropicStreamRewriter(new GovernedDecider(), "_toolgate", url, RelayRun.MAX_ARGUMENT_BYTES, "v");
        };
        SplitInput split = SplitInput.of(input);
        System.out.println("INPUT cuts=" + java.util.Arrays.toString(split.cuts()));
        RelayRun.decode(split.stream()).forEach(e -> System.out.println("IN " + e.event() + " | " + e.data()));
        RelayRun run = RelayRun.of(rewriter, input);
        run.events().forEach(e -> System.out.println("OUT " + e.event() + " | " + e.data()));
        System.out.println("CALLS " + switch (kind) {
            case "chat" -> ClientCalls.chatStream(run.events());
            case "responses" -> ClientCalls.responsesStream(run.events());
            default -> ClientCalls.anthropicStream(run.events());
        });
    }
}
