package dev.toolgate.proxy.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.Decision;
import dev.toolgate.policy.Finding;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.approval.Approvals;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.PendingApproval;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * The answer to an agent that sends a conversation again while an approval covers it: built from
 * the stored assistant message, without asking the model. Approved: the exact original call (same
 * id, same arguments). Pending or refused: the same rewrite as a fresh answer would get.
 */
final class ApprovalRetry {
    private ApprovalRetry() {
    }

    /** A Chat Completions answer holding just the approval's original call. */
    static ChatCompletion completionFor(PendingApproval approval, String model, Instant now) {
        ObjectNode root = Json.object();
        root.put("id", "chatcmpl-toolgate-" + approval.id());
        root.put("object", "chat.completion");
        root.put("created", now.getEpochSecond());
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.putNull("content");
        message.putArray("tool_calls").add(originalCall(approval));
        choice.putNull("logprobs");
        choice.put("finish_reason", "tool_calls");
        return ChatCompletion.of(root);
    }

    /** The call as the agent first saw it proposed: same gated outcome shape as a fresh decision. */
    static GatedCall gated(ChatCompletion completion, PendingApproval approval, Approvals.Standing standing) {
        ToolCall call = completion.calls().get(0).call();
        Decision held = new Decision.NeedsApproval(approval.ruleId() == null ? List.of() : List.of(approval.ruleId()),
                List.of(new Finding(approval.ruleId(), "held for approval")), 0.7, approval.policyVersion(),
                approval.approverEmail());
        return ToolCallGate.settle(GatedCall.decided(call, held), standing);
    }

    /**
     * The call with this approval's tool call id from the stored assistant message, byte for byte;
     * rebuilt from the stored tool and arguments only when the message is missing (intercept calls).
     */
    private static JsonNode originalCall(PendingApproval approval) {
        if (approval.assistantMessage() != null && approval.toolCallId() != null) {
            try {
                for (JsonNode toolCall : Json.MAPPER.readTree(approval.assistantMessage()).path("tool_calls")) {
                    if (approval.toolCallId().equals(toolCall.path("id").asText(null))) {
                        return toolCall;
                    }
                }
            } catch (IOException unreadable) {
                // fall through to the rebuilt call
            }
        }
        ObjectNode call = Json.object();
        call.put("id", approval.toolCallId() != null ? approval.toolCallId() : "call_" + approval.id().replace("-", ""));
        call.put("type", "function");
        ObjectNode function = call.putObject("function");
        function.put("name", approval.tool());
        function.put("arguments", approval.arguments());
        return call;
    }
}
