package dev.toolgate.proxy.openai.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.ObjectMappers;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import dev.toolgate.policy.Action;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.PolicyDefaults;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.policy.RuleSet;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.OrderedOutput;
import dev.toolgate.proxy.stream.SseDecoder;
import dev.toolgate.proxy.stream.SseEvent;
import dev.toolgate.proxy.stream.StreamCallDecider;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Responses API streams through the rewriter, the ordered output and the real evaluator: what the
 * client receives, in what order, and that a withheld call never leaks.
 */
class ResponsesStreamRewriterTest {
    private static final CallContext CONTEXT = CallContext.of("default", "support-bot", "gpt-4.1-mini");
    private static final URI PUBLIC_URL = URI.create("http://toolgate.test");
    private static final long ARGUMENT_LIMIT = 64 * 1024;
    private static PolicyEngine engine;
    private static byte[] fixture;

    @BeforeAll
    static void setUp() throws RuleCompileException, IOException {
        engine = new PolicyEngine(RuleSet.compile(List.of(
                new Rule("no-deletes", "Block all file deletions", List.of("delete_file"), null, Action.BLOCK, null),
                new Rule("big-transfers", "Big transfers need approval", List.of("wire_transfer"),
                        "has(args.amount) && args.amount > 1000", Action.APPROVE, "finance@example.com"),
                new Rule("no-rm", "No rm from a local shell", List.of("local_shell"),
                        "args.command.exists(c, c == 'rm')", Action.BLOCK, null),
                new Rule("no-shell-rm", "No rm from the shell tool", List.of("shell"),
                        "args.commands.exists(c, c.startsWith('rm '))", Action.BLOCK, null)),
                PolicyDefaults.STANDARD), Set.of());
        try (InputStream in = ResponsesStreamRewriterTest.class.getResourceAsStream("/fixtures/responses-function-call.sse")) {
            fixture = in.readAllBytes();
        }
    }

    // ---- the fixture: one wire_transfer of 5000, held for approval ----

    @Test
    void heldCallIsReplacedByAMessageAndNeverLeaks() {
        Run run = run(decode(fixture, List.of()), new PolicyDecider());

        assertThat(run.failures).isEmpty();
        assertThat(run.drained).isTrue();
        assertThat(run.types()).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed");
        List<SseEvent> upstream = decode(fixture, List.of());
        assertThat(run.written.get(0).raw()).isEqualTo(upstream.get(0).raw());
        assertThat(run.written.get(1).raw()).isEqualTo(upstream.get(1).raw());
        assertNoTrace(run, "wire_transfer", "ACME", "5000", "GBP", "amount", "fc_68f1a2b3d5");

        JsonNode added = run.json(2);
        assertThat(added.path("output_index").asInt()).isZero();
        assertThat(added.at("/item/type").asText()).isEqualTo("message");
        assertThat(added.at("/item/status").asText()).isEqualTo("in_progress");
        String messageId = added.at("/item/id").asText();
        assertThat(messageId).startsWith("msg_toolgate_");
        assertThat(run.json(4).path("delta").asText()).isEqualTo(DecisionSummary.PENDING_MESSAGE);
        assertThat(run.json(7).at("/item/content/0/text").asText()).isEqualTo(DecisionSummary.PENDING_MESSAGE);

        JsonNode response = run.json(8).path("response");
        assertThat(response.path("output")).hasSize(1);
        assertThat(response.at("/output/0/type").asText()).isEqualTo("message");
        assertThat(response.at("/output/0/id").asText()).isEqualTo(messageId);
        assertThat(response.at("/output/0/content/0/text").asText()).isEqualTo(DecisionSummary.PENDING_MESSAGE);
        assertThat(response.at("/_toolgate/status").asText()).isEqualTo("pending_approval");
        assertThat(response.at("/_toolgate/approval_id").asText()).isEqualTo("appr-1");
        assertThat(response.at("/_toolgate/tool").asText()).as("the block names the tool, as on every route").isEqualTo("wire_transfer");
        assertThat(response.path("usage")).isEqualTo(parse(upstream.get(13)).at("/response/usage"));
        assertThat(run.sequenceNumbers()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 13L);
        assertEverySdkParses(run);

        Response rebuilt = sdkAccumulated(run).reconstructedResponse();
        assertThat(rebuilt.output()).hasSize(1);
        ResponseOutputItem item = rebuilt.output().get(0);
        assertThat(item.isMessage()).as("the SDK's accumulator rebuilds the message from the events").isTrue();
        assertThat(item.asMessage().id()).isEqualTo(messageId);
        assertThat(item.asMessage().content().get(0).asOutputText().text()).isEqualTo(DecisionSummary.PENDING_MESSAGE);
    }

    @Test
    void heldCallIsDecidedOnceWithItsAssistantMessage() {
        PolicyDecider decider = new PolicyDecider();
        run(decode(fixture, List.of()), decider);

        assertThat(decider.calls).containsExactly(new ToolCall("call_Wt5nV0aQ", "wire_transfer",
                "{\"to\":\"ACME Ltd\",\"amount\":5000,\"currency\":\"GBP\"}"));
        assertThat(parse(decider.messages.get(0))).isEqualTo(parse("""
                {"role":"assistant","content":null,"tool_calls":[{"id":"call_Wt5nV0aQ","type":"function","function":
                 {"name":"wire_transfer","arguments":"{\\"to\\":\\"ACME Ltd\\",\\"amount\\":5000,\\"currency\\":\\"GBP\\"}"}}]}"""));
    }

