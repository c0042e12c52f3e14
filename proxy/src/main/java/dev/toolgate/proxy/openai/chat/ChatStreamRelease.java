package dev.toolgate.proxy.openai.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.gate.DecisionSummary;
import dev.toolgate.proxy.gate.GatedCall;
import dev.toolgate.proxy.stream.SseEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one choice's held calls become once decided: the released calls' own events, one content
 * delta standing in for the others, then the choice's finish. An immutable snapshot taken on the
 * stream's loop, because the events are built on whichever thread completes the last decision.
 *
 * @param choice the choice index
 * @param releases per call, in call order, the events that release it unchanged
 * @param wroteText whether the model wrote text in this choice, which the explanation then follows
 * @param template a chunk of this stream whose envelope the gateway's own chunks copy
 * @param finish the choice's finish element ({@code delta: {}}), or null when the stream ended without one
 * @param rawFinish the upstream's own finish event, when it carried nothing else; else null
 */
record ChatStreamRelease(int choice, List<List<SseEvent>> releases, boolean wroteText, ObjectNode template,
                         ObjectNode finish, SseEvent rawFinish) {

    /** {@code decided} is parallel to {@link #releases()}. */
    List<SseEvent> events(List<GatedCall> decided) {
        List<SseEvent> out = new ArrayList<>();
        Set<String> replacements = new LinkedHashSet<>();
        boolean anyReleased = false;
        for (int i = 0; i < decided.size(); i++) {
            GatedCall gated = decided.get(i);
            if (gated.decision().releases()) {
                out.addAll(releases.get(i));
                anyReleased = true;
            } else {
                replacements.add(DecisionSummary.replacementText(gated));
            }
        }
        if (!replacements.isEmpty()) {
            // Worded and joined as the non-streaming path words them, after the model's own text.
            out.add(ChatStreamChunks.content(template, choice, (wroteText ? "\n\n" : "") + String.join(" ", replacements)));
        }
        if (finish != null) {
            out.add(finishEvent(anyReleased));
        }
        return out;
    }

    /** Unchanged while a call is left; {@code stop} when none is, as the non-streaming path does. */
    private SseEvent finishEvent(boolean anyReleased) {
        if (anyReleased && rawFinish != null) {
            return rawFinish;
        }
        ObjectNode element = finish.deepCopy();
        String reason = element.path("finish_reason").asText("");
        if (!anyReleased && (reason.equals("tool_calls") || reason.equals("function_call"))) {
            element.put("finish_reason", "stop");
        }
        return ChatStreamChunks.withChoice(template, element);
    }
}
