package dev.toolgate.proxy.openai.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.policy.ToolCall;
import dev.toolgate.proxy.gate.AssistantMessages;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.upstream.UnreadableAnswerException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A parsed Responses API response object ({@code POST /v1/responses}) and the tool calls in its
 * {@code output}, in order: {@code function_call} items, {@code custom_tool_call} items whose
 * free-text {@code input} is decided as given, and the built-in tools' items that the client
 * executes itself ({@code local_shell_call}, {@code computer_call}, {@code shell_call},
 * {@code apply_patch_call}), decided as tools named after their type without {@code _call}.
 */
public final class ResponsesResult {
    static final String FUNCTION_CALL = "function_call";
    static final String CUSTOM_TOOL_CALL = "custom_tool_call";
    static final String COMPUTER_CALL = "computer_call";
    /**
     * Built-in tools' items the client executes, with the field holding what it executes: that
     * field is the call's arguments, so rules read {@code args.command} of a local shell call or
     * {@code args.path} of a patch. Calls the API runs itself (web search, code interpreter, MCP)
     * are not the client's to run and are not listed.
     */
    private static final Map<String, String> EXECUTED_BY_CLIENT = Map.of(
            "local_shell_call", "action",
            COMPUTER_CALL, "action",
            "shell_call", "action",
            "apply_patch_call", "operation");

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

    /**
     * Reads the calls out of a response object (the body, or the {@code response} of a stream's
     * last event); throws {@link UnreadableAnswerException} for an {@code output} that is an object
     * instead of an array, where a lenient client could still find a call.
     */
    public static ResponsesResult of(ObjectNode root) {
        List<ProposedCall> calls = new ArrayList<>();
        JsonNode output = root.path("output");
        if (output.isObject()) {
            throw new UnreadableAnswerException("the upstream answered with 'output' as an object instead of an array");
        }
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
        return type.equals(FUNCTION_CALL) || type.equals(CUSTOM_TOOL_CALL) || EXECUTED_BY_CLIENT.containsKey(type);
    }

    static boolean isCustom(JsonNode item) {
        return item.path("type").asText("").equals(CUSTOM_TOOL_CALL);
    }

    /** A function or custom tool's own name; a built-in tool's item type without {@code _call}, as rules name it. */
    static String toolName(JsonNode item) {
        String type = item.path("type").asText("");
        return EXECUTED_BY_CLIENT.containsKey(type) ? type.substring(0, type.length() - "_call".length()) : item.path("name").asText("");
    }

    /**
     * What the tool is given, from the item's field for it (missing when the item does not state
     * it). A computer call may carry a batch of {@code actions} instead of, or besides, the single
     * {@code action}: every action the client would perform is decided, as {@code {"action":..,"actions":[..]}}.
     */
    static JsonNode argumentsNode(JsonNode item) {
        String type = item.path("type").asText("");
        if (type.equals(COMPUTER_CALL) && item.has("actions")) {
            ObjectNode all = Json.object();
            if (item.has("action")) {
                all.set("action", item.get("action"));
            }
            all.set("actions", item.get("actions"));
            return all;
        }
        return item.path(type.equals(CUSTOM_TOOL_CALL) ? "input" : EXECUTED_BY_CLIENT.getOrDefault(type, "arguments"));
    }

    static ToolCall toToolCall(JsonNode item) {
        String callId = item.path("call_id").isTextual() ? item.path("call_id").textValue() : null;
        return new ToolCall(callId, toolName(item), argumentsOf(argumentsNode(item)));
    }

    /** Arguments are a JSON string holding JSON; anything else (a built-in tool's action) is decided as its JSON text. */
    static String argumentsOf(JsonNode arguments) {
        if (arguments.isTextual()) {
            return arguments.textValue();
        }
        return arguments.isMissingNode() || arguments.isNull() ? "" : arguments.toString();
    }

    /** Member of a stored tool call holding the output item it came as, so a replay is that item itself. */
    static final String STORED_ITEM = "responses_item";

    /**
     * Every call of this response and the text of its messages as one stored assistant message
     * (see {@link AssistantMessages#message}), each call with its output item, so that the retry of
     * a held call is answered with the whole first response.
     */
    String assistantMessageOfAll() {
        List<ObjectNode> toolCalls = new ArrayList<>(calls.size());
        for (ProposedCall proposed : calls) {
            ObjectNode toolCall = AssistantMessages.toolCall(proposed.call(), proposed.custom());
            toolCall.set(STORED_ITEM, proposed.item().deepCopy());
            toolCalls.add(toolCall);
        }
        String text = root.path("output").isArray() ? ResponsesReplacement.outputText((ArrayNode) root.get("output")) : "";
        return Json.text(AssistantMessages.message(text.isEmpty() ? null : text, toolCalls));
    }

    /**
     * The call in the Chat Completions form the approval store keeps (a custom call in the Chat
     * Completions {@code custom} shape), so one replay path serves every wire format.
     */
    static String assistantMessage(ToolCall call, boolean custom) {
        return AssistantMessages.forCall(call, custom);
    }

}