    @Test
    void fixtureSplitAtEveryByteGivesTheSameOutput() {
        List<SseEvent> whole = decode(fixture, List.of());
        byte[] expected = run(whole, new PolicyDecider()).bytes();
        for (int cut = 1; cut < fixture.length; cut++) {
            byte[] output = run(decode(fixture, List.of(cut)), new PolicyDecider()).bytes();
            if (!Arrays.equals(output, expected)) {
                assertThat(new String(output, StandardCharsets.UTF_8)).as("cut at %d", cut)
                        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
            }
        }
        List<Integer> everyByte = new ArrayList<>();
        for (int cut = 1; cut < fixture.length; cut++) {
            everyByte.add(cut);
        }
        Run oneByteChunks = run(decode(fixture, everyByte), new PolicyDecider());
        assertThat(oneByteChunks.bytes()).isEqualTo(expected);
        assertNoTrace(oneByteChunks, "wire_transfer", "ACME", "5000");
    }

    @Test
    void allowedCallGoesOutByteForByteAndTheLastEventGainsOnlyTheMetadata() {
        byte[] small = new String(fixture, StandardCharsets.UTF_8).replace("5000", "10").getBytes(StandardCharsets.UTF_8);
        List<SseEvent> upstream = decode(small, List.of());
        Run run = run(upstream, new PolicyDecider());

        assertThat(run.written).hasSize(upstream.size());
        for (int i = 0; i < upstream.size() - 1; i++) {
            assertThat(run.written.get(i).raw()).as("event %d", i).isEqualTo(upstream.get(i).raw());
        }
        ObjectNode completed = (ObjectNode) run.json(upstream.size() - 1);
        JsonNode metadata = ((ObjectNode) completed.path("response")).remove("_toolgate");
        assertThat(completed).isEqualTo(parse(upstream.get(upstream.size() - 1)));
        assertThat(metadata.path("status").asText()).isEqualTo("allowed");
        assertThat(metadata.path("tool").asText()).isEqualTo("wire_transfer");
        assertEverySdkParses(run);
    }

    // ---- synthetic streams ----

    @Test
    void oneAllowedAndOneBlockedCall() {
        StreamBuilder stream = new StreamBuilder().start()
                .message(0, "msg_1", "Let me look.")
                .functionCall(1, "fc_read", "call_read", "read_file", "{\"path\":\"/a\"}", 3)
                .functionCall(2, "fc_del", "call_del", "delete_file", "{\"path\":\"/etc/passwd\"}", 4)
                .completed();
        List<SseEvent> upstream = decode(stream.bytes(), List.of());
        Run run = run(upstream, new PolicyDecider());

        assertThat(run.failures).isEmpty();
        int readEvents = 1 + 3 + 1 + 1;
        int before = 2 + 6;
        for (int i = 0; i < before + readEvents; i++) {
            assertThat(run.written.get(i).raw()).as("event %d", i).isEqualTo(upstream.get(i).raw());
        }
        assertNoTrace(run, "passwd", "fc_del", "\"name\":\"delete_file\"");
        assertThat(run.text()).contains("Tool 'delete_file' is blocked by governance policy.");
        JsonNode response = run.json(run.written.size() - 1).path("response");
        assertThat(response.path("output")).extracting(item -> item.path("type").asText())
                .containsExactly("message", "function_call", "message");
        assertThat(response.at("/output/1/call_id").asText()).isEqualTo("call_read");
        assertThat(response.at("/output/2/content/0/text").asText()).isEqualTo("\n\nTool 'delete_file' is blocked by governance policy.");
        assertThat(response.at("/_toolgate/status").asText()).isEqualTo("partial");
        assertThat(response.at("/_toolgate/calls")).extracting(c -> c.path("decision").asText()).containsExactly("allowed", "blocked");
        assertThat(response.at("/_toolgate/calls/1/rule").asText()).isEqualTo("no-deletes");
        assertIncreasing(run);
        assertEverySdkParses(run);
        assertThat(sdkAccumulated(run).reconstructedResponse().output()).extracting(
                item -> item.isMessage() ? "message" : item.isFunctionCall() ? item.asFunctionCall().name() : "other")
                .containsExactly("message", "read_file", "message");
    }

    @Test
    void replacementSentencesAreSetOffAsInTheChatFormatAndAsInTheFinalResponse() {
        StreamBuilder stream = new StreamBuilder().start()
                .message(0, "msg_1", "Tidying up.")
                .functionCall(1, "fc_del", "call_del", "delete_file", "{\"path\":\"/a\"}", 2)
                .functionCall(2, "fc_pay", "call_pay", "wire_transfer", "{\"amount\":5000}", 2)
                .functionCall(3, "fc_read", "call_read", "read_file", "{\"path\":\"/b\"}", 2)
                .functionCall(4, "fc_del2", "call_del2", "delete_file", "{\"path\":\"/c\"}", 2)
                .completed();
        Run run = run(decode(stream.bytes(), List.of()), new PolicyDecider());

        assertThat(run.failures).isEmpty();
        String blocked = "Tool 'delete_file' is blocked by governance policy.";
        assertThat(run.texts()).containsExactly("Tidying up.", "\n\n" + blocked, " " + DecisionSummary.PENDING_MESSAGE,
                " " + blocked);
        JsonNode output = run.json(run.written.size() - 1).at("/response/output");
        assertThat(output).extracting(item -> item.at("/content/0/text").asText(""))
                .as("the final response carries the same texts as the stream")
                .containsExactly("Tidying up.", "\n\n" + blocked, " " + DecisionSummary.PENDING_MESSAGE, "", " " + blocked);
        assertEverySdkParses(run);
    }

