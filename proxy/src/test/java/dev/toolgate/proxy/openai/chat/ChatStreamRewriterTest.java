package dev.toolgate.proxy.openai.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.ObjectMappers;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import dev.toolgate.policy.Action;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.PolicyDefaults;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.policy.RuleSet;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.openai.chat.ChatStreamTranscript.Call;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.stream.OrderedOutput;
import dev.toolgate.proxy.stream.SseDecoder;
import dev.toolgate.proxy.stream.SseEvent;
import dev.toolgate.proxy.stream.StreamCallDecider;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Streamed Chat Completions answers through the rewriter, read at every possible boundary and
 * decided by the real evaluator: what the client receives, in what order, and what never leaves.
 */
class ChatStreamRewriterTest {
    private static final CallContext CONTEXT = CallContext.of("default", "support-bot", "gpt-4o-mini");
    private static final URI PUBLIC_URL = URI.create("https://toolgate.example");
    private static final long CAP = 1 << 20;
    private static final String BLOCKED_DELETE = "Tool 'delete_file' is blocked by governance policy.";
    private static final String PENDING = "Tool requires human approval. Retry once approved.";
    private static final Call GET_WEATHER = new Call("call_Qm1x8Zr2", "function", "get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\"}");
    private static PolicyEngine engine;
    private static byte[] twoCalls;
    private static byte[] interleaved;

    @BeforeAll
    static void rulesAndFixtures() throws RuleCompileException, IOException {
        engine = new PolicyEngine(RuleSet.compile(List.of(
                new Rule("no-deletes", "Block all file deletions", List.of("delete_file"), null, Action.BLOCK, null),
                new Rule("transfers", "Wire transfers need approval", List.of("wire_transfer"), null, Action.APPROVE,
                        "finance@example.com"),
                new Rule("env-files", "Reading .env files is flagged", List.of("read_file"),
                        "has(args.path) && args.path.endsWith('.env')", Action.WARN, null)),
                PolicyDefaults.STANDARD), Set.of());
        twoCalls = fixture("chat-two-tool-calls.sse");
        interleaved = fixture("chat-interleaved-tool-calls.sse");
    }

    // ---- the shared fixture, read at every boundary

    @ParameterizedTest
    @ValueSource(strings = {"chat-two-tool-calls.sse", "chat-interleaved-tool-calls.sse"})
    void everyReadBoundaryGivesTheSameOutput(String name) throws IOException {
        byte[] upstream = fixture(name);
        String whole = new Relay(ChatStreamRewriterTest::policy).feed(upstream).text();
        for (int cut = 0; cut <= upstream.length; cut++) {
            String split = new Relay(ChatStreamRewriterTest::policy).read(upstream, 0, cut).read(upstream, cut, upstream.length).end().text();
            assertThat(split).as("read split at byte %d", cut).isEqualTo(whole);
        }
        assertThat(new Relay(ChatStreamRewriterTest::policy).feedByteByByte(upstream).text()).isEqualTo(whole);
    }

    @Test
    void aStreamWithoutToolCallsLeavesByteForByteAtEveryBoundary() {
        byte[] upstream = textOnlyStream();
        for (int cut = 0; cut <= upstream.length; cut++) {
            byte[] out = new Relay(ChatStreamRewriterTest::policy).read(upstream, 0, cut).read(upstream, cut, upstream.length).end().bytes();
            assertThat(new String(out, UTF_8)).as("read split at byte %d", cut).isEqualTo(new String(upstream, UTF_8));
            assertThat(out).isEqualTo(upstream);
        }
        assertThat(new Relay(ChatStreamRewriterTest::policy).feedByteByByte(upstream).bytes()).isEqualTo(upstream);
    }

    @Test
    void chunksThatOnlyNameCallsWithoutCarryingAnyLeaveByteForByte() {
        // Some OpenAI-compatible servers send "tool_calls": null (or []) in every delta; text may
        // quote the words too. None of it is a call, and every chunk still leaves, the last included.
        ObjectNode nullCalls = text("Hello");
        nullCalls.putNull("tool_calls");
        nullCalls.putNull("function_call");
        ObjectNode emptyCalls = text(" world");
        emptyCalls.putArray("tool_calls");
        byte[] upstream = sse(
                chunk(0, nullCalls, null),
                chunk(0, emptyCalls, null),
                chunk(0, text("the key is \"tool_calls"), null),
                chunk(0, Json.object(), "stop"));

        Relay relay = new Relay(ChatStreamRewriterTest::policy).feed(upstream);

        assertThat(relay.bytes()).isEqualTo(upstream);
        assertThat(relay.failures).isEmpty();
    }

