package dev.toolgate.proxy.openai.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.Action;
import dev.toolgate.policy.CallContext;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.PolicyDefaults;
import dev.toolgate.policy.PolicyEngine;
import dev.toolgate.policy.Rule;
import dev.toolgate.policy.RuleCompileException;
import dev.toolgate.policy.RuleSet;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.server.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Chat Completions answers after their calls were decided by the real evaluator: what is removed, what stays. */
class ChatResponseRewriterTest {
    private static final CallContext CONTEXT = CallContext.of("default", "support-bot", "gpt-4o");
    private static PolicyEngine engine;

    @BeforeAll
    static void rules() throws RuleCompileException {
        engine = new PolicyEngine(RuleSet.compile(List.of(
                new Rule("no-deletes", "Block all file deletions", List.of("delete_file"), null, Action.BLOCK, null),
                new Rule("big-transfers", "Big transfers need approval", List.of("wire_transfer"),
                        "has(args.amount) && args.amount > 1000", Action.APPROVE, "finance@example.com")),
                PolicyDefaults.STANDARD), Set.of());
    }

    /** The upstream body, parsed as the endpoint parses it, with every call decided. */
    private record Rewritten(JsonNode original, JsonNode body, String text, List<GatedCall> gated) {
        JsonNode choice(int index) {
            return body.path("choices").get(index);
        }
    }

    private static Rewritten decideAndRewrite(String upstreamJson) throws IOException {
        return decideAndRewrite(upstreamJson, "_toolgate");
    }

    private static Rewritten decideAndRewrite(String upstreamJson, String metadataField) throws IOException {
        JsonNode original = Json.MAPPER.readTree(upstreamJson);
        ChatCompletion completion = ChatCompletion.of((ObjectNode) Json.MAPPER.readTree(upstreamJson));
        List<GatedCall> gated = new ArrayList<>();
        for (int i = 0; i < completion.calls().size(); i++) {
            ChatCompletion.ProposedCall proposed = completion.calls().get(i);
            Decision decision = engine.evaluate(proposed.call(), CONTEXT);
            gated.add(new GatedCall(proposed.call(), decision, "decision-" + i,
                    decision instanceof Decision.NeedsApproval ? "approval-" + i : null, null));
        }
        DecisionSummary summary = new DecisionSummary(gated, URI.create("http://toolgate.test"));
        String text = new String(ChatResponseRewriter.rewrite(completion, gated, summary, metadataField), StandardCharsets.UTF_8);
        return new Rewritten(original, Json.MAPPER.readTree(text), text, gated);
    }

