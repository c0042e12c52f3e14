package dev.toolgate.proxy.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.AssistantMessages;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed Responses API response object ({@code POST /v1/responses}) and the tool calls in its
 * {@code output}, in order: {@code function_call} items, and {@code custom_tool_call} items whose
 * free-text {@code input} is decided as given.
 */
public final class ResponsesResult {
    static final String FUNCTION_CALL = "function_call";
    static final String CUSTOM_TOOL_CALL = "custom_tool_call";

    private final ObjectNode root;
    private final List<ProposedCall> calls;

    /**
     * One proposed call and where it sits in the response.
     *
     * @param outputIndex the item's position in {@code output}
     * @param custom a custom tool call ({@code input}) rather than a function call ({@code arguments})
     */
    public record ProposedCall(ToolCall call, int outputIndex, ObjectNode item, boolean custom) {

        /** The call as a Chat Completions assistant message, kept with a held call for replay. */
        public String assistantMessage() {
            return ResponsesResult.assistantMessage(call, custom);
        }
    }

    private ResponsesResult(ObjectNode root, List<ProposedCall> calls) {
        this.root = root;
        this.calls = calls;
    }

    /** Reads the calls out of a response object (the body, or the {@code response} of a stream's last event). */
    public static ResponsesResult of(ObjectNode root) {
        List<ProposedCall> calls = new ArrayList<>();
        JsonNode output = root.path("output");
        if (output.isArray()) {
            for (int i = 0; i < output.size(); i++) {
                if (output.get(i) instanceof ObjectNode item && isCall(item)) {
                    calls.add(new ProposedCall(toToolCall(item), i, item, isCustom(item)));
                }
            }
        }
        return new ResponsesResult(root, List.copyOf(calls));
    }

    public ObjectNode root() {
        return root;
    }

    public List<ProposedCall> calls() {
        return calls;
    }

    public String model() {
        return root.path("model").asText("");
    }

    /** An output item the agent would run itself, so the gateway must decide it. */
    static boolean isCall(JsonNode item) {
        String type = item.path("type").asText("");
        return type.equals(FUNCTION_CALL) || type.equals(CUSTOM_TOOL_CALL);
    }

    static boolean isCustom(JsonNode item) {
        return item.path("type").asText("").equals(CUSTOM_TOOL_CALL);
    }

    /** The field of a call item that holds what the tool is given. */
    static String argumentsField(boolean custom) {
        return custom ? "input" : "arguments";
    }

    static ToolCall toToolCall(JsonNode item) {
        String callId = item.path("call_id").isTextual() ? item.path("call_id").textValue() : null;
        return new ToolCall(callId, item.path("name").asText(""), argumentsOf(item.path(argumentsField(isCustom(item)))));
    }

    /** Arguments are a JSON string holding JSON; anything else is decided as its JSON text. */
    static String argumentsOf(JsonNode arguments) {
        if (arguments.isTextual()) {
            return arguments.textValue();
        }
        return arguments.isMissingNode() || arguments.isNull() ? "" : arguments.toString();
    }

    /**
     * The call in the Chat Completions form the approval store keeps (a custom call in the Chat
     * Completions {@code custom} shape), so one replay path serves every wire format.
     */
    static String assistantMessage(ToolCall call, boolean custom) {
        return AssistantMessages.forCall(call, custom);
    }

}
