package dev.toolgate.proxy.anthropic;

import static dev.toolgate.proxy.anthropic.MessageStreams.bytes;
import static dev.toolgate.proxy.anthropic.MessageStreams.messageDelta;
import static dev.toolgate.proxy.anthropic.MessageStreams.messageStart;
import static dev.toolgate.proxy.anthropic.MessageStreams.messageStop;
import static dev.toolgate.proxy.anthropic.MessageStreams.ping;
import static dev.toolgate.proxy.anthropic.MessageStreams.textBlock;
import static dev.toolgate.proxy.anthropic.MessageStreams.toolUse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.StopReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.SseDecoder;
import dev.toolgate.proxy.stream.SseEvent;
import dev.toolgate.proxy.stream.StreamCallDecider;
import dev.toolgate.proxy.testing.ChatBodies;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Anthropic Messages streams through the real decoder, rewriter, ordered output and evaluator,
 * cut into reads at every byte; what the client receives is checked byte for byte and through
 * the official SDK.
 */
class AnthropicStreamRewriterTest {
    private static final byte[] FIXTURE = ChatBodies.fixture("anthropic-text-then-tool-use.sse").getBytes(StandardCharsets.UTF_8);
    private static final URI PUBLIC_URL = URI.create("http://toolgate.test");
    private static final long CAP = 64 * 1024;
    private static final String BLOCKED_TEXT = "Tool 'run_shell' is blocked by governance policy.";

    private static AnthropicStreamRewriter rewriter(StreamCallDecider decider, long cap) {
        return new AnthropicStreamRewriter(decider, "_toolgate", PUBLIC_URL, cap);
    }

    private static StreamRun governed(byte[] input, int... cuts) throws SseDecoder.EventTooLarge {
        return StreamRun.of(rewriter(PolicyDecider.governed(), CAP), input, cuts);
    }