    @Test
    void eachChoiceOfAnNEquals2AnswerIsRewrittenOnItsOwn() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"chatcmpl-n2","object":"chat.completion","created":1763800000,"model":"gpt-4o","choices":[
                 {"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_a","type":"function","function":{"name":"read_file","arguments":"{\\"path\\": \\"/a\\"}"}},
                   {"id":"call_b","type":"function","function":{"name":"delete_file","arguments":"{\\"path\\":\\"/a\\"}"}}]},
                  "logprobs":null,"finish_reason":"tool_calls"},
                 {"index":1,"message":{"role":"assistant","content":"Let me clean up.","tool_calls":[
                   {"id":"call_c","type":"function","function":{"name":"delete_file","arguments":"{\\"path\\":\\"/b\\"}"}},
                   {"id":"call_d","type":"function","function":{"name":"wire_transfer","arguments":"{\\"amount\\":5000}"}}]},
                  "logprobs":null,"finish_reason":"tool_calls"}]}""");

        assertThat(result.gated()).extracting(g -> g.call().id()).containsExactly("call_a", "call_b", "call_c", "call_d");
        assertThat(result.gated()).extracting(GatedCall::status).containsExactly("allowed", "blocked", "blocked", "pending_approval");

        JsonNode first = result.choice(0);
        assertThat(first.at("/message/tool_calls")).hasSize(1);
        assertThat(first.at("/message/tool_calls/0")).isEqualTo(result.original().at("/choices/0/message/tool_calls/0"));
        assertThat(first.at("/message/content").asText()).as("a choice that keeps calls still says what was removed")
                .isEqualTo("Tool 'delete_file' is blocked by governance policy.");
        assertThat(first.path("finish_reason").asText()).isEqualTo("tool_calls");

        JsonNode second = result.choice(1);
        assertThat(second.path("message").has("tool_calls")).isFalse();
        assertThat(second.at("/message/content").asText()).isEqualTo("Let me clean up.\n\n"
                + "Tool 'delete_file' is blocked by governance policy. Tool requires human approval. Retry once approved.");
        assertThat(second.path("finish_reason").asText()).isEqualTo("stop");
        assertThat(second.path("index").asInt()).isEqualTo(1);

        JsonNode metadata = result.body().path("_toolgate");
        assertThat(metadata.path("status").asText()).isEqualTo("partial");
        assertThat(metadata.path("calls")).extracting(c -> c.path("id").asText()).containsExactly("call_a", "call_b", "call_c", "call_d");
        assertThat(metadata.at("/calls/3/approval_id").asText()).isEqualTo("approval-3");
        assertThat(result.text()).doesNotContain("/b\\\"").doesNotContain("5000");
    }

    @Test
    void blockedLegacyFunctionCallIsRemovedAndTheChoiceStops() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"chatcmpl-legacy","object":"chat.completion","model":"gpt-3.5-turbo-0613","choices":[{"index":0,
                 "message":{"role":"assistant","content":null,"function_call":{"name":"delete_file","arguments":"{\\"path\\":\\"/etc\\"}"}},
                 "finish_reason":"function_call"}]}""");

        JsonNode choice = result.choice(0);
        assertThat(choice.path("message").has("function_call")).isFalse();
        assertThat(choice.at("/message/content").asText()).isEqualTo("Tool 'delete_file' is blocked by governance policy.");
        assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
        assertThat(result.body().at("/_toolgate/status").asText()).isEqualTo("blocked");
        assertThat(result.body().at("/_toolgate/rule").asText()).isEqualTo("no-deletes");
        assertThat(result.body().at("/_toolgate/calls/0/id").isNull()).as("legacy calls have no id").isTrue();
        assertThat(result.text()).doesNotContain("/etc");
    }

    @Test
    void allowedLegacyFunctionCallIsKept() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"chatcmpl-legacy","choices":[{"index":0,
                 "message":{"role":"assistant","content":null,"function_call":{"name":"read_file","arguments":"{\\"path\\":\\"/a\\"}"}},
                 "finish_reason":"function_call"}]}""");

        assertThat(result.choice(0)).isEqualTo(result.original().at("/choices/0"));
        assertThat(result.body().at("/_toolgate/status").asText()).isEqualTo("allowed");
    }

    @Test
    void fieldsTheGatewayDoesNotOwnArePreservedExactly() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"chatcmpl-keep","object":"chat.completion","created":1763800000,"model":"gpt-4o-2024-08-06",
                 "x_vendor":{"trace_id":"t-1","weights":[1.0,1e-7,12345678901234567890,-0.000123,1.50E+3],"nested":{"ok":true,"n":null}},
                 "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,"annotations":[],
                   "reasoning_content":"thinking...","tool_calls":[
                    {"id":"call_1","type":"function","function":{"name":"delete_file","arguments":"{}"}}]},
                  "logprobs":{"content":[{"token":"x","logprob":-0.0000123,"bytes":[120],"top_logprobs":[]}],"refusal":null},
                  "finish_reason":"tool_calls","x_choice_meta":{"score":0.1000}}],
                 "usage":{"prompt_tokens":82,"completion_tokens":41,"total_tokens":123,
                  "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"cost":1.0,"tiny":1e-7,"big":12345678901234567890},
                 "service_tier":"default","system_fingerprint":"fp_560af6e559"}""");

        JsonNode body = result.body();
        JsonNode original = result.original();
        for (String field : List.of("id", "object", "created", "model", "x_vendor", "usage", "service_tier", "system_fingerprint")) {
            assertThat(body.path(field)).as(field).isEqualTo(original.path(field));
        }
        assertThat(result.choice(0).path("logprobs")).isEqualTo(original.at("/choices/0/logprobs"));
        assertThat(result.choice(0).path("x_choice_meta")).isEqualTo(original.at("/choices/0/x_choice_meta"));
        for (String field : List.of("role", "refusal", "annotations", "reasoning_content")) {
            assertThat(result.choice(0).path("message").path(field)).as(field).isEqualTo(original.at("/choices/0/message").path(field));
        }
        assertThat(body.fieldNames()).toIterable().containsExactly("id", "object", "created", "model", "x_vendor", "choices",
                "usage", "service_tier", "system_fingerprint", "_toolgate");
    }

    @Test
    void numbersKeepTheirExactValueAndForm() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"chatcmpl-num","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_1","type":"function","function":{"name":"delete_file","arguments":"{}"}}]},"finish_reason":"tool_calls"}],
                 "usage":{"cost":1.0,"tiny":1e-7,"big":12345678901234567890,"price":0.10,"total_tokens":123}}""");

        JsonNode usage = result.body().path("usage");
        assertThat(result.text()).contains("\"cost\":1.0,").contains("\"big\":12345678901234567890,").contains("\"price\":0.10,");
        assertThat(usage.path("tiny").decimalValue()).isEqualTo(new BigDecimal("1e-7"));
        assertThat(usage.path("big").bigIntegerValue()).isEqualTo(new BigInteger("12345678901234567890"));
        assertThat(usage.path("total_tokens").isIntegralNumber()).isTrue();
    }

    @Test
    void customToolCallWithFreeTextInputIsDecidedAndFailsClosed() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"chatcmpl-custom","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_c1","type":"custom","custom":{"name":"x","input":"free text"}}]},"finish_reason":"tool_calls"}]}""");

        GatedCall decided = result.gated().get(0);
        assertThat(decided.call().name()).isEqualTo("x");
        assertThat(decided.call().arguments()).isEqualTo("free text");
        assertThat(decided.decision()).isInstanceOf(Decision.Blocked.class);
        assertThat(decided.decision().decidingRule()).isEqualTo(RuleSet.INVALID_ARGUMENTS_RULE);

        assertThat(result.choice(0).path("message").has("tool_calls")).isFalse();
        assertThat(result.choice(0).at("/message/content").asText()).isEqualTo("Tool 'x' is blocked by governance policy.");
        assertThat(result.choice(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(result.body().at("/_toolgate/rule").asText()).isEqualTo("invalid-arguments");
        assertThat(result.text()).doesNotContain("free text");
    }

    @Test
    void aPartialAnswerKeepsTheModelsTextAndSaysWhatWasRemovedAfterIt() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"chatcmpl-mixed","choices":[{"index":0,"message":{"role":"assistant","content":"Reading, then cleaning up.",
                  "tool_calls":[
                   {"id":"call_r","type":"function","function":{"name":"read_file","arguments":"{\\"path\\":\\"/a\\"}"}},
                   {"id":"call_d","type":"function","function":{"name":"delete_file","arguments":"{\\"path\\":\\"/a\\"}"}},
                   {"id":"call_w","type":"function","function":{"name":"wire_transfer","arguments":"{\\"amount\\":5000}"}}]},
                  "finish_reason":"tool_calls"}]}""");

        assertThat(result.gated()).extracting(GatedCall::status).containsExactly("allowed", "blocked", "pending_approval");
        JsonNode choice = result.choice(0);
        assertThat(choice.at("/message/tool_calls")).extracting(c -> c.path("id").asText()).containsExactly("call_r");
        assertThat(choice.at("/message/content").asText()).isEqualTo("Reading, then cleaning up.\n\n"
                + "Tool 'delete_file' is blocked by governance policy. Tool requires human approval. Retry once approved.");
        assertThat(choice.path("finish_reason").asText()).as("the kept call still runs").isEqualTo("tool_calls");
        assertThat(result.body().at("/_toolgate/status").asText()).isEqualTo("partial");
    }

    @Test
    void customToolCallIsDecidedByItsName() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"chatcmpl-custom","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_c1","type":"custom","custom":{"name":"read_file","input":"{\\"path\\":\\"/a\\"}"}},
                   {"id":"call_c2","type":"custom","custom":{"name":"delete_file","input":"{\\"path\\":\\"/a\\"}"}}]},
                  "finish_reason":"tool_calls"}]}""");

        assertThat(result.gated()).extracting(GatedCall::status).containsExactly("allowed", "blocked");
        assertThat(result.choice(0).at("/message/tool_calls")).hasSize(1);
        assertThat(result.choice(0).at("/message/tool_calls/0/id").asText()).isEqualTo("call_c1");
        assertThat(result.choice(0).path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(result.body().at("/_toolgate/status").asText()).isEqualTo("partial");
    }

    @Test
    void toolCallOfAnUnknownShapeIsStillDecided() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"chatcmpl-odd","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_o1","type":"vendor_call","name":"delete_file","payload":{"path":"/a"}}]},"finish_reason":"tool_calls"}]}""");

        assertThat(result.gated().get(0).call().name()).isEqualTo("delete_file");
        assertThat(result.gated().get(0).status()).isEqualTo("blocked");
        assertThat(result.choice(0).path("message").has("tool_calls")).isFalse();
    }

    @Test
    void allAllowedCallsStayAndOnlyTheMetadataIsAdded() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"chatcmpl-ok","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
                   {"id":"call_1","type":"function","function":{"name":"read_file","arguments":"{\\"path\\":\\"/a\\"}"}},
                   {"id":"call_2","type":"function","function":{"name":"wire_transfer","arguments":"{\\"amount\\":10}"}}]},
                  "finish_reason":"tool_calls"}]}""", "_trustloop");

        ObjectNode expected = (ObjectNode) result.original().deepCopy();
        expected.remove("_trustloop");
        ObjectNode body = (ObjectNode) result.body().deepCopy();
        assertThat(body.remove("_trustloop").path("status").asText()).isEqualTo("allowed");
        assertThat(body).isEqualTo(expected);
        assertThat(result.body().has("_toolgate")).isFalse();
    }
}