    @Test
    void textPassesAtOnceWhileACallIsHeldAndLaterOutputWaitsForTheDecision() {
        StreamBuilder stream = new StreamBuilder().start();
        stream.event("response.output_item.added", "\"output_index\":0,\"item\":{\"id\":\"msg_1\",\"type\":\"message\","
                + "\"status\":\"in_progress\",\"content\":[],\"role\":\"assistant\"}");
        stream.textDelta(0, "msg_1", "Paying ");
        stream.event("response.output_item.added", "\"output_index\":1,\"item\":{\"id\":\"fc_pay\",\"type\":\"function_call\","
                + "\"status\":\"in_progress\",\"arguments\":\"\",\"call_id\":\"call_pay\",\"name\":\"wire_transfer\"}");
        stream.argumentsDelta(1, "fc_pay", "{\"amount\":");
        stream.textDelta(0, "msg_1", "now.");
        stream.argumentsDelta(1, "fc_pay", "7777}");
        stream.textDelta(2, "msg_2", "After.");
        stream.argumentsDone(1, "fc_pay", "{\"amount\":7777}");
        stream.itemDone(1, "fc_pay", "call_pay", "wire_transfer", "{\"amount\":7777}");
        stream.textDelta(2, "msg_2", " More.");
        stream.completed();
        List<SseEvent> upstream = decode(stream.bytes(), List.of());
        LaterDecider decider = new LaterDecider();
        Harness harness = new Harness(decider, ARGUMENT_LIMIT);

        harness.feed(upstream.subList(0, 7));
        assertThat(harness.run.types()).as("the second text delta overtakes the open call").containsExactly(
                "response.created", "response.in_progress", "response.output_item.added",
                "response.output_text.delta", "response.output_text.delta");
        assertThat(harness.run.json(4).path("delta").asText()).isEqualTo("now.");

        harness.feed(upstream.subList(7, 11));
        assertThat(harness.run.written).as("output of a later item waits behind the call and its decision").hasSize(5);
        assertThat(decider.pending).hasSize(1);

        decider.complete("call_pay");
        assertThat(harness.run.texts()).containsExactly("Paying ", "now.", "\n\n" + DecisionSummary.PENDING_MESSAGE, "After.");
        harness.feed(upstream.subList(11, upstream.size()));
        harness.end();
        assertThat(harness.run.texts()).containsExactly("Paying ", "now.", "\n\n" + DecisionSummary.PENDING_MESSAGE, "After.", " More.");
        assertThat(harness.run.types()).last().isEqualTo("response.completed");
        assertThat(harness.run.drained).isTrue();
        assertNoTrace(harness.run, "7777", "fc_pay", "wire_transfer");
        assertIncreasing(harness.run);
        assertEverySdkParses(harness.run);
    }

    @Test
    void decisionsCompletingOutOfOrderKeepTheOutputOrder() {
        StreamBuilder stream = new StreamBuilder().start()
                .functionCall(0, "fc_a", "call_a", "read_file", "{\"path\":\"/a\"}", 2)
                .functionCall(1, "fc_b", "call_b", "delete_file", "{\"path\":\"/b\"}", 2)
                .message(2, "msg_1", "Done.")
                .completed();
        List<SseEvent> upstream = decode(stream.bytes(), List.of());
        LaterDecider decider = new LaterDecider();
        Harness harness = new Harness(decider, ARGUMENT_LIMIT);
        harness.feed(upstream);
        harness.end();
        assertThat(harness.run.types()).containsExactly("response.created", "response.in_progress");

        decider.complete("call_b");
        assertThat(harness.run.types()).as("nothing overtakes the first call's decision").hasSize(2);
        decider.complete("call_a");

        assertThat(harness.run.drained).isTrue();
        assertThat(harness.run.written.subList(2, 7)).extracting(SseEvent::raw)
                .containsExactlyElementsOf(upstream.subList(2, 7).stream().map(SseEvent::raw).toList());
        assertThat(harness.run.types().subList(7, 13)).containsExactly("response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done");
        assertThat(harness.run.json(7).path("output_index").asInt()).isEqualTo(1);
        assertThat(harness.run.texts()).containsSubsequence("Tool 'delete_file' is blocked by governance policy.", "Done.");
        assertThat(harness.run.types()).last().isEqualTo("response.completed");
        assertNoTrace(harness.run, "/b\\\"", "fc_b");
        assertIncreasing(harness.run);
    }

    /** Found by ResponsesStreamFuzzTest: a call's done event without its added event went out undecided. */
    @Test
    void aCallItemThatWasNeverAnnouncedIsStillHeldAndDecided() {
        StreamBuilder stream = new StreamBuilder().start()
                .itemDone(0, "fc_d", "call_d", "delete_file", "{\"path\":\"/srv/customers.csv\"}")
                .message(1, "msg_1", "Done.");
        Run run = run(decode(stream.completed().bytes(), List.of()), new PolicyDecider());

        assertThat(run.failures).isEmpty();
        assertNoTrace(run, "customers.csv", "fc_d");
        assertThat(run.json(2).at("/item/type").asText()).isEqualTo("message");
        assertThat(run.texts()).contains("Done.");
        assertThat(run.text()).contains(DecisionSummary.replacementText(PolicyDecider.gated(
                new ToolCall("call_d", "delete_file", "{\"path\":\"/srv/customers.csv\"}"), 1)));
    }

    /** Found by ResponsesStreamFuzzTest: SDKs keep the added item's name, an agent may run the done item's. */
    @Test
    void aCallRenamedBetweenItsAddedAndDoneEventsIsRefused() {
        StreamBuilder stream = new StreamBuilder().start();
        stream.event("response.output_item.added", "\"output_index\":0,\"item\":{\"id\":\"fc_1\",\"type\":\"function_call\","
                + "\"status\":\"in_progress\",\"arguments\":\"\",\"call_id\":\"call_1\",\"name\":\"delete_file\"}");
        stream.itemDone(0, "fc_1", "call_1", "read_file", "{\"path\":\"/srv/customers.csv\"}");
        Harness harness = new Harness(new PolicyDecider(), ARGUMENT_LIMIT);

        assertThatThrownBy(() -> harness.feed(decode(stream.bytes(), List.of())))
                .isInstanceOf(UnreadableAnswerException.class).hasMessageContaining("renamed tool call 'delete_file' to 'read_file'");
        assertNoTrace(harness.run, "delete_file", "customers.csv");
    }

