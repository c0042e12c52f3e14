package dev.toolgate.proxy.notify;

import java.time.Instant;
import java.util.Objects;

/**
 * What approvers are told when an agent's circuit breaker changed state.
 *
 * @param state the new state, as operators read it ({@code halt}, {@code throttle (10/m)})
 * @param previous the state before
 * @param changedBy {@code api:<admin key>}, or {@code breaker} for an automatic trip
 * @param reason why; may be empty
 */
public record BreakerNotice(String workspace, String agent, String state, String previous, String changedBy, String reason,
                            Instant changedAt) {

    public BreakerNotice {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(changedAt, "changedAt");
        reason = reason == null ? "" : reason;
    }

    /** The id log lines name this notice by: the agent and the time of the change. */
    String id() {
        return "agent " + workspace + "/" + agent + "@" + changedAt;
    }

    String title() {
        return "Agent " + NoticeText.oneLine(agent, 100) + " is now " + NoticeText.oneLine(state, 40);
    }

    /** One line on what the new state does to the agent. */
    String effect() {
        String word = state.contains(" ") ? state.substring(0, state.indexOf(' ')) : state;
        return switch (word) {
            case "monitoring" -> "Its tool calls are decided by the rules alone again.";
            case "warn" -> "Its tool calls are decided as usual, and each is flagged.";
            case "throttle" -> "Its tool calls past the rate are blocked.";
            case "halt" -> "Every tool call it makes is held for approval or blocked.";
            case "killed" -> "Its key is refused on every route until an admin resumes it.";
            default -> "";
        };
    }
}