    @Test
    void textThatQuotesCallsOrEscapedJsonLeavesByteForByte() {
        byte[] upstream = sse(
                chunk(0, text("Use {\"tool_calls\":[{\"function\":{\"name\":\"delete_file\"}}]} "), null),
                chunk(0, text("and \"function_call\": \"}]} {\\\" — "), null),
                chunk(0, text("\u0000\t\u2028 done"), null),
                chunk(0, Json.object(), "stop"));

        Relay relay = new Relay(ChatStreamRewriterTest::policy).feed(upstream);

        assertThat(relay.bytes()).isEqualTo(upstream);
        assertThat(ChatStreamTranscript.of(relay.bytes()).calls(0)).isEmpty();
    }

    @Test
    void aBlockedCallAfterManyTextChunksIsHeldAtEveryReadBoundary() {
        List<String> chunks = new ArrayList<>();
        StringBuilder written = new StringBuilder();
        StringBuilder textEvents = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            chunks.add(chunk(0, text(" token" + i), null));
            written.append(" token").append(i);
            textEvents.append("data: ").append(chunks.get(i)).append("\n\n");
        }
        chunks.add(chunk(0, toolCalls(call(0, "call_del", "delete_file", "")), null));
        chunks.add(chunk(0, toolCalls(call(0, null, null, "{\"path\":\"/srv/secret-plans\"}")), null));
        chunks.add(chunk(0, Json.object(), "tool_calls"));
        byte[] upstream = sse(chunks.toArray(String[]::new));

        String whole = new Relay(ChatStreamRewriterTest::policy).feed(upstream).text();

