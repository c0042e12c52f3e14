package dev.toolgate.proxy.openai.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.ObjectMappers;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseOutputItem;
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
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Responses API answers after their calls were decided by the real evaluator: what is replaced, what stays. */
class ResponsesRewriterTest {
    private static final CallContext CONTEXT = CallContext.of("default", "support-bot", "gpt-4.1-mini");
    private static PolicyEngine engine;

    @BeforeAll
    static void rules() throws RuleCompileException {
        engine = new PolicyEngine(RuleSet.compile(List.of(
                new Rule("no-deletes", "Block all file deletions", List.of("delete_file"), null, Action.BLOCK, null),
                new Rule("big-transfers", "Big transfers need approval", List.of("wire_transfer"),
                        "has(args.amount) && args.amount > 1000", Action.APPROVE, "finance@example.com"),
                new Rule("no-rm", "No rm from a local shell", List.of("local_shell"),
                        "args.command.exists(c, c == 'rm')", Action.BLOCK, null),
                new Rule("no-etc-patches", "No patches under /etc", List.of("apply_patch"),
                        "args.path.startsWith('/etc/')", Action.BLOCK, null)),
                PolicyDefaults.STANDARD), Set.of());
    }

    private record Rewritten(JsonNode original, JsonNode body, String text, List<GatedCall> gated, ResponsesResult result) {
        JsonNode output(int index) {
            return body.path("output").get(index);
        }
    }

    private static Rewritten decideAndRewrite(String upstreamJson) throws IOException {
        JsonNode original = Json.MAPPER.readTree(upstreamJson);
        ResponsesResult result = ResponsesResult.of((ObjectNode) Json.MAPPER.readTree(upstreamJson));
        List<GatedCall> gated = new ArrayList<>();
        for (int i = 0; i < result.calls().size(); i++) {
            ResponsesResult.ProposedCall proposed = result.calls().get(i);
            Decision decision = engine.evaluate(proposed.call(), CONTEXT);
            gated.add(new GatedCall(proposed.call(), decision, "decision-" + i,
                    decision instanceof Decision.NeedsApproval ? "approval-" + i : null, null));
        }
        DecisionSummary summary = new DecisionSummary(gated, URI.create("http://toolgate.test"));
        String text = new String(ResponsesRewriter.rewrite(result, gated, summary, "_toolgate"), StandardCharsets.UTF_8);
        return new Rewritten(original, Json.MAPPER.readTree(text), text, gated, result);
    }

    private static final String USAGE = """
            "usage":{"input_tokens":64,"input_tokens_details":{"cached_tokens":0},"output_tokens":22,
             "output_tokens_details":{"reasoning_tokens":0},"total_tokens":86}""";