    /** Found by ResponsesStreamFuzzTest: a client dispatching on the event name would have added this call item. */
    @Test
    void anEventWhoseNameAndDataTypeDisagreeAboutAnItemIsRefused() {
        StreamBuilder stream = new StreamBuilder().start();
        stream.event("response.output_item.added", "\"output_index\":0,\"item\":{\"id\":\"fc_1\",\"type\":\"function_call\","
                + "\"status\":\"in_progress\",\"arguments\":\"\",\"call_id\":\"call_1\",\"name\":\"read_file\"}");
        String disguised = "event: response.output_item.added\ndata: {\"type\":\"response.output_item.note\",\"output_index\":0,"
                + "\"item\":{\"id\":\"fc_2\",\"type\":\"function_call\",\"arguments\":\"\",\"call_id\":\"call_2\","
                + "\"name\":\"delete_file\"}}\n\n";
        Harness harness = new Harness(new PolicyDecider(), ARGUMENT_LIMIT);

        assertThatThrownBy(() -> harness.feed(decode((stream.text() + disguised).getBytes(StandardCharsets.UTF_8), List.of())))
                .isInstanceOf(UnreadableAnswerException.class).hasMessageContaining("named 'response.output_item.added'");
        assertNoTrace(harness.run, "delete_file");
    }

    /** Found by ResponsesStreamFuzzTest: SDKs start from this snapshot, so a call in it would skip the gateway. */
    @Test
    void aSnapshotListingACallBeforeTheEndIsRefused() {
        String call = "{\"id\":\"fc_d\",\"type\":\"function_call\",\"status\":\"completed\",\"arguments\":\"{}\","
                + "\"call_id\":\"call_d\",\"name\":\"delete_file\"}";
        StreamBuilder stream = new StreamBuilder().event("response.created", "\"response\":{\"id\":\"resp_1\",\"object\":\"response\","
                + "\"status\":\"in_progress\",\"output\":[" + call + "]}");
        Harness harness = new Harness(new PolicyDecider(), ARGUMENT_LIMIT);

        assertThatThrownBy(() -> harness.feed(decode(stream.bytes(), List.of())))
                .isInstanceOf(UnreadableAnswerException.class).hasMessageContaining("response.created");
        assertThat(harness.run.written).isEmpty();
    }

    @Test
    void failedDecisionEndsTheStreamWithNothingHeldSent() {
        StreamCallDecider failing = (call, message, dropped) -> CompletableFuture.failedFuture(new IllegalStateException("audit log unavailable"));
        Run run = run(decode(fixture, List.of()), failing);

        assertThat(run.failures).hasSize(1);
        assertThat(run.failures.get(0)).hasMessage("audit log unavailable");
        assertThat(run.types()).containsExactly("response.created", "response.in_progress");
        assertNoTrace(run, "wire_transfer", "ACME", "call_Wt5nV0aQ");
    }

    @Test
    void deciderThatThrowsFailsClosedToo() {
        StreamCallDecider throwing = (call, message, dropped) -> {
            throw new IllegalStateException("evaluator bug");
        };
        Run run = run(decode(fixture, List.of()), throwing);

        assertThat(run.failures).hasSize(1);
        assertThat(run.types()).containsExactly("response.created", "response.in_progress");
    }

    @Test
    void oversizedArgumentsAreDroppedAndDecidedAsTooLarge() {
        PolicyDecider decider = new PolicyDecider();
        Run run = run(decode(fixture, List.of()), decider, 32);

        assertThat(decider.calls).isEmpty();
        assertThat(decider.dropped).extracting(ToolCall::arguments).as("none of the arguments held").containsExactly("");
        assertThat(run.failures).isEmpty();
        assertNoTrace(run, "ACME", "5000");
        assertThat(run.text()).contains("Tool 'wire_transfer' is blocked by governance policy.");
        JsonNode metadata = run.json(run.written.size() - 1).at("/response/_toolgate");
        assertThat(metadata.path("status").asText()).isEqualTo("blocked");
        assertThat(metadata.path("rule").asText()).isEqualTo(ToolCallGate.OVERSIZED_ARGUMENTS_RULE);
        assertThat(metadata.path("policy_version").asText()).isEqualTo("test-policy");
        assertEverySdkParses(run);
    }

    @Test
    void manyTinyDeltasAreMergedToBoundMemoryAndTheCallStaysIntact() {
        StringBuilder arguments = new StringBuilder("{\"path\":\"");
        arguments.append("x".repeat(1500)).append("\"}");
        StreamBuilder stream = new StreamBuilder().start()
                .functionCall(0, "fc_read", "call_read", "read_file", arguments.toString(), arguments.length())
                .completed();
        List<SseEvent> upstream = decode(stream.bytes(), List.of());
        Run run = run(upstream, new PolicyDecider(), 4096);

        assertThat(run.types()).containsExactly("response.created", "response.in_progress", "response.output_item.added",
                "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done",
                "response.completed");
        assertThat(run.json(3).path("delta").asText()).isEqualTo(arguments.toString());
        assertThat(run.written.get(4).raw()).isEqualTo(upstream.get(upstream.size() - 3).raw());
        assertThat(run.json(6).at("/response/_toolgate/status").asText()).isEqualTo("allowed");
        assertIncreasing(run);
        assertEverySdkParses(run);
    }