    @Test
    void blockedToolUseIsReplacedByTextAtItsIndexHoweverTheStreamIsCut() throws Exception {
        StreamRun whole = governed(FIXTURE);
        String expected = withoutDecisionIds(whole.text());
        for (int[] cuts : StreamRun.everyCutting(FIXTURE.length)) {
            assertThat(withoutDecisionIds(governed(FIXTURE, cuts).text())).as("cut at %s", cuts.length == 1 ? cuts[0] : "every byte")
                    .isEqualTo(expected);
        }

        List<SseEvent> in = StreamRun.decodeWhole(FIXTURE);
        List<SseEvent> out = whole.written;
        assertThat(whole.failures).isEmpty();
        assertThat(out).extracting(SseEvent::event).containsExactly("message_start",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        for (int i = 0; i <= 5; i++) {
            assertThat(out.get(i).raw()).as("the text block passes as sent: event %d", i).isEqualTo(in.get(i).raw());
        }
        assertThat(json(out.get(6))).isEqualTo(json("{'type':'content_block_start','index':1,'content_block':{'type':'text','text':''}}"));
        JsonNode replacement = json("{'type':'content_block_delta','index':1,'delta':{'type':'text_delta'}}");
        ((ObjectNode) replacement.path("delta")).put("text", BLOCKED_TEXT);
        assertThat(json(out.get(7))).isEqualTo(replacement);
        assertThat(json(out.get(8))).isEqualTo(json("{'type':'content_block_stop','index':1}"));

        JsonNode messageDelta = json(out.get(9));
        assertThat(messageDelta.at("/delta/stop_reason").asText()).isEqualTo("end_turn");
        assertThat(messageDelta.at("/usage/output_tokens").asInt()).isEqualTo(58);
        JsonNode metadata = messageDelta.path("_toolgate");
        assertThat(metadata.path("status").asText()).isEqualTo("blocked");
        assertThat(metadata.path("blocked").asBoolean()).isTrue();
        assertThat(metadata.path("rule").asText()).isEqualTo("no-infra-apply");
        assertThat(metadata.at("/calls/0/id").asText()).isEqualTo("toolu_01AbCd");
        assertThat(out.get(10).raw()).isEqualTo(in.get(in.size() - 1).raw());

        String text = whole.text();
        assertThat(text).doesNotContain("terraform").doesNotContain("tool_use").doesNotContain("input_json_delta").doesNotContain("auto-approve");
        // The tool's name is said only where the contract says it: in the sentence and the metadata block.
        String beyondContract = text.replace(BLOCKED_TEXT, "")
                .replace(new String(out.get(9).raw(), StandardCharsets.UTF_8), "");
        assertThat(beyondContract).doesNotContain("run_shell");
    }

    @Test
    void theOfficialSdkReadsTheRewrittenStreamAsATextAnswer() throws Exception {
        Message message = AnthropicSdk.accumulate(governed(FIXTURE).written);

        assertThat(message.content()).allMatch(ContentBlock::isText);
        assertThat(message.content()).extracting(block -> block.asText().text())
                .containsExactly("I'll run that command for you.", BLOCKED_TEXT);
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
    }

    @Test
    void anAllowedToolUseIsSentAsReceivedWithTheMetadataOnMessageDelta() throws Exception {
        PolicyDecider decider = PolicyDecider.allowingEverything();
        List<SseEvent> in = StreamRun.decodeWhole(FIXTURE);
        StreamRun whole = StreamRun.of(rewriter(decider, CAP), FIXTURE);

        int messageDelta = in.size() - 2;
        assertThat(whole.written).hasSameSizeAs(in);
        for (int i = 0; i < in.size(); i++) {
            if (i != messageDelta) {
                assertThat(whole.written.get(i).raw()).as("event %d", i).isEqualTo(in.get(i).raw());
            }
        }
        ObjectNode rewritten = (ObjectNode) json(whole.written.get(messageDelta));
        assertThat(rewritten.remove("_toolgate").path("status").asText()).isEqualTo("allowed");
        assertThat(rewritten).as("nothing else changes").isEqualTo(json(in.get(messageDelta)));

        assertThat(decider.asked).containsExactly(
                new ToolCall("toolu_01AbCd", "run_shell", "{\"command\":\"terraform apply -auto-approve\"}"));
        assertThat(json(decider.assistantMessages.get(0))).isEqualTo(json("{'role':'assistant','content':null,'tool_calls':[{"
                + "'id':'toolu_01AbCd','type':'function','function':{'name':'run_shell',"
                + "'arguments':'{\\\"command\\\":\\\"terraform apply -auto-approve\\\"}'}}]}"));

        Message message = AnthropicSdk.accumulate(whole.written);
        assertThat(message.content().get(1).asToolUse().name()).isEqualTo("run_shell");
        assertThat(message.content().get(1).asToolUse()._input().convert(JsonNode.class))
                .isEqualTo(json("{'command':'terraform apply -auto-approve'}"));
        assertThat(message.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(AnthropicSdk.metadata(whole.written).path("status").asText()).isEqualTo("allowed");
    }

    /** Found by AnthropicStreamFuzzTest: an SDK dispatching on the event name would have run this tool_use. */
    @Test
    void anEventWhoseNameAndDataTypeDisagreeAboutABlockIsRefused() {
        String disguised = toolUse(1, "toolu_shell", "run_shell", "{\"command\": \"terraform apply\"}")
                .replaceFirst("\"type\":\"content_block_start\"", "\"type\":\"ping\"");
        byte[] input = bytes(messageStart(), textBlock(0, "Sure."), disguised, messageDelta("tool_use"), messageStop());

        assertThatThrownBy(() -> governed(input)).isInstanceOf(UnreadableAnswerException.class)
                .hasMessageContaining("named 'content_block_start'");
    }

    @Test
    void aMessageStartThatAlreadyHoldsAToolUseIsRefused() {
        String start = messageStart().replace("\"content\":[]",
                "\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"run_shell\",\"input\":{\"command\":\"ls\"}}]");

        assertThatThrownBy(() -> governed(bytes(start, messageDelta("tool_use"), messageStop())))
                .isInstanceOf(UnreadableAnswerException.class).hasMessageContaining("tool_use block already in it");
    }

    @Test
    void aStreamWithoutToolUseIsPassedThroughByteForByte() throws Exception {
        byte[] input = bytes(messageStart(), textBlock(0, "Déjà ", "vu ☕ — nothing to run."), ping(), messageDelta("end_turn"),
                messageStop());
        for (int[] cuts : StreamRun.everyCutting(input.length)) {
            assertThat(governed(input, cuts).bytes()).isEqualTo(input);
        }
    }

    @Test
    void oneOfTwoToolUseBlocksIsReplacedAndTheOtherKept() throws Exception {
        String passedThrough = messageStart() + textBlock(0, "Je lis la note ☕ puis je déploie.") + ping()
                + toolUse(1, "toolu_read", "read_file", "{\"path\": \"/notes/caf", "é.md\"}");
        byte[] input = bytes(passedThrough, toolUse(2, "toolu_shell", "run_shell", "", "{\"command\": \"terraform", "  apply\"}"),
                messageDelta("tool_use"), messageStop());
        StreamRun whole = governed(input);
        String expected = withoutDecisionIds(whole.text());
        for (int[] cuts : StreamRun.everyCutting(input.length)) {
            assertThat(withoutDecisionIds(governed(input, cuts).text())).isEqualTo(expected);
        }

        assertThat(whole.text()).startsWith(passedThrough);
        assertThat(whole.text()).doesNotContain("terraform").doesNotContain("toolu_shell\",\"name\"");
        Message message = AnthropicSdk.accumulate(whole.written);
        assertThat(message.content()).hasSize(3);
        assertThat(message.content().get(1).asToolUse()._input().convert(JsonNode.class)).isEqualTo(json("{'path':'/notes/café.md'}"));
        assertThat(message.content().get(2).asText().text()).isEqualTo(BLOCKED_TEXT);
        assertThat(message.stopReason()).as("one call still runs").contains(StopReason.TOOL_USE);
        JsonNode metadata = AnthropicSdk.metadata(whole.written);
        assertThat(metadata.path("status").asText()).isEqualTo("partial");
        assertThat(metadata.path("calls")).extracting(c -> c.path("id").asText() + "=" + c.path("decision").asText())
                .containsExactly("toolu_read=allowed", "toolu_shell=blocked");
    }

    @Test
    void aCallHeldForApprovalIsReplacedAndNamesItsApproval() throws Exception {
        byte[] input = bytes(messageStart(), toolUse(0, "toolu_wire", "wire_transfer", "{\"amount\": 250", "000}"),
                messageDelta("tool_use"), messageStop());
        StreamRun run = governed(input);

        assertThat(run.text()).doesNotContain("250000").doesNotContain("input_json_delta");
        Message message = AnthropicSdk.accumulate(run.written);
        assertThat(message.content()).extracting(block -> block.asText().text())
                .containsExactly("Tool requires human approval. Retry once approved.");
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        JsonNode metadata = AnthropicSdk.metadata(run.written);
        assertThat(metadata.path("status").asText()).isEqualTo("pending_approval");
        assertThat(metadata.path("approval_id").asText()).isEqualTo("appr-1");
    }

    @Test
    void decisionsThatCompleteOutOfOrderAreWrittenInStreamOrder() throws Exception {
        PolicyDecider policy = PolicyDecider.governed();
        List<CompletableFuture<GatedCall>> answers = new ArrayList<>();
        List<ToolCall> calls = new ArrayList<>();
        StreamCallDecider later = (call, assistantMessage, dropped) -> {
            calls.add(call);
            CompletableFuture<GatedCall> answer = new CompletableFuture<>();
            answers.add(answer);
            return answer;
        };
        byte[] input = bytes(messageStart(), textBlock(0, "Two things."),
                toolUse(1, "toolu_read", "read_file", "{\"path\":\"/a\"}"),
                toolUse(2, "toolu_shell", "run_shell", "{\"command\":\"terraform apply\"}"),
                messageDelta("tool_use"), messageStop());
        StreamRun run = StreamRun.of(rewriter(later, CAP), input);

        assertThat(run.written).as("only the text block, until the first decision").hasSize(4);
        answers.get(1).complete(policy.decide(calls.get(1), "", false).join());
        assertThat(run.written).as("the second decision waits for the first").hasSize(4);
        answers.get(0).complete(policy.decide(calls.get(0), "", false).join());

        assertThat(run.failures).isEmpty();
        assertThat(run.written).extracting(SseEvent::event).containsExactly("message_start",
                "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        assertThat(run.written).extracting(event -> json(event).path("index").asInt(-1))
                .containsExactly(-1, 0, 0, 0, 1, 1, 1, 2, 2, 2, -1, -1);
        assertThat(json(run.written.get(4)).at("/content_block/name").asText()).isEqualTo("read_file");
        assertThat(json(run.written.get(8)).at("/delta/text").asText()).isEqualTo(BLOCKED_TEXT);
        assertThat(run.text()).doesNotContain("terraform");
    }

    @Test
    void aFailedDecisionEndsTheStreamWithoutReleasingAnythingHeld() throws Exception {
        IllegalStateException storageDown = new IllegalStateException("audit log unavailable");
        StreamRun run = StreamRun.of(rewriter((call, assistantMessage, dropped) -> CompletableFuture.failedFuture(storageDown), CAP), FIXTURE);

        assertThat(run.failures).containsExactly(storageDown);
        assertThat(run.written).extracting(SseEvent::event).containsExactly("message_start",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta", "content_block_stop");
        assertThat(run.text()).doesNotContain("run_shell").doesNotContain("terraform").doesNotContain("message_delta");
    }

    @Test
    void anOversizedInputIsDroppedAndDecidedAsTooLargeWithoutItsInput() throws Exception {
        PolicyDecider decider = PolicyDecider.allowingEverything().limitedTo(16);
        StreamRun run = StreamRun.of(rewriter(decider, 16), FIXTURE);

        assertThat(decider.argumentsDropped).containsExactly(true);
        assertThat(decider.asked).extracting(ToolCall::arguments).as("none of the input is held").containsExactly("");
        assertThat(decider.assistantMessages).containsExactly((String) null);
        assertThat(run.text()).doesNotContain("terraform");
        Message message = AnthropicSdk.accumulate(run.written);
        assertThat(message.content().get(1).asText().text()).isEqualTo(BLOCKED_TEXT);
        JsonNode metadata = AnthropicSdk.metadata(run.written);
        assertThat(metadata.path("rule").asText()).isEqualTo(ToolCallGate.OVERSIZED_ARGUMENTS_RULE);
        assertThat(metadata.path("reason").asText()).isEqualTo("arguments exceed the limit of 16 bytes");
        assertThat(metadata.path("policy_version").asText()).isEqualTo(decider.policyVersion());
    }

    @Test
    void anInputInTinyFragmentsStaysWithinBoundsAndIsReleasedWhole() throws Exception {
        String path = "/data/" + "x".repeat(20_000);
        String arguments = "{\"path\":\"" + path + "\"}";
        List<String> fragments = arguments.chars().mapToObj(c -> String.valueOf((char) c)).toList();
        byte[] input = bytes(messageStart(), toolUse(0, "toolu_big", "read_file", fragments.toArray(String[]::new)),
                messageDelta("tool_use"), messageStop());
        PolicyDecider decider = PolicyDecider.allowingEverything();
        StreamRun run = StreamRun.of(rewriter(decider, 32 * 1024), input);

        assertThat(input.length).as("the framing far exceeds what is kept of it").isGreaterThan(1_000_000);
        assertThat(decider.asked.get(0).arguments()).isEqualTo(arguments);
        assertThat(run.written).extracting(SseEvent::event)
                .containsExactly("message_start", "content_block_start", "content_block_delta", "content_block_stop",
                        "message_delta", "message_stop");
        Message message = AnthropicSdk.accumulate(run.written);
        assertThat(message.content().get(0).asToolUse()._input().convert(JsonNode.class)).isEqualTo(json("{'path':'" + path + "'}"));
    }

    @Test
    void aToolUseTheUpstreamNeverFinishedIsDecidedOnWhatArrivedAndFailsClosed() throws Exception {
        String complete = new String(FIXTURE, StandardCharsets.UTF_8);
        byte[] truncated = complete.substring(0, complete.indexOf("orm ap")).getBytes(StandardCharsets.UTF_8);
        PolicyDecider decider = PolicyDecider.allowingEverything();
        StreamRun run = StreamRun.of(rewriter(decider, CAP), truncated);

        assertThat(decider.asked).extracting(ToolCall::arguments).containsExactly("{\"command\":\"terraf");
        assertThat(run.text()).doesNotContain("terraf").endsWith(
                "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + BLOCKED_TEXT
                        + "\"}}\n\nevent: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n");
    }

    @Test
    void anInputThatCameWholeInContentBlockStartIsDecidedOnItAndNeverSent() throws Exception {
        String block = toolUse(0, "toolu_whole", "run_shell").replace("\"input\":{}", "\"input\":{\"command\":\"terraform apply\"}");
        PolicyDecider decider = PolicyDecider.governed();
        StreamRun run = StreamRun.of(rewriter(decider, CAP), bytes(messageStart(), block, messageDelta("tool_use"), messageStop()));

        assertThat(decider.asked).extracting(ToolCall::arguments).containsExactly("{\"command\":\"terraform apply\"}");
        assertThat(run.text()).doesNotContain("terraform");
        assertThat(AnthropicSdk.accumulate(run.written).content().get(0).asText().text()).isEqualTo(BLOCKED_TEXT);
    }

    /** A JSON value written with single quotes, for readability. */
    private static JsonNode json(String singleQuoted) {
        try {
            return Json.MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (IOException e) {
            throw new IllegalArgumentException(singleQuoted, e);
        }
    }

    private static JsonNode json(SseEvent event) {
        try {
            return Json.MAPPER.readTree(event.data());
        } catch (IOException e) {
            throw new IllegalArgumentException(event.data(), e);
        }
    }

    /** Decision ids are random per run; everything else must match between two cuttings of one stream. */
    private static String withoutDecisionIds(String text) {
        return text.replaceAll("\"decision_id\":\"[0-9a-f-]{36}\"", "\"decision_id\":\"*\"");
    }
}