    @Test
    void allowedCallStaysAndOnlyTheMetadataIsAdded() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"resp_ok","object":"response","created_at":1763800000,"status":"completed","model":"gpt-4.1-mini-2025-04-14",
                 "output":[{"id":"rs_1","type":"reasoning","summary":[]},
                  {"id":"fc_1","type":"function_call","status":"completed","arguments":"{\\"path\\":\\"/a\\",\\"ratio\\":1.50}",
                   "call_id":"call_1","name":"read_file"}],
                 "parallel_tool_calls":true,"tool_choice":"auto","tools":[],"x_vendor":{"big":12345678901234567890,"tiny":1e-7},""" + USAGE + "}");

        assertThat(result.gated()).extracting(g -> g.call().id()).containsExactly("call_1");
        assertThat(result.gated().get(0).call().arguments()).isEqualTo("{\"path\":\"/a\",\"ratio\":1.50}");
        ObjectNode body = (ObjectNode) result.body().deepCopy();
        JsonNode metadata = body.remove("_toolgate");
        assertThat(body).isEqualTo(result.original());
        assertThat(result.text()).contains("\"big\":12345678901234567890").contains("\"status\":\"completed\",\"model\"");
        assertThat(metadata.path("status").asText()).isEqualTo("allowed");
        assertThat(metadata.path("tool").asText()).isEqualTo("read_file");
        assertThat(result.body().fieldNames()).toIterable().last().isEqualTo("_toolgate");
    }

    @Test
    void blockedCallIsReplacedInPlaceByAMessage() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"resp_del","object":"response","status":"completed","model":"gpt-4.1-mini",
                 "output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant",
                   "content":[{"type":"output_text","text":"Cleaning up.","annotations":[]}]},
                  {"id":"fc_1","type":"function_call","status":"completed","arguments":"{\\"path\\":\\"/etc/passwd\\"}",
                   "call_id":"call_del","name":"delete_file"},
                  {"id":"rs_2","type":"reasoning","summary":[]}],""" + USAGE + "}");

        assertThat(result.output(0)).isEqualTo(result.original().at("/output/0"));
        assertThat(result.output(2)).isEqualTo(result.original().at("/output/2"));
        assertThat(result.body().path("output")).hasSize(3);
        assertThat(result.output(1)).isEqualTo(Json.MAPPER.readTree("""
                {"id":"msg_toolgate_decision0","type":"message","status":"completed","role":"assistant",
                 "content":[{"type":"output_text","text":"\\n\\nTool 'delete_file' is blocked by governance policy.","annotations":[]}]}"""));
        JsonNode metadata = result.body().path("_toolgate");
        assertThat(metadata.path("status").asText()).isEqualTo("blocked");
        assertThat(metadata.path("blocked").asBoolean()).isTrue();
        assertThat(metadata.path("rule").asText()).isEqualTo("no-deletes");
        assertThat(metadata.at("/calls/0/id").asText()).isEqualTo("call_del");
        assertThat(result.text()).doesNotContain("passwd").doesNotContain("function_call").doesNotContain("fc_1");
        assertThat(result.body().path("usage")).isEqualTo(result.original().path("usage"));
        assertThat(ObjectMappers.jsonMapper().readValue(result.text(), Response.class).output()).hasSize(3);
    }

    @Test
    void twoCallsOneReleasedOneHeldArePartial() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"resp_two","object":"response","status":"completed","model":"gpt-4.1-mini",
                 "output":[{"id":"fc_1","type":"function_call","status":"completed","arguments":"{\\"path\\":\\"/a\\"}",
                   "call_id":"call_read","name":"read_file"},
                  {"id":"fc_2","type":"function_call","status":"completed","arguments":"{\\"to\\":\\"ACME Ltd\\",\\"amount\\":5000}",
                   "call_id":"call_pay","name":"wire_transfer"}],
                 "parallel_tool_calls":true,"output_text":""}""");

        assertThat(result.gated()).extracting(GatedCall::status).containsExactly("allowed", "pending_approval");
        assertThat(result.output(0)).isEqualTo(result.original().at("/output/0"));
        assertThat(result.output(1).path("type").asText()).isEqualTo("message");
        assertThat(result.output(1).at("/content/0/text").asText()).isEqualTo(DecisionSummary.PENDING_MESSAGE);
        assertThat(result.body().path("output_text").asText())
                .as("an output_text the upstream sent follows the messages").isEqualTo(DecisionSummary.PENDING_MESSAGE);
        JsonNode metadata = result.body().path("_toolgate");
        assertThat(metadata.path("status").asText()).isEqualTo("partial");
        assertThat(metadata.path("calls")).extracting(c -> c.path("decision").asText()).containsExactly("allowed", "pending_approval");
        assertThat(metadata.at("/calls/1/approval_id").asText()).isEqualTo("approval-1");
        assertThat(result.text()).doesNotContain("ACME").doesNotContain("5000").doesNotContain("call_pay\",\"name");
    }

    @Test
    void replacementSentencesAreSetOffInTheJoinedTextAsInTheChatFormat() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"resp_three","object":"response","status":"completed","model":"gpt-4.1-mini",
                 "output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant",
                   "content":[{"type":"output_text","text":"Cleaning up, then paying.","annotations":[]}]},
                  {"id":"fc_1","type":"function_call","status":"completed","arguments":"{\\"path\\":\\"/a\\"}",
                   "call_id":"call_del","name":"delete_file"},
                  {"id":"fc_2","type":"function_call","status":"completed","arguments":"{\\"amount\\":5000}",
                   "call_id":"call_pay","name":"wire_transfer"}],
                 "output_text":"Cleaning up, then paying."}""");

        assertThat(result.gated()).extracting(GatedCall::status).containsExactly("blocked", "pending_approval");
        assertThat(result.body().path("output_text").asText()).isEqualTo("Cleaning up, then paying.\n\n"
                + "Tool 'delete_file' is blocked by governance policy. " + DecisionSummary.PENDING_MESSAGE);
        List<ResponseOutputItem> parsed = ObjectMappers.jsonMapper().readValue(result.text(), Response.class).output();
        assertThat(parsed.stream().filter(ResponseOutputItem::isMessage)
                .flatMap(item -> item.asMessage().content().stream()).map(part -> part.asOutputText().text())
                .collect(Collectors.joining()))
                .as("as the SDK joins output_text").isEqualTo(result.body().path("output_text").asText());
    }

    @Test
    void outputTextIsNotAddedWhenTheUpstreamSentNone() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"resp_del","output":[{"id":"fc_1","type":"function_call","arguments":"{}","call_id":"c","name":"delete_file"}]}""");

        assertThat(result.body().has("output_text")).isFalse();
    }

    @Test
    void customToolCallIsDecidedOnItsInputAsGiven() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"resp_custom","object":"response","status":"completed",
                 "output":[{"id":"ctc_1","type":"custom_tool_call","status":"completed","call_id":"call_c1",
                   "name":"read_file","input":"{\\"path\\":\\"/a\\"}"},
                  {"id":"ctc_2","type":"custom_tool_call","status":"completed","call_id":"call_c2",
                   "name":"run_sql","input":"DROP TABLE customers"}]}""");

        assertThat(result.result().calls()).extracting(ResponsesResult.ProposedCall::custom).containsExactly(true, true);
        assertThat(result.gated().get(1).call().arguments()).isEqualTo("DROP TABLE customers");
        assertThat(result.gated()).extracting(GatedCall::status).containsExactly("allowed", "blocked");
        assertThat(result.gated().get(1).decision().decidingRule()).isEqualTo(RuleSet.INVALID_ARGUMENTS_RULE);
        assertThat(result.output(0)).isEqualTo(result.original().at("/output/0"));
        assertThat(result.output(1).at("/content/0/text").asText()).isEqualTo("Tool 'run_sql' is blocked by governance policy.");
        assertThat(result.text()).doesNotContain("DROP TABLE");
    }

    @Test
    void builtInToolCallsTheClientRunsAreDecidedOnWhatItWouldRun() throws IOException {
        Rewritten result = decideAndRewrite("""
                {"id":"resp_tools","object":"response","status":"completed","model":"computer-use-preview",
                 "output":[{"type":"local_shell_call","id":"lsh_1","call_id":"call_ls","status":"completed",
                   "action":{"type":"exec","command":["rm","-rf","/srv"],"env":{},"working_directory":"/","timeout_ms":1000,"user":"root"}},
                  {"type":"computer_call","id":"cu_1","call_id":"call_cu","status":"completed","pending_safety_checks":[],
                   "action":{"type":"click","button":"left","x":10,"y":20}},
                  {"type":"shell_call","id":"sh_1","call_id":"call_sh","status":"completed",
                   "action":{"commands":["ls -la"],"timeout_ms":1000,"max_output_length":4096}},
                  {"type":"apply_patch_call","id":"ap_1","call_id":"call_ap","status":"completed",
                   "operation":{"type":"update_file","path":"/etc/hosts","diff":"@@\\n-a\\n+b\\n"}}]}""");

        assertThat(result.gated()).extracting(g -> g.call().name()).containsExactly("local_shell", "computer", "shell", "apply_patch");
        assertThat(result.gated()).extracting(g -> g.call().id()).containsExactly("call_ls", "call_cu", "call_sh", "call_ap");
        for (int i = 0; i < 4; i++) {
            String field = i == 3 ? "operation" : "action";
            assertThat(Json.MAPPER.readTree(result.gated().get(i).call().arguments())).as("arguments of %d", i)
                    .isEqualTo(result.original().path("output").get(i).path(field));
        }
        assertThat(result.gated()).extracting(GatedCall::status).containsExactly("blocked", "allowed", "allowed", "blocked");
        assertThat(result.output(0)).isEqualTo(Json.MAPPER.readTree("""
                {"id":"msg_toolgate_decision0","type":"message","status":"completed","role":"assistant",
                 "content":[{"type":"output_text","text":"Tool 'local_shell' is blocked by governance policy.","annotations":[]}]}"""));
        assertThat(result.output(1)).isEqualTo(result.original().at("/output/1"));
        assertThat(result.output(2)).isEqualTo(result.original().at("/output/2"));
        assertThat(result.output(3).at("/content/0/text").asText()).as("after another replacement: a space")
                .isEqualTo(" Tool 'apply_patch' is blocked by governance policy.");
        assertThat(result.body().at("/_toolgate/calls")).extracting(c -> c.path("rule").asText())
                .containsExactly("no-rm", RuleSet.DEFAULT_RULE, RuleSet.DEFAULT_RULE, "no-etc-patches");
        assertThat(result.text()).doesNotContain("/srv").doesNotContain("lsh_1").doesNotContain("/etc/hosts");
        List<ResponseOutputItem> parsed = ObjectMappers.jsonMapper().readValue(result.text(), Response.class).output();
        parsed.forEach(ResponseOutputItem::validate);
        assertThat(parsed).extracting(ResponseOutputItem::isMessage, ResponseOutputItem::isComputerCall, ResponseOutputItem::isShellCall)
                .containsExactly(tuple(true, false, false), tuple(false, true, false), tuple(false, false, true), tuple(true, false, false));
    }

    @Test
    void computerCallWithABatchOfActionsIsDecidedOnEveryAction() throws IOException {
        ResponsesResult result = ResponsesResult.of((ObjectNode) Json.MAPPER.readTree("""
                {"output":[{"type":"computer_call","id":"cu_1","call_id":"call_cu","status":"completed","pending_safety_checks":[],
                  "actions":[{"type":"type","text":"rm -rf /"},{"type":"keypress","keys":["ENTER"]}]}]}"""));

        assertThat(Json.MAPPER.readTree(result.calls().get(0).call().arguments())).isEqualTo(Json.MAPPER.readTree("""
                {"actions":[{"type":"type","text":"rm -rf /"},{"type":"keypress","keys":["ENTER"]}]}"""));
        assertThat(Json.MAPPER.readTree(result.calls().get(0).assistantMessage()).at("/tool_calls/0/function/name").asText())
                .isEqualTo("computer");
    }

    @Test
    void assistantMessageHasTheChatCompletionsShapeTheApprovalStoreReplays() throws IOException {
        ResponsesResult result = ResponsesResult.of((ObjectNode) Json.MAPPER.readTree("""
                {"output":[{"type":"function_call","call_id":"call_1","name":"wire_transfer","arguments":"{\\"amount\\":5}"},
                 {"type":"custom_tool_call","call_id":"call_2","name":"shell","input":"ls"}]}"""));

        assertThat(Json.MAPPER.readTree(result.calls().get(0).assistantMessage())).isEqualTo(Json.MAPPER.readTree("""
                {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                 "function":{"name":"wire_transfer","arguments":"{\\"amount\\":5}"}}]}"""));
        assertThat(Json.MAPPER.readTree(result.calls().get(1).assistantMessage())).isEqualTo(Json.MAPPER.readTree("""
                {"role":"assistant","content":null,"tool_calls":[{"id":"call_2","type":"custom",
                 "custom":{"name":"shell","input":"ls"}}]}"""));
    }

    @Test
    void responseWithoutCallsHasNothingToDecide() throws IOException {
        ResponsesResult result = ResponsesResult.of((ObjectNode) Json.MAPPER.readTree("""
                {"output":[{"type":"message","content":[{"type":"output_text","text":"hi"}]},{"type":"web_search_call","id":"ws_1"}]}"""));

        assertThat(result.calls()).isEmpty();
    }
}