    @Test
    void customToolCallIsHeldAndWithheldLikeAFunctionCall() {
        StreamBuilder stream = new StreamBuilder().start();
        stream.event("response.output_item.added", "\"output_index\":0,\"item\":{\"id\":\"ctc_1\",\"type\":\"custom_tool_call\","
                + "\"status\":\"in_progress\",\"call_id\":\"call_c\",\"input\":\"\",\"name\":\"delete_file\"}");
        stream.event("response.custom_tool_call_input.delta", "\"output_index\":0,\"item_id\":\"ctc_1\",\"delta\":\"rm -rf \"");
        stream.event("response.custom_tool_call_input.delta", "\"output_index\":0,\"item_id\":\"ctc_1\",\"delta\":\"/srv\"");
        stream.event("response.custom_tool_call_input.done", "\"output_index\":0,\"item_id\":\"ctc_1\",\"input\":\"rm -rf /srv\"");
        stream.event("response.output_item.done", "\"output_index\":0,\"item\":{\"id\":\"ctc_1\",\"type\":\"custom_tool_call\","
                + "\"status\":\"completed\",\"call_id\":\"call_c\",\"input\":\"rm -rf /srv\",\"name\":\"delete_file\"}");
        stream.completedWith("[{\"id\":\"ctc_1\",\"type\":\"custom_tool_call\",\"status\":\"completed\",\"call_id\":\"call_c\","
                + "\"input\":\"rm -rf /srv\",\"name\":\"delete_file\"}]");
        PolicyDecider decider = new PolicyDecider();
        Run run = run(decode(stream.bytes(), List.of()), decider);

        assertThat(decider.calls).containsExactly(new ToolCall("call_c", "delete_file", "rm -rf /srv"));
        assertThat(parse(decider.messages.get(0)).at("/tool_calls/0/custom/input").asText()).isEqualTo("rm -rf /srv");
        assertNoTrace(run, "rm -rf", "ctc_1");
        assertThat(run.json(run.written.size() - 1).at("/response/output/0/type").asText()).isEqualTo("message");
        assertEverySdkParses(run);
    }

    private static final String LOCAL_SHELL_ITEM = "{\"type\":\"local_shell_call\",\"id\":\"lsh_1\",\"call_id\":\"call_ls\","
            + "\"status\":\"%s\",\"action\":{\"type\":\"exec\",\"command\":[\"rm\",\"-rf\",\"/srv\"],\"env\":{},"
            + "\"working_directory\":\"/\",\"timeout_ms\":1000,\"user\":\"root\"}}";
    private static final String COMPUTER_ITEM = "{\"type\":\"computer_call\",\"id\":\"cu_1\",\"call_id\":\"call_cu\","
            + "\"status\":\"%s\",\"pending_safety_checks\":[],\"action\":{\"type\":\"click\",\"button\":\"left\",\"x\":10,\"y\":20}}";