        ChatStreamTranscript answer = ChatStreamTranscript.of(whole.getBytes(UTF_8));
        assertThat(answer.calls(0)).isEmpty();
        // Text the scan let through unparsed still counts as text: the explanation follows it.
        assertThat(answer.content(0)).isEqualTo(written + "\n\n" + BLOCKED_DELETE);
        assertThat(answer.finishReason(0)).isEqualTo("stop");
        assertThat(whole).doesNotContain("secret-plans").startsWith(textEvents.toString());
        for (int cut = upstream.length - 1500; cut <= upstream.length; cut++) {
            String split = new Relay(ChatStreamRewriterTest::policy).read(upstream, 0, cut).read(upstream, cut, upstream.length).end().text();
            assertThat(split).as("read split at byte %d", cut).isEqualTo(whole);
        }
        assertThat(new Relay(ChatStreamRewriterTest::policy).feedByteByByte(upstream).text()).isEqualTo(whole);
    }

    @Test
    void aCallInATextChunksShapeBehindItsTextIsHeld() {
        byte[] upstream = sse(
                chunk(0, text("Cleaning"), null),
                chunk(0, text(" up"), null),
                // Byte for byte a text chunk up to the end of its text: only what follows differs.
                chunk(0, merge(text(" now"), toolCalls(call(0, "call_del", "delete_file", "{\"path\":\"/srv/secret-plans\"}"))), null),
                chunk(0, Json.object(), "tool_calls"));

        String out = new Relay(ChatStreamRewriterTest::policy).feed(upstream).text();

        ChatStreamTranscript answer = ChatStreamTranscript.of(out.getBytes(UTF_8));
        assertThat(answer.calls(0)).isEmpty();
        assertThat(answer.content(0)).isEqualTo("Cleaning up now\n\n" + BLOCKED_DELETE);
        assertThat(out).doesNotContain("secret-plans");
    }

    @Test
    void anAllowedCallLeavesAsTheUpstreamsOwnEvents() {
        Relay relay = new Relay(ChatStreamRewriterTest::policy).feed(twoCalls);

        ChatStreamTranscript answer = ChatStreamTranscript.of(relay.bytes());
        assertThat(answer.calls(0)).containsExactly(GET_WEATHER);
        assertThat(answer.callDeltas(0)).isEqualTo(7);
        List<SseEvent> upstream = decode(twoCalls);
        assertThat(relay.text()).contains(concat(upstream.subList(1, 8)));
    }

    @Test
    void noByteOfABlockedCallsNameOrArgumentsLeaves() {
        String out = new Relay(ChatStreamRewriterTest::policy).feed(twoCalls).text();

        for (String fragment : List.of("customers", "/var/data", "/va", "r/data", "/custo", "mers.c", "\"name\":\"delete_file\"")) {
            assertThat(out).doesNotContain(fragment);
        }
        // The name appears only where the agent is told what was blocked.
        assertThat(out.replace(BLOCKED_DELETE, "").replace("\"tool\":\"delete_file\"", "")).doesNotContain("delete_file");
        assertThat(ChatStreamTranscript.of(out.getBytes(UTF_8)).calls(0)).extracting(Call::name).containsExactly("get_weather");
    }

    @Test
    void aBlockedCallIsReplacedByOneContentDeltaAfterTheModelsText() {
        ChatStreamTranscript answer = ChatStreamTranscript.of(new Relay(ChatStreamRewriterTest::policy).feed(twoCalls).bytes());

        assertThat(answer.content(0)).isEqualTo("I'll check the weather and clean up the old file. \n\n" + BLOCKED_DELETE);
        assertThat(answer.chunks()).filteredOn(c -> c.path("choices").path(0).path("delta").path("content").asText("").contains("blocked"))
                .extracting(c -> c.path("choices").path(0).path("delta").path("content").asText())
                .containsExactly("\n\n" + BLOCKED_DELETE);
    }

    @Test
    void theFinishReasonStaysWhileACallIsReleasedAndBecomesStopWhenNoneIs() {
        Relay partial = new Relay(ChatStreamRewriterTest::policy).feed(twoCalls);
        assertThat(ChatStreamTranscript.of(partial.bytes()).finishReason(0)).isEqualTo("tool_calls");
        assertThat(partial.text()).as("the upstream's own finish chunk").contains(new String(decode(twoCalls).get(15).raw(), UTF_8));

        ChatStreamTranscript blocked = ChatStreamTranscript.of(new Relay(ChatStreamRewriterTest::policy).feed(sse(
                chunk(0, toolCalls(call(0, "call_d1", "delete_file", "")), null),
                chunk(0, toolCalls(call(0, null, null, "{\"path\":\"/tmp/a\"}")), null),
                chunk(0, Json.object(), "tool_calls"))).bytes());
        assertThat(blocked.finishReason(0)).isEqualTo("stop");
        assertThat(blocked.content(0)).isEqualTo(BLOCKED_DELETE);

        ChatStreamTranscript pending = ChatStreamTranscript.of(new Relay(ChatStreamRewriterTest::policy).feed(sse(
                chunk(0, toolCalls(call(0, "call_w1", "wire_transfer", "{\"amount\":5000}")), null),
                chunk(0, Json.object(), "tool_calls"))).bytes());
        assertThat(pending.finishReason(0)).isEqualTo("stop");
        assertThat(pending.content(0)).isEqualTo(PENDING);
        assertThat(pending.metadata().path("status").asText()).isEqualTo("pending_approval");
        assertThat(pending.metadata().path("approval_id").asText()).isEqualTo("appr-1");
    }

    @Test
    void theUsageChunkPassesThroughUnchangedAfterTheFinish() {
        String out = new Relay(ChatStreamRewriterTest::policy).feed(twoCalls).text();
        List<SseEvent> upstream = decode(twoCalls);

        String usage = new String(upstream.get(17).raw(), UTF_8);
        assertThat(out).contains(usage);
        assertThat(out.indexOf(usage)).isGreaterThan(out.indexOf("\"finish_reason\":\"tool_calls\""));
    }

    @Test
    void theMetadataRidesOnAnExtraChunkJustBeforeDone() {
        ChatStreamTranscript answer = ChatStreamTranscript.of(new Relay(ChatStreamRewriterTest::policy).feed(twoCalls).bytes());

        List<SseEvent> events = answer.events();
        assertThat(answer.endsWithDone()).isTrue();
        JsonNode last = Json.MAPPER.valueToTree(parse(events.get(events.size() - 2).data()));
        assertThat(last.path("id").asText()).isEqualTo("chatcmpl-CXk2Ab19fQe7");
        assertThat(last.path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(last.path("created").asLong()).isEqualTo(1763800000L);
        assertThat(last.path("model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(last.path("choices").isArray() && last.path("choices").isEmpty()).isTrue();
        JsonNode metadata = last.path("_toolgate");
        assertThat(metadata.path("status").asText()).isEqualTo("partial");
        assertThat(metadata.path("calls")).hasSize(2);
        assertThat(metadata.path("calls").get(0).path("id").asText()).isEqualTo("call_Qm1x8Zr2");
        assertThat(metadata.path("calls").get(0).path("tool").asText()).isEqualTo("get_weather");
        assertThat(metadata.path("calls").get(0).path("decision").asText()).isEqualTo("allowed");
        assertThat(metadata.path("calls").get(1).path("id").asText()).isEqualTo("call_Hp7Lw3Ts");
        assertThat(metadata.path("calls").get(1).path("tool").asText()).isEqualTo("delete_file");
        assertThat(metadata.path("calls").get(1).path("decision").asText()).isEqualTo("blocked");
        assertThat(metadata.path("calls").get(1).path("rule").asText()).isEqualTo("no-deletes");
        assertThat(answer.chunks()).filteredOn(c -> c.has("_toolgate")).hasSize(1);
    }

    @Test
    void theMetadataFieldNameIsTheConfiguredOne() {
        Relay relay = new Relay(new ChatStreamRewriter(ChatStreamRewriterTest::policy, "x_gate", PUBLIC_URL, CAP));
        String out = relay.feed(twoCalls).text();
        assertThat(out).contains("\"x_gate\":{\"status\":\"partial\"").doesNotContain("_toolgate");
    }

    // ---- shapes of streams

    @Test
    void interleavedParallelCallsAreEachReassembledAndDecided() {
        Relay relay = new Relay(ChatStreamRewriterTest::policy).feed(interleaved);
        String out = relay.text();
        ChatStreamTranscript answer = ChatStreamTranscript.of(relay.bytes());

        assertThat(answer.calls(0)).containsExactly(new Call("call_Rf5Kd1Vn", "function", "read_file", "{\"path\":\"/app/.env\"}"));
        assertThat(answer.callDeltas(0)).isEqualTo(5);
        for (String fragment : List.of("\"name\":\"wire_transfer\"", "amo", "5000", "acct", "ct-99")) {
            assertThat(out).doesNotContain(fragment);
        }
        assertThat(answer.content(0)).isEqualTo(PENDING);
        assertThat(answer.finishReason(0)).isEqualTo("tool_calls");
        JsonNode metadata = answer.metadata();
        assertThat(metadata.path("status").asText()).isEqualTo("partial");
        assertThat(metadata.path("warnings").get(0).path("rule").asText()).isEqualTo("env-files");
        assertThat(metadata.path("calls").get(0).path("decision").asText()).isEqualTo("allowed");
        assertThat(metadata.path("calls").get(1).path("decision").asText()).isEqualTo("pending_approval");
        assertThat(metadata.path("calls").get(1).path("approval_id").asText()).isEqualTo("appr-1");
    }

    @Test
    void textBeforeAndAfterToolCallsPassesThroughAtOnce() {
        ManualDecider decider = new ManualDecider();
        Relay relay = new Relay(decider);
        byte[] upstream = sse(
                chunk(0, text("Let me look. "), null),
                chunk(0, toolCalls(call(0, "call_w", "get_weather", "")), null),
                chunk(0, toolCalls(call(0, null, null, "{\"city\":\"Oslo\"}")), null),
                chunk(0, toolCalls(call(1, "call_d", "delete_file", "{\"path\":\"/srv/x\"}")), null),
                chunk(0, text("One moment."), null),
                chunk(0, Json.object(), "tool_calls"));
        relay.feedWithoutEnd(upstream);
        assertThat(ChatStreamTranscript.of(relay.bytes()).content(0)).as("text while the calls are held").isEqualTo("Let me look. One moment.");
        assertThat(relay.text()).doesNotContain("get_weather");

        decider.completeAll();
        relay.end();
        ChatStreamTranscript answer = ChatStreamTranscript.of(relay.bytes());
        assertThat(answer.content(0)).isEqualTo("Let me look. One moment.\n\n" + BLOCKED_DELETE);
        assertThat(answer.calls(0)).containsExactly(new Call("call_w", "function", "get_weather", "{\"city\":\"Oslo\"}"));
        assertThat(answer.finishReason(0)).isEqualTo("tool_calls");
        assertThat(relay.text()).doesNotContain("/srv/x");
    }

    @Test
    void contentAndToolCallsInOneChunkAreSplit() {
        ManualDecider decider = new ManualDecider();
        Relay relay = new Relay(decider);
        ObjectNode mixed = merge(role(), text("Checking. "), toolCalls(call(0, "call_m", "get_weather", "{\"city\":\"Rome\"}")));
        relay.feedWithoutEnd(sse(chunk(0, mixed, null), chunk(0, Json.object(), "tool_calls")));

        ChatStreamTranscript held = ChatStreamTranscript.of(relay.bytes());
        assertThat(held.content(0)).isEqualTo("Checking. ");
        assertThat(held.chunks().get(0).path("choices").get(0).path("delta").path("role").asText()).isEqualTo("assistant");
        assertThat(held.chunks().get(0).path("choices").get(0).path("delta").has("tool_calls")).isFalse();
        assertThat(relay.text()).doesNotContain("get_weather");

        decider.completeAll();
        relay.end();
        ChatStreamTranscript answer = ChatStreamTranscript.of(relay.bytes());
        assertThat(answer.content(0)).isEqualTo("Checking. ");
        assertThat(answer.calls(0)).containsExactly(new Call("call_m", "function", "get_weather", "{\"city\":\"Rome\"}"));
        assertThat(answer.finishReason(0)).isEqualTo("tool_calls");
    }

    @Test
    void severalWholeCallsInOneChunkAreDecidedEachOnItsOwn() {
        Relay relay = new Relay(ChatStreamRewriterTest::policy).feed(sse(
                chunk(0, merge(role(), toolCalls(call(0, "call_x", "delete_file", "{\"path\":\"/srv/secret\"}"),
                        call(1, "call_y", "get_weather", "{\"city\":\"Lima\"}"))), null),
                chunk(0, Json.object(), "tool_calls")));

        ChatStreamTranscript answer = ChatStreamTranscript.of(relay.bytes());
        assertThat(answer.calls(0)).containsExactly(new Call("call_y", "function", "get_weather", "{\"city\":\"Lima\"}"));
        assertThat(answer.content(0)).isEqualTo(BLOCKED_DELETE);
        assertThat(relay.text()).doesNotContain("/srv/secret").doesNotContain("\"name\":\"delete_file\"");
    }

    @Test
    void eachChoiceIsDecidedOnItsOwn() {
        ChatStreamTranscript answer = ChatStreamTranscript.of(new Relay(ChatStreamRewriterTest::policy).feed(twoChoices()).bytes());

        assertThat(answer.calls(0)).extracting(Call::name).containsExactly("get_weather");
        assertThat(answer.finishReason(0)).isEqualTo("tool_calls");
        assertThat(answer.calls(1)).isEmpty();
        assertThat(answer.content(1)).isEqualTo("Cleanup: \n\n" + BLOCKED_DELETE);
        assertThat(answer.finishReason(1)).isEqualTo("stop");
    }

    @Test
    void aLegacyFunctionCallIsDecidedLikeAToolCall() {
        Relay blocked = new Relay(ChatStreamRewriterTest::policy).feed(sse(
                chunk(0, merge(role(), functionCall("delete_file", "")), null),
                chunk(0, functionCall(null, "{\"path\":\"/etc/passwd\"}"), null),
                chunk(0, Json.object(), "function_call")));
        ChatStreamTranscript answer = ChatStreamTranscript.of(blocked.bytes());
        assertThat(blocked.text()).doesNotContain("/etc/passwd").doesNotContain("function_call\":{");
        assertThat(answer.content(0)).isEqualTo(BLOCKED_DELETE);
        assertThat(answer.finishReason(0)).isEqualTo("stop");

        byte[] upstream = sse(
                chunk(0, functionCall("get_weather", ""), null),
                chunk(0, functionCall(null, "{\"city\":\"Kyiv\"}"), null),
                chunk(0, Json.object(), "function_call"));
        String allowed = new Relay(ChatStreamRewriterTest::policy).feed(upstream).text();
        // The finish chunk is the stream's last, so it also carries the metadata block.
        assertThat(allowed).startsWith(concat(decode(upstream).subList(0, 2)));
        ChatStreamTranscript released = ChatStreamTranscript.of(allowed.getBytes(UTF_8));
        assertThat(released.finishReason(0)).isEqualTo("function_call");
        assertThat(released.metadata().path("status").asText()).isEqualTo("allowed");
    }

    /** Found by ChatStreamFuzzTest: SDKs join fragments by index, so "delete_" + "file" would run as delete_file. */
    @Test
    void moreOfACallAfterItsChoiceFinishedIsRefusedNotJoinedToWhatWasReleased() {
        for (boolean legacy : new boolean[] {false, true}) {
            Relay relay = new Relay(ChatStreamRewriterTest::policy);
            relay.feedWithoutEnd(sse(
                    chunk(0, legacy ? functionCall("delete_", "") : toolCalls(call(0, "call_1", "delete_", "")), null),
                    chunk(0, Json.object(), legacy ? "function_call" : "tool_calls")));
            String released = relay.text();
            assertThat(released).contains("\"delete_\"");

            String rest = "{\"path\":\"/etc/passwd\"}";
            ObjectNode more = legacy ? functionCall("file", rest) : toolCalls(call(0, null, "file", rest));
            assertThatThrownBy(() -> relay.feedWithoutEnd(sse(chunk(0, more, null))))
                    .isInstanceOf(UnreadableAnswerException.class).hasMessageContaining("after it had finished");
            assertThat(relay.text()).isEqualTo(released).doesNotContain("/etc/passwd", "\"file\"");
        }
    }

    @Test
    void openCallsAreDecidedWhenTheStreamEndsWithoutDone() {
        List<SseEvent> upstream = decode(twoCalls);
        Relay relay = new Relay(ChatStreamRewriterTest::policy).feed(concat(upstream.subList(0, 16)).getBytes(UTF_8));

        ChatStreamTranscript answer = ChatStreamTranscript.of(relay.bytes());
        assertThat(answer.calls(0)).containsExactly(GET_WEATHER);
        assertThat(answer.content(0)).endsWith(BLOCKED_DELETE);
        assertThat(answer.endsWithDone()).isFalse();
        assertThat(answer.chunks().get(answer.chunks().size() - 1).has("_toolgate")).isTrue();
    }

    @Test
    void commentsAndEventsThatAreNotChunksPassThroughUnchanged() {
        List<SseEvent> upstream = decode(twoCalls);
        String odd = ": keep-alive\n\n" + "data: not json\n\n" + "event: error\ndata: {\"error\":{\"message\":\"slow down\"}}\n\n";
        String stream = concat(upstream.subList(0, 5)) + odd + concat(upstream.subList(5, upstream.size()));

        String out = new Relay(ChatStreamRewriterTest::policy).feed(stream.getBytes(UTF_8)).text();
        assertThat(out).contains(odd);
        assertThat(ChatStreamTranscript.of(out.getBytes(UTF_8)).calls(0)).containsExactly(GET_WEATHER);
    }

    // ---- decisions: order, failure, limits

    @Test
    void decisionsCompletingOutOfOrderStillLeaveInStreamOrder() {
        for (byte[] upstream : List.of(twoCalls, twoChoices(), interleaved)) {
            String expected = new Relay(ChatStreamRewriterTest::policy).feed(upstream).text();
            ManualDecider decider = new ManualDecider();
            Relay relay = new Relay(decider).feed(upstream);
            assertThat(decider.pending).hasSizeGreaterThanOrEqualTo(2);

            for (int i = decider.pending.size() - 1; i > 0; i--) {
                decider.complete(i);
                assertThat(relay.text()).as("nothing after the first undecided call leaves").doesNotContain("[DONE]");
            }
            decider.complete(0);
            assertThat(relay.text()).isEqualTo(expected);
        }
    }

    @Test
    void aFailedDecisionEndsTheStreamWithoutReleasingAnythingHeld() {
        IllegalStateException auditDown = new IllegalStateException("audit log unavailable");
        Relay relay = new Relay((call, message, dropped) -> call.name().equals("delete_file")
                ? CompletableFuture.failedFuture(auditDown) : policy(call, message, dropped)).feed(twoCalls);

        assertThat(relay.failures).containsExactly(auditDown);
        assertThat(relay.text()).isEqualTo(new String(decode(twoCalls).get(0).raw(), UTF_8));
    }

    @Test
    void aDeciderThatThrowsFailsTheStreamToo() {
        Relay relay = new Relay((call, message, dropped) -> {
            throw new IllegalStateException("evaluator bug");
        }).feed(twoCalls);

        assertThat(relay.failures).extracting(Throwable::getMessage).containsExactly("evaluator bug");
        assertThat(relay.text()).doesNotContain("get_weather").doesNotContain("[DONE]");
    }

    @Test
    void oversizedArgumentsAreDroppedAndDecidedAsTooLargeWithoutBeingKept() {
        List<String> asked = new ArrayList<>();
        List<ToolCall> dropped = new ArrayList<>();
        Relay relay = new Relay(new ChatStreamRewriter((call, message, argumentsDropped) -> {
            if (argumentsDropped) {
                dropped.add(call);
                return CompletableFuture.completedFuture(GatedCall.decided(call, ToolCallGate.tooLarge(256, "v-test")));
            }
            asked.add(call.name());
            return policy(call, message, false);
        }, "_toolgate", PUBLIC_URL, 256));
        List<String> chunks = new ArrayList<>();
        chunks.add(chunk(0, toolCalls(call(0, "call_big", "write_file", "{\"content\":\"")), null));
        for (int i = 0; i < 12; i++) {
            chunks.add(chunk(0, toolCalls(call(0, null, null, "x".repeat(50))), null));
        }
        chunks.add(chunk(0, toolCalls(call(0, null, null, "\"}")), null));
        chunks.add(chunk(0, toolCalls(call(1, "call_ok", "get_weather", "{\"city\":\"Quito\"}")), null));
        chunks.add(chunk(0, Json.object(), "tool_calls"));
        relay.feed(sse(chunks.toArray(String[]::new)));

        assertThat(asked).containsExactly("get_weather");
        assertThat(dropped).as("decided as too large, with none of its arguments held")
                .containsExactly(new ToolCall("call_big", "write_file", ""));
        assertThat(relay.text()).doesNotContain("xxxxx");
        ChatStreamTranscript answer = ChatStreamTranscript.of(relay.bytes());
        assertThat(answer.calls(0)).containsExactly(new Call("call_ok", "function", "get_weather", "{\"city\":\"Quito\"}"));
        assertThat(answer.content(0)).isEqualTo("Tool 'write_file' is blocked by governance policy.");
        JsonNode big = answer.metadata().path("calls").get(0);
        assertThat(big.path("decision").asText()).isEqualTo("blocked");
        assertThat(big.path("rule").asText()).isEqualTo("oversized-arguments");
        assertThat(big.path("reason").asText()).isEqualTo("arguments exceed the limit of 256 bytes");
        assertThat(answer.metadata().path("policy_version").asText()).isEqualTo("v-test");
    }

    @Test
    void aCallWhoseEventsOutgrowTheLimitIsReleasedIntactInOneChunk() {
        List<ToolCall> asked = new ArrayList<>();
        Relay relay = new Relay(new ChatStreamRewriter((call, message, dropped) -> {
            asked.add(call);
            return policy(call, message, dropped);
        }, "_toolgate", PUBLIC_URL, 200)).feed(twoCalls);

        assertThat(asked).extracting(ToolCall::arguments).first().isEqualTo(GET_WEATHER.arguments());
        ChatStreamTranscript answer = ChatStreamTranscript.of(relay.bytes());
        assertThat(answer.calls(0)).containsExactly(GET_WEATHER);
        assertThat(answer.callDeltas(0)).isEqualTo(1);
        assertThat(relay.text()).doesNotContain("customers");
    }

    @Test
    void theDeciderGetsTheCallAsAnAssistantMessage() throws IOException {
        List<String> messages = new ArrayList<>();
        new Relay((call, message, dropped) -> {
            messages.add(message);
            return policy(call, message, dropped);
        }).feed(twoCalls);

        assertThat(messages).hasSize(2);
        JsonNode first = Json.MAPPER.readTree(messages.get(0));
        assertThat(first.path("role").asText()).isEqualTo("assistant");
        assertThat(first.path("content").isNull()).isTrue();
        JsonNode toolCall = first.path("tool_calls").get(0);
        assertThat(toolCall.path("id").asText()).isEqualTo("call_Qm1x8Zr2");
        assertThat(toolCall.path("type").asText()).isEqualTo("function");
        assertThat(toolCall.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(toolCall.path("function").path("arguments").asText()).isEqualTo(GET_WEATHER.arguments());
    }

    // ---- a real client

    @Test
    void theOpenAiSdkReadsEveryChunkAndAssemblesTheAnswer() throws IOException {
        ChatStreamTranscript answer = ChatStreamTranscript.of(new Relay(ChatStreamRewriterTest::policy).feed(twoCalls).bytes());
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        for (SseEvent event : answer.events()) {
            if (event.isDone()) {
                continue;
            }
            ChatCompletionChunk chunk = ObjectMappers.jsonMapper().readValue(event.data(), ChatCompletionChunk.class);
            chunk.validate();
            // The SDK's accumulator refuses any chunk after the final one (finish, then usage),
            // so the metadata chunk is parsed but not accumulated.
            if (!chunk._additionalProperties().containsKey("_toolgate")) {
                accumulator.accumulate(chunk);
            }
        }

        var message = accumulator.chatCompletion().choices().get(0).message();
        List<ChatCompletionMessageToolCall> calls = message.toolCalls().orElseThrow();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).asFunction().id()).isEqualTo("call_Qm1x8Zr2");
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("get_weather");
        assertThat(calls.get(0).asFunction().function().arguments()).isEqualTo(GET_WEATHER.arguments());
        assertThat(message.content()).hasValue("I'll check the weather and clean up the old file. \n\n" + BLOCKED_DELETE);
    }

    // ---- the relay, the decider, streams

    /** Feeds bytes through SseDecoder and the rewriter into OrderedOutput, as the relay does, on one thread. */
    private static final class Relay {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final List<Throwable> failures = new ArrayList<>();
        final OrderedOutput output = new OrderedOutput(Runnable::run, event -> written.writeBytes(event.raw()), failures::add);
        final SseDecoder decoder = new SseDecoder(1 << 20);
        final ChatStreamRewriter rewriter;

        Relay(StreamCallDecider decider) {
            this(new ChatStreamRewriter(decider, "_toolgate", PUBLIC_URL, CAP));
        }

        Relay(ChatStreamRewriter rewriter) {
            this.rewriter = rewriter;
        }

        Relay feed(byte[] stream) {
            return read(stream, 0, stream.length).end();
        }

        Relay feedWithoutEnd(byte[] stream) {
            return read(stream, 0, stream.length);
        }

        Relay feedByteByByte(byte[] stream) {
            for (int i = 0; i < stream.length; i++) {
                read(stream, i, i + 1);
            }
            return end();
        }

        Relay read(byte[] stream, int from, int to) {
            ByteBuf chunk = Unpooled.wrappedBuffer(stream, from, to - from);
            try {
                decoder.decode(chunk).forEach(event -> rewriter.onEvent(event, output));
            } catch (SseDecoder.EventTooLarge e) {
                throw new IllegalStateException(e);
            } finally {
                chunk.release();
            }
            return this;
        }

        Relay end() {
            decoder.finish().forEach(event -> rewriter.onEvent(event, output));
            rewriter.onEnd(output);
            return this;
        }

        byte[] bytes() {
            return written.toByteArray();
        }

        String text() {
            return written.toString(UTF_8);
        }
    }

    /** The real evaluator; ids are fixed (GatedCall.decided would draw random ones) so outputs compare byte for byte. */
    /** As the gate decides: a call whose arguments were dropped is too large, any other goes to the evaluator. */
    private static CompletableFuture<GatedCall> policy(ToolCall call, String assistantMessage, boolean dropped) {
        return CompletableFuture.completedFuture(dropped
                ? new GatedCall(call, ToolCallGate.tooLarge(CAP, engine.ruleSet().version()), "decision-" + call.id(), null, null)
                : decided(call));
    }

    private static GatedCall decided(ToolCall call) {
        Decision decision = engine.evaluate(call, CONTEXT);
        GatedCall gated = new GatedCall(call, decision, "decision-" + call.id(), null, null);
        return gated.pending() ? gated.held("appr-1") : gated;
    }

    /** Hands out futures the test completes when and in what order it likes. */
    private static final class ManualDecider implements StreamCallDecider {
        final List<ToolCall> calls = new ArrayList<>();
        final List<CompletableFuture<GatedCall>> pending = new ArrayList<>();

        @Override
        public CompletableFuture<GatedCall> decide(ToolCall call, String assistantMessage, boolean dropped) {
            CompletableFuture<GatedCall> future = new CompletableFuture<>();
            calls.add(call);
            pending.add(future);
            return future;
        }

        void complete(int i) {
            pending.get(i).complete(decided(calls.get(i)));
        }

        void completeAll() {
            for (int i = 0; i < pending.size(); i++) {
                complete(i);
            }
        }
    }

    /** n=2: choice 0 asks for the weather, choice 1 to delete a file; their chunks alternate. */
    private static byte[] twoChoices() {
        return sse(
                chunk(0, merge(role(), text("Weather: ")), null),
                chunk(1, merge(role(), text("Cleanup: ")), null),
                chunk(0, toolCalls(call(0, "call_c0", "get_weather", "")), null),
                chunk(1, toolCalls(call(0, "call_c1", "delete_file", "")), null),
                chunk(0, toolCalls(call(0, null, null, "{\"city\":\"Bern\"}")), null),
                chunk(1, toolCalls(call(0, null, null, "{\"path\":\"/srv/old\"}")), null),
                chunk(0, Json.object(), "tool_calls"),
                chunk(1, Json.object(), "tool_calls"),
                "{\"id\":\"chatcmpl-T1\",\"object\":\"chat.completion.chunk\",\"created\":1763800200,\"model\":\"gpt-4o-mini\","
                        + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":30,\"total_tokens\":39}}");
    }

    /** Text only, with CRLF line ends, a comment and characters of two to four UTF-8 bytes. */
    private static byte[] textOnlyStream() {
        return (": keep-alive\r\n\r\n"
                + "data: " + chunk(0, merge(role(), text("Café ")), null) + "\r\n\r\n"
                + "data: " + chunk(0, text("☕ and 😀 — done."), null) + "\r\n\r\n"
                + "data: " + chunk(0, Json.object(), "stop") + "\r\n\r\n"
                + "data: [DONE]\r\n\r\n").getBytes(UTF_8);
    }

    /** Data events in the Chat Completions framing, then {@code [DONE]}. */
    private static byte[] sse(String... chunks) {
        StringBuilder stream = new StringBuilder();
        for (String chunk : chunks) {
            stream.append("data: ").append(chunk).append("\n\n");
        }
        return stream.append("data: [DONE]\n\n").toString().getBytes(UTF_8);
    }

    private static String chunk(int choice, ObjectNode delta, String finishReason) {
        ObjectNode chunk = Json.object();
        chunk.put("id", "chatcmpl-T1");
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", 1763800200);
        chunk.put("model", "gpt-4o-mini");
        ObjectNode entry = chunk.putArray("choices").addObject();
        entry.put("index", choice);
        entry.set("delta", delta);
        entry.putNull("logprobs");
        entry.put("finish_reason", finishReason);
        return Json.text(chunk);
    }

    private static ObjectNode role() {
        ObjectNode delta = Json.object();
        delta.put("role", "assistant");
        return delta;
    }

    private static ObjectNode text(String content) {
        ObjectNode delta = Json.object();
        delta.put("content", content);
        return delta;
    }

    /** One {@code tool_calls} element; id and name only where the upstream sends them (the first delta). */
    private static ObjectNode call(int index, String id, String name, String arguments) {
        ObjectNode call = Json.object();
        call.put("index", index);
        if (id != null) {
            call.put("id", id);
            call.put("type", "function");
        }
        ObjectNode function = call.putObject("function");
        if (name != null) {
            function.put("name", name);
        }
        function.put("arguments", arguments);
        return call;
    }

    private static ObjectNode toolCalls(ObjectNode... calls) {
        ObjectNode delta = Json.object();
        for (ObjectNode call : calls) {
            delta.withArray("tool_calls").add(call);
        }
        return delta;
    }

    private static ObjectNode functionCall(String name, String arguments) {
        ObjectNode delta = Json.object();
        ObjectNode function = delta.putObject("function_call");
        if (name != null) {
            function.put("name", name);
        }
        function.put("arguments", arguments);
        return delta;
    }

    private static ObjectNode merge(ObjectNode... deltas) {
        ObjectNode merged = Json.object();
        for (ObjectNode delta : deltas) {
            merged.setAll(delta);
        }
        return merged;
    }

    private static List<SseEvent> decode(byte[] stream) {
        return ChatStreamTranscript.of(stream).events();
    }

    private static String concat(List<SseEvent> events) {
        StringBuilder text = new StringBuilder();
        events.forEach(e -> text.append(new String(e.raw(), UTF_8)));
        return text.toString();
    }

    private static JsonNode parse(String data) {
        try {
            return Json.MAPPER.readTree(data);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = ChatStreamRewriterTest.class.getResourceAsStream("/fixtures/" + name)) {
            return in.readAllBytes();
        }
    }
}
