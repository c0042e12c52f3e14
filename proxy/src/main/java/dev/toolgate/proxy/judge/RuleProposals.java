package dev.toolgate.proxy.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Asks the judge model to turn a plain-language rule into an exact one: tool patterns and a CEL
 * condition that need no model. The proposal is only a proposal: the caller compiles it and
 * dry-runs it against the judge before anyone adopts it.
 */
public final class RuleProposals {
    private static final String SYSTEM = String.join("\n",
            "You translate a plain-language governance rule for AI agent tool calls into an exact rule for Toolgate.",
            "An exact rule has tools: tool names or globs (such as wire_* or *), and when: a CEL expression over these",
            "variables: tool (string), args (map: the call's JSON arguments), agent (string), model (string), workspace (string).",
            "Use has(args.x) before reading an optional argument. Use double for numbers that may have decimals (args.amount > 1000.0).",
            "CEL has size(), startsWith(), endsWith(), contains(), matches() (RE2), in, &&, ||, !. Use an empty when only if",
            "every call of the tools is covered. Give a one-line explanation.");

    private final JudgeClient client;

    public RuleProposals(ModelJudge judge) {
        this.client = judge.client();
    }

    /** What the model proposed. {@code when} is empty when the rule covers every call of {@code tools}. */
    public record Proposal(List<String> tools, String when, String explanation) {
    }

    /** Fails with the cause in words (see {@link #failureCause}). */
    public CompletableFuture<Proposal> propose(String ruleText, List<String> knownTools) {
        StringBuilder user = new StringBuilder("Rule: ").append(ruleText.replace('\n', ' '));
        if (!knownTools.isEmpty()) {
            user.append("\nTool names seen recently: ").append(String.join(", ", knownTools));
        }
        ObjectNode body = JudgeClient.structuredRequest(client.model(), SYSTEM, user.toString(), "toolgate_exact_rule", schema());
        return client.complete(body).thenApply(RuleProposals::read);
    }

    public String failureCause(Throwable failure) {
        return client.cause(failure);
    }

    private static Proposal read(JsonNode answer) {
        JsonNode tools = answer.path("tools");
        JsonNode when = answer.path("when");
        if (!tools.isArray() || tools.isEmpty() || !when.isTextual()) {
            throw new CompletionException(new JudgeFailure("the model's proposal does not match the schema (tools, when)"));
        }
        List<String> names = new ArrayList<>();
        for (JsonNode tool : tools) {
            if (!tool.isTextual() || tool.textValue().isBlank()) {
                throw new CompletionException(new JudgeFailure("the model proposed an empty tool pattern"));
            }
            names.add(tool.textValue().strip());
        }
        return new Proposal(names, when.textValue().strip(), answer.path("explanation").asText("").strip());
    }

    private static ObjectNode schema() {
        ObjectNode root = Json.object();
        root.put("type", "object");
        ObjectNode properties = root.putObject("properties");
        ObjectNode tools = properties.putObject("tools");
        tools.put("type", "array");
        tools.putObject("items").put("type", "string");
        properties.putObject("when").put("type", "string");
        properties.putObject("explanation").put("type", "string");
        root.putArray("required").add("tools").add("when").add("explanation");
        root.put("additionalProperties", false);
        return root;
    }
}