    @Test
    void allowedComputerCallGoesOutAsReceivedAndALocalShellCallIsWithheld() {
        StreamBuilder stream = new StreamBuilder().start();
        stream.event("response.output_item.added", "\"output_index\":0,\"item\":" + COMPUTER_ITEM.formatted("in_progress"));
        stream.event("response.output_item.done", "\"output_index\":0,\"item\":" + COMPUTER_ITEM.formatted("completed"));
        stream.event("response.output_item.added", "\"output_index\":1,\"item\":" + LOCAL_SHELL_ITEM.formatted("in_progress"));
        stream.event("response.output_item.done", "\"output_index\":1,\"item\":" + LOCAL_SHELL_ITEM.formatted("completed"));
        stream.completedWith("[" + COMPUTER_ITEM.formatted("completed") + "," + LOCAL_SHELL_ITEM.formatted("completed") + "]");
        byte[] bytes = stream.bytes();
        List<SseEvent> upstream = decode(bytes, List.of());
        PolicyDecider decider = new PolicyDecider();
        Run run = run(decode(bytes, cutsEvery(5, bytes.length)), decider);

        assertThat(run.bytes()).as("the same output whatever the chunks")
                .isEqualTo(run(decode(bytes, cutsEvery(17, bytes.length)), new PolicyDecider()).bytes());
        assertThat(decider.calls).containsExactly(
                new ToolCall("call_cu", "computer", "{\"type\":\"click\",\"button\":\"left\",\"x\":10,\"y\":20}"),
                new ToolCall("call_ls", "local_shell", "{\"type\":\"exec\",\"command\":[\"rm\",\"-rf\",\"/srv\"],\"env\":{},"
                        + "\"working_directory\":\"/\",\"timeout_ms\":1000,\"user\":\"root\"}"));
        assertThat(parse(decider.messages.get(1)).at("/tool_calls/0/function/name").asText()).isEqualTo("local_shell");
        assertThat(run.failures).isEmpty();
        assertNoTrace(run, "/srv", "lsh_1", "local_shell_call");
        assertThat(run.written.subList(0, 4)).as("the computer call's events as received").extracting(SseEvent::raw)
                .containsExactlyElementsOf(upstream.subList(0, 4).stream().map(SseEvent::raw).toList());
        assertThat(run.types().subList(4, 11)).containsExactly(
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed");
        assertThat(run.json(4).path("output_index").asInt()).isEqualTo(1);
        assertThat(run.json(6).path("delta").asText()).isEqualTo("Tool 'local_shell' is blocked by governance policy.");
        JsonNode response = run.json(10).path("response");
        assertThat(response.path("output")).extracting(item -> item.path("type").asText()).containsExactly("computer_call", "message");
        assertThat(response.at("/output/0")).isEqualTo(parse(upstream.get(6)).at("/response/output/0"));
        assertThat(response.at("/_toolgate/calls")).extracting(c -> c.path("decision").asText()).containsExactly("allowed", "blocked");
        assertThat(response.at("/_toolgate/calls/1/rule").asText()).isEqualTo("no-rm");
        assertIncreasing(run);
        assertEverySdkParses(run);
        assertThat(sdkAccumulated(run).reconstructedResponse().output())
                .extracting(item -> item.isMessage() ? "message" : item.isComputerCall() ? item.asComputerCall().callId() : "other")
                .containsExactly("call_cu", "message");
    }

    @Test
    void shellCallIsHeldWithItsStreamedCommandsAndWithheld() {
        String item = "{\"type\":\"shell_call\",\"id\":\"sh_1\",\"call_id\":\"call_sh\",\"status\":\"%s\","
                + "\"action\":{\"commands\":%s,\"timeout_ms\":1000,\"max_output_length\":4096}}";
        String commands = "[\"ls /srv\",\"rm -rf /srv\"]";
        StreamBuilder stream = new StreamBuilder().start();
        stream.event("response.output_item.added", "\"output_index\":0,\"item\":" + item.formatted("in_progress", "[]"));
        stream.event("response.shell_call_command.added", "\"output_index\":0,\"command_index\":0,\"command\":\"\"");
        stream.event("response.shell_call_command.delta", "\"output_index\":0,\"command_index\":0,\"delta\":\"ls /srv\"");
        stream.event("response.shell_call_command.done", "\"output_index\":0,\"command_index\":0,\"command\":\"ls /srv\"");
        stream.event("response.shell_call_command.added", "\"output_index\":0,\"command_index\":1,\"command\":\"\"");
        stream.event("response.shell_call_command.delta", "\"output_index\":0,\"command_index\":1,\"delta\":\"rm -rf /srv\"");
        stream.event("response.shell_call_command.done", "\"output_index\":0,\"command_index\":1,\"command\":\"rm -rf /srv\"");
        stream.event("response.output_item.done", "\"output_index\":0,\"item\":" + item.formatted("completed", commands));
        stream.completedWith("[" + item.formatted("completed", commands) + "]");
        byte[] bytes = stream.bytes();
        PolicyDecider decider = new PolicyDecider();
        Run run = run(decode(bytes, cutsEvery(7, bytes.length)), decider);

        assertThat(decider.calls).containsExactly(new ToolCall("call_sh", "shell",
                "{\"commands\":[\"ls /srv\",\"rm -rf /srv\"],\"timeout_ms\":1000,\"max_output_length\":4096}"));
        assertNoTrace(run, "/srv", "sh_1", "shell_call");
        assertThat(run.text()).contains("Tool 'shell' is blocked by governance policy.");
        assertThat(run.json(run.written.size() - 1).at("/response/_toolgate/rule").asText()).isEqualTo("no-shell-rm");
        assertIncreasing(run);
        assertEverySdkParses(run);
    }

    @Test
    void finalResponseStatingDifferentArgumentsThanStreamedIsDecidedOnItsOwn() {
        StreamBuilder stream = new StreamBuilder().start()
                .functionCall(0, "fc_pay", "call_pay", "wire_transfer", "{\"amount\":10}", 2)
                .completedWith("[{\"id\":\"fc_pay\",\"type\":\"function_call\",\"status\":\"completed\",\"call_id\":\"call_pay\","
                        + "\"name\":\"wire_transfer\",\"arguments\":\"{\\\"amount\\\":9999}\"}]");
        PolicyDecider decider = new PolicyDecider();
        Run run = run(decode(stream.bytes(), List.of()), decider);

        assertThat(decider.calls).extracting(ToolCall::arguments).containsExactly("{\"amount\":10}", "{\"amount\":9999}");
        JsonNode response = run.json(run.written.size() - 1).path("response");
        assertThat(response.at("/output/0/type").asText()).isEqualTo("message");
        assertThat(response.at("/_toolgate/calls")).extracting(c -> c.path("decision").asText())
                .containsExactly("pending_approval", "allowed");
        assertNoTrace(run, "9999");
    }

    @Test
    void streamEndingWithACallStillOpenDecidesIt() {
        StreamBuilder stream = new StreamBuilder().start();
        stream.event("response.output_item.added", "\"output_index\":0,\"item\":{\"id\":\"fc_del\",\"type\":\"function_call\","
                + "\"status\":\"in_progress\",\"arguments\":\"\",\"call_id\":\"call_del\",\"name\":\"delete_file\"}");
        stream.argumentsDelta(0, "fc_del", "{\"path\":\"/etc\"}");
        Run run = run(decode(stream.bytes(), List.of()), new PolicyDecider());

        assertThat(run.drained).isTrue();
        assertNoTrace(run, "/etc", "fc_del");
        assertThat(run.text()).contains("Tool 'delete_file' is blocked by governance policy.");
    }

    @Test
    void commentsAndEventsWithoutCallsPassUntouched() {
        String text = ": keep-alive\n\n" + new StreamBuilder().start().message(0, "msg_1", "Héllo ✓").completed().text();
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Run run = run(decode(bytes, List.of()), new PolicyDecider());

        assertThat(run.bytes()).isEqualTo(bytes);
    }

    // ---- harness ----

    private static JsonNode parse(SseEvent event) {
        return parse(event.data());
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertNoTrace(Run run, String... secrets) {
        String visible = run.textWithoutMetadata();
        for (String secret : secrets) {
            assertThat(visible).as("output outside the metadata block").doesNotContain(secret);
        }
    }

    private static void assertIncreasing(Run run) {
        List<Long> numbers = run.sequenceNumbers();
        for (int i = 1; i < numbers.size(); i++) {
            assertThat(numbers.get(i)).as("sequence_number %d", i).isGreaterThan(numbers.get(i - 1));
        }
    }

    /** Every data payload is a stream event the official SDK reads; the ones the gateway wrote are complete. */
    private static void assertEverySdkParses(Run run) {
        for (SseEvent event : run.written) {
            if (event.data() == null) {
                continue;
            }
            ResponseStreamEvent parsed;
            try {
                parsed = ObjectMappers.jsonMapper().readValue(event.data(), ResponseStreamEvent.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertThat(parsed.isValid() || parsed.isCompleted() || parsed.isCreated() || parsed.isInProgress())
                    .as("SDK reads %s", event.data()).isTrue();
            if (parsed.isCompleted()) {
                assertThat(parsed.asCompleted().response()._output().asKnown()).as("output items of %s", event.data()).isPresent();
                parsed.asCompleted().response().output().forEach(item -> item.validate());
            }
        }
    }

    /** The official SDK's stream accumulator, fed everything the client received. */
    private static ResponseAccumulator sdkAccumulated(Run run) {
        ResponseAccumulator accumulator = ResponseAccumulator.createWithSnapshots();
        for (SseEvent event : run.written) {
            if (event.data() != null) {
                try {
                    accumulator.accumulate(ObjectMappers.jsonMapper().readValue(event.data(), ResponseStreamEvent.class));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return accumulator;
    }

    /** Cut points splitting {@code length} bytes into chunks of {@code step}. */
    private static List<Integer> cutsEvery(int step, int length) {
        List<Integer> cuts = new ArrayList<>();
        for (int cut = step; cut < length; cut += step) {
            cuts.add(cut);
        }
        return cuts;
    }

    private static List<SseEvent> decode(byte[] bytes, List<Integer> cuts) {
        SseDecoder decoder = new SseDecoder(1 << 20);
        List<SseEvent> events = new ArrayList<>();
        int from = 0;
        List<Integer> ends = new ArrayList<>(cuts);
        ends.add(bytes.length);
        for (int end : ends) {
            ByteBuf chunk = Unpooled.wrappedBuffer(bytes, from, end - from);
            try {
                events.addAll(decoder.decode(chunk));
            } catch (SseDecoder.EventTooLarge e) {
                throw new AssertionError(e);
            } finally {
                chunk.release();
            }
            from = end;
        }
        events.addAll(decoder.finish());
        return events;
    }

    private static Run run(List<SseEvent> events, StreamCallDecider decider) {
        return run(events, decider, ARGUMENT_LIMIT);
    }

    private static Run run(List<SseEvent> events, StreamCallDecider decider, long argumentLimit) {
        Harness harness = new Harness(decider, argumentLimit);
        harness.feed(events);
        harness.end();
        return harness.run;
    }

    private static final class Harness {
        final Run run = new Run();
        final ResponsesStreamRewriter rewriter;
        final OrderedOutput output = new OrderedOutput(Runnable::run, run.written::add, run.failures::add);

        Harness(StreamCallDecider decider, long argumentLimit) {
            rewriter = new ResponsesStreamRewriter(decider, argumentLimit, "_toolgate", PUBLIC_URL);
        }

        void feed(List<SseEvent> events) {
            events.forEach(event -> rewriter.onEvent(event, output));
        }

        void end() {
            rewriter.onEnd(output);
            output.whenDrained(() -> run.drained = true);
        }
    }

    /** What the client received. */
    private static final class Run {
        final List<SseEvent> written = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();
        boolean drained;

        List<String> types() {
            return written.stream().map(event -> event.data() == null ? ":" : parse(event).path("type").asText()).toList();
        }

        JsonNode json(int index) {
            return parse(written.get(index));
        }

        List<Long> sequenceNumbers() {
            return written.stream().filter(event -> event.data() != null)
                    .map(event -> parse(event).path("sequence_number").asLong()).toList();
        }

        /** Text deltas and replacement texts, in order. */
        List<String> texts() {
            return written.stream().filter(event -> event.data() != null).map(ResponsesStreamRewriterTest::parse)
                    .filter(json -> json.path("type").asText().equals("response.output_text.delta"))
                    .map(json -> json.path("delta").asText()).toList();
        }

        byte[] bytes() {
            int size = written.stream().mapToInt(event -> event.raw().length).sum();
            byte[] all = new byte[size];
            int at = 0;
            for (SseEvent event : written) {
                System.arraycopy(event.raw(), 0, all, at, event.raw().length);
                at += event.raw().length;
            }
            return all;
        }

        String text() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        /** Everything sent, with the metadata block (which names the tools decided) taken out. */
        String textWithoutMetadata() {
            return written.stream().map(event -> {
                if (event.data() == null || !(parse(event).path("response") instanceof ObjectNode response)
                        || !response.has("_toolgate")) {
                    return new String(event.raw(), StandardCharsets.UTF_8);
                }
                response.remove("_toolgate");
                return Json.text(response);
            }).collect(Collectors.joining());
        }
    }

    /** The real evaluator, completing at once; held calls get approval id appr-1. */
    private static final class PolicyDecider implements StreamCallDecider {
        final List<ToolCall> calls = new ArrayList<>();
        final List<String> messages = new ArrayList<>();
        /** Calls whose arguments were dropped over the limit: decided as too large, as the gate does. */
        final List<ToolCall> dropped = new ArrayList<>();

        @Override
        public CompletableFuture<GatedCall> decide(ToolCall call, String assistantMessage, boolean argumentsDropped) {
            if (argumentsDropped) {
                dropped.add(call);
                return CompletableFuture.completedFuture(
                        new GatedCall(call, ToolCallGate.tooLarge(ARGUMENT_LIMIT, "test-policy"), "dec-dropped", null, null));
            }
            calls.add(call);
            messages.add(assistantMessage);
            return CompletableFuture.completedFuture(gated(call, calls.size()));
        }

        static GatedCall gated(ToolCall call, int number) {
            Decision decision = engine.evaluate(call, CONTEXT);
            // A fixed decision id, so that output is comparable between runs.
            GatedCall gated = new GatedCall(call, decision, "dec-" + number, null, null);
            return decision instanceof Decision.NeedsApproval ? gated.held("appr-1") : gated;
        }
    }

    /** The real evaluator, completing when the test says so (as a storage commit would, later). */
    private static final class LaterDecider implements StreamCallDecider {
        final Map<String, CompletableFuture<GatedCall>> pending = new LinkedHashMap<>();
        final Map<String, ToolCall> calls = new LinkedHashMap<>();

        @Override
        public CompletableFuture<GatedCall> decide(ToolCall call, String assistantMessage, boolean dropped) {
            CompletableFuture<GatedCall> later = new CompletableFuture<>();
            pending.put(call.id(), later);
            calls.put(call.id(), call);
            return later;
        }

        void complete(String callId) {
            pending.get(callId).complete(PolicyDecider.gated(calls.get(callId), calls.size()));
        }
    }

    /** Builds a Responses stream as the API sends it: named events, consecutive sequence numbers. */
    private static final class StreamBuilder {
        private final StringBuilder sse = new StringBuilder();
        private final List<String> output = new ArrayList<>();
        private int sequence;

        StreamBuilder event(String type, String fields) {
            sse.append("event: ").append(type).append('\n')
                    .append("data: {\"type\":\"").append(type).append("\",").append(fields)
                    .append(",\"sequence_number\":").append(sequence++).append("}\n\n");
            return this;
        }

        StreamBuilder start() {
            String response = "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1763800000,\"status\":\"in_progress\","
                    + "\"model\":\"gpt-4.1-mini\",\"output\":[],\"tools\":[],\"usage\":null}";
            event("response.created", "\"response\":" + response);
            return event("response.in_progress", "\"response\":" + response);
        }

        StreamBuilder message(int index, String id, String text) {
            String quoted = quote(text);
            event("response.output_item.added", "\"output_index\":" + index + ",\"item\":{\"id\":\"" + id
                    + "\",\"type\":\"message\",\"status\":\"in_progress\",\"content\":[],\"role\":\"assistant\"}");
            event("response.content_part.added", "\"item_id\":\"" + id + "\",\"output_index\":" + index
                    + ",\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],\"text\":\"\"}");
            textDelta(index, id, text);
            event("response.output_text.done", "\"item_id\":\"" + id + "\",\"output_index\":" + index
                    + ",\"content_index\":0,\"text\":" + quoted + ",\"logprobs\":[]");
            String part = "{\"type\":\"output_text\",\"annotations\":[],\"text\":" + quoted + "}";
            event("response.content_part.done", "\"item_id\":\"" + id + "\",\"output_index\":" + index
                    + ",\"content_index\":0,\"part\":" + part);
            String item = "{\"id\":\"" + id + "\",\"type\":\"message\",\"status\":\"completed\",\"content\":[" + part
                    + "],\"role\":\"assistant\"}";
            output.add(item);
            return event("response.output_item.done", "\"output_index\":" + index + ",\"item\":" + item);
        }

        StreamBuilder textDelta(int index, String id, String text) {
            return event("response.output_text.delta", "\"item_id\":\"" + id + "\",\"output_index\":" + index
                    + ",\"content_index\":0,\"delta\":" + quote(text) + ",\"logprobs\":[]");
        }

        /** A call whose arguments arrive in {@code pieces} deltas. */
        StreamBuilder functionCall(int index, String id, String callId, String name, String arguments, int pieces) {
            event("response.output_item.added", "\"output_index\":" + index + ",\"item\":{\"id\":\"" + id
                    + "\",\"type\":\"function_call\",\"status\":\"in_progress\",\"arguments\":\"\",\"call_id\":\"" + callId
                    + "\",\"name\":\"" + name + "\"}");
            int step = Math.max(1, (arguments.length() + pieces - 1) / pieces);
            for (int at = 0; at < arguments.length(); at += step) {
                argumentsDelta(index, id, arguments.substring(at, Math.min(arguments.length(), at + step)));
            }
            argumentsDone(index, id, arguments);
            return itemDone(index, id, callId, name, arguments);
        }

        StreamBuilder argumentsDelta(int index, String id, String delta) {
            return event("response.function_call_arguments.delta", "\"item_id\":\"" + id + "\",\"output_index\":" + index
                    + ",\"delta\":" + quote(delta));
        }

        StreamBuilder argumentsDone(int index, String id, String arguments) {
            return event("response.function_call_arguments.done", "\"item_id\":\"" + id + "\",\"output_index\":" + index
                    + ",\"arguments\":" + quote(arguments));
        }

        StreamBuilder itemDone(int index, String id, String callId, String name, String arguments) {
            String item = "{\"id\":\"" + id + "\",\"type\":\"function_call\",\"status\":\"completed\",\"arguments\":"
                    + quote(arguments) + ",\"call_id\":\"" + callId + "\",\"name\":\"" + name + "\"}";
            output.add(item);
            return event("response.output_item.done", "\"output_index\":" + index + ",\"item\":" + item);
        }

        StreamBuilder completed() {
            return completedWith("[" + String.join(",", output) + "]");
        }

        StreamBuilder completedWith(String outputJson) {
            return event("response.completed", "\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1763800000,"
                    + "\"status\":\"completed\",\"model\":\"gpt-4.1-mini\",\"output\":" + outputJson + ",\"tools\":[],"
                    + "\"usage\":{\"input_tokens\":10,\"output_tokens\":5,\"total_tokens\":15}}");
        }

        String text() {
            return sse.toString();
        }

        byte[] bytes() {
            return text().getBytes(StandardCharsets.UTF_8);
        }

        private static String quote(String text) {
            return Json.text(text);
        }
    }
}
