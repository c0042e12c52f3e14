package dev.toolgate.proxy.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.StopReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.server.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Non-streaming Messages responses after their calls were decided by the real evaluator: what is replaced, what stays. */
class AnthropicRewriterTest {
    private static final String TEXT = "{\"type\":\"text\",\"text\":\"I'll check the file, then deploy.\",\"citations\":null}";
    private static final String READ = "{\"type\":\"tool_use\",\"id\":\"toolu_read\",\"name\":\"read_file\","
            + "\"input\":{\"path\":\"/notes/café.md\",\"limit\":1.50E+3}}";
    private static final String SHELL = "{\"type\":\"tool_use\",\"id\":\"toolu_shell\",\"name\":\"run_shell\","
            + "\"input\":{\"command\":\"terraform apply -auto-approve\"}}";
    private static final String WIRE = "{\"type\":\"tool_use\",\"id\":\"toolu_wire\",\"name\":\"wire_transfer\",\"input\":{\"amount\":250000}}";

    /** The upstream body, parsed as the endpoint parses it, with every call decided. */
    private record Rewritten(JsonNode original, JsonNode body, String text, byte[] bytes, AnthropicMessage parsed,
                             List<GatedCall> gated) {
        JsonNode block(int index) {
            return body.path("content").get(index);
        }
    }

    private static String response(String... blocks) {
        return "{\"id\":\"msg_01Xk9\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\","
                + "\"content\":[" + String.join(",", blocks) + "],\"stop_reason\":\"tool_use\",\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":412,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
                + "\"output_tokens\":58,\"service_tier\":\"standard\"},\"container\":null}";
    }

    private static Rewritten decideAndRewrite(String upstreamJson) throws IOException {
        PolicyDecider decider = PolicyDecider.governed();
        AnthropicMessage message = AnthropicMessage.of((ObjectNode) Json.MAPPER.readTree(upstreamJson));
        List<GatedCall> gated = new ArrayList<>();
        for (AnthropicMessage.ProposedCall proposed : message.calls()) {
            gated.add(decider.decide(proposed.call(), AnthropicMessage.assistantMessage(proposed.call()), false).join());
        }
        byte[] bytes = AnthropicRewriter.rewrite(message, gated, new DecisionSummary(gated, URI.create("http://toolgate.test")),
                "_toolgate");
        return new Rewritten(Json.MAPPER.readTree(upstreamJson), Json.MAPPER.readTree(bytes), new String(bytes, StandardCharsets.UTF_8),
                bytes, message, gated);
    }

    @Test
    void toolUseBlocksAreReadAsCallsWithTheirInputAsArguments() throws IOException {
        AnthropicMessage message = AnthropicMessage.of((ObjectNode) Json.MAPPER.readTree(response(TEXT, READ,
                "{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{\"query\":\"x\"}}", SHELL)));

        assertThat(message.calls()).extracting(AnthropicMessage.ProposedCall::call).containsExactly(
                new ToolCall("toolu_read", "read_file", "{\"path\":\"/notes/café.md\",\"limit\":1.50E+3}"),
                new ToolCall("toolu_shell", "run_shell", "{\"command\":\"terraform apply -auto-approve\"}"));
        assertThat(message.calls()).extracting(AnthropicMessage.ProposedCall::blockIndex).containsExactly(1, 3);
        assertThat(message.model()).isEqualTo("claude-sonnet-4-5-20250929");
    }

    @Test
    void anAllowedCallLeavesTheMessageAsItWasPlusTheMetadata() throws IOException {
        Rewritten result = decideAndRewrite(response(TEXT, READ));

        ObjectNode body = (ObjectNode) result.body().deepCopy();
        JsonNode metadata = body.remove("_toolgate");
        assertThat(body).isEqualTo(result.original());
        assertThat(result.text()).contains("1.50E+3");
        assertThat(metadata.path("status").asText()).isEqualTo("allowed");
        assertThat(metadata.path("tool").asText()).isEqualTo("read_file");

        Message message = AnthropicSdk.message(result.bytes());
        assertThat(message.content().get(1).asToolUse().name()).isEqualTo("read_file");
        assertThat(message.stopReason()).contains(StopReason.TOOL_USE);
    }

    @Test
    void aBlockedCallIsReplacedInPlaceByTextAndTheTurnEnds() throws IOException {
        Rewritten result = decideAndRewrite(response(TEXT, SHELL));

        assertThat(result.block(0)).isEqualTo(result.original().at("/content/0"));
        assertThat(result.block(1)).isEqualTo(Json.object().put("type", "text")
                .put("text", "Tool 'run_shell' is blocked by governance policy."));
        assertThat(result.body().path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(result.text()).doesNotContain("terraform").doesNotContain("tool_use");
        for (String field : List.of("id", "type", "role", "model", "stop_sequence", "usage", "container")) {
            assertThat(result.body().path(field)).as(field).isEqualTo(result.original().path(field));
        }
        JsonNode metadata = result.body().path("_toolgate");
        assertThat(metadata.path("status").asText()).isEqualTo("blocked");
        assertThat(metadata.path("blocked").asBoolean()).isTrue();
        assertThat(metadata.path("rule").asText()).isEqualTo("no-infra-apply");

        Message message = AnthropicSdk.message(result.bytes());
        assertThat(message.content()).extracting(block -> block.asText().text())
                .containsExactly("I'll check the file, then deploy.", "Tool 'run_shell' is blocked by governance policy.");
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(message._additionalProperties().get("_toolgate").convert(JsonNode.class)).hasToString(metadata.toString());
    }

    @Test
    void withTwoCallsTheAllowedOneStaysAndTheOtherIsReplaced() throws IOException {
        Rewritten result = decideAndRewrite(response(TEXT, READ, SHELL));

        assertThat(result.block(1)).isEqualTo(result.original().at("/content/1"));
        assertThat(result.block(2).path("text").asText()).isEqualTo("Tool 'run_shell' is blocked by governance policy.");
        assertThat(result.body().path("stop_reason").asText()).as("the read still needs its result").isEqualTo("tool_use");
        JsonNode metadata = result.body().path("_toolgate");
        assertThat(metadata.path("status").asText()).isEqualTo("partial");
        assertThat(metadata.path("calls")).extracting(c -> c.path("id").asText() + "=" + c.path("decision").asText())
                .containsExactly("toolu_read=allowed", "toolu_shell=blocked");
        assertThat(result.text()).doesNotContain("terraform");
        assertThat(AnthropicSdk.message(result.bytes()).content()).hasSize(3);
    }

    @Test
    void aCallHeldForApprovalIsReplacedAndNamesItsApproval() throws IOException {
        Rewritten result = decideAndRewrite(response(WIRE));

        assertThat(result.body().path("content")).containsExactly(Json.object().put("type", "text")
                .put("text", "Tool requires human approval. Retry once approved."));
        assertThat(result.body().path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(result.body().at("/_toolgate/status").asText()).isEqualTo("pending_approval");
        assertThat(result.body().at("/_toolgate/approval_id").asText()).isEqualTo("appr-1");
        assertThat(result.text()).doesNotContain("250000");
        AnthropicSdk.message(result.bytes());
    }
}
