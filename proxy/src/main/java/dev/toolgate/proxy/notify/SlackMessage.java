package dev.toolgate.proxy.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;

/** Slack Block Kit messages for an incoming webhook: the facts, and Approve / Deny as URL buttons. */
final class SlackMessage {
    // Block Kit limits: header 150 characters, section text 3000, field 2000.
    private static final int MAX_HEADER = 150;
    private static final int MAX_ARGUMENTS = 2_800;
    private static final int MAX_VALUE = 300;
    private static final int MAX_RULE_TEXT = 1_500;

    private SlackMessage() {
    }

    static ObjectNode approval(ApprovalNotice notice, ApprovalLinks links) {
        String title = NoticeText.approvalTitle(notice.tool(), notice.agent());
        // The top-level text is mrkdwn (it shows in notifications): escaped like every other value.
        ObjectNode message = Json.object().put("text", escape(title, 1_000));
        ArrayNode blocks = message.putArray("blocks");
        blocks.add(header(title));
        blocks.add(facts(notice.tool(), notice.agent(), notice.workspace(), "Expires", NoticeText.time(notice.expiresAt())));
        blocks.add(rule(notice.ruleId(), notice.ruleText()));
        blocks.add(arguments(notice.redactedArguments()));
        ArrayNode buttons = blocks.addObject().put("type", "actions").put("block_id", "toolgate_decision").putArray("elements");
        buttons.add(button("approve", "Approve", "primary", links.approveUrl()));
        buttons.add(button("deny", "Deny", "danger", links.denyUrl()));
        blocks.add(context("Each button works once. If nobody decides before the expiry time, the call counts as denied."
                + " Approval id " + notice.approvalId()));
        return message;
    }

    static ObjectNode expiry(ExpiryNotice notice) {
        String title = NoticeText.expiryTitle(notice.tool(), notice.agent());
        ObjectNode message = Json.object().put("text", escape(title + " (counted as denied)", 1_000));
        ArrayNode blocks = message.putArray("blocks");
        blocks.add(header(title));
        blocks.addObject().put("type", "section").set("text", mrkdwn(
                escape("Nobody approved or denied this tool call before it expired, so it counted as denied.", 500)));
        blocks.add(facts(notice.tool(), notice.agent(), notice.workspace(), "Expired", NoticeText.time(notice.expiredAt())));
        blocks.add(rule(notice.ruleId(), notice.ruleText()));
        blocks.add(arguments(notice.redactedArguments()));
        blocks.add(context("Approval id " + notice.approvalId()));
        return message;
    }

    static ObjectNode breaker(BreakerNotice notice) {
        ObjectNode message = Json.object().put("text", escape(notice.title(), 1_000));
        ArrayNode blocks = message.putArray("blocks");
        blocks.add(header(notice.title()));
        blocks.addObject().put("type", "section").set("text", mrkdwn(escape(notice.effect(), 500)));
        ObjectNode section = blocks.addObject().put("type", "section");
        ArrayNode fields = section.putArray("fields");
        fields.add(mrkdwn("*Agent*\n" + escape(notice.agent(), MAX_VALUE)));
        fields.add(mrkdwn("*Workspace*\n" + escape(notice.workspace(), MAX_VALUE)));
        fields.add(mrkdwn("*State*\n" + escape(notice.state() + " (was " + NoticeText.orEmpty(notice.previous()) + ")", MAX_VALUE)));
        fields.add(mrkdwn("*By*\n" + escape(notice.changedBy(), MAX_VALUE)));
        if (!notice.reason().isBlank()) {
            blocks.addObject().put("type", "section").set("text", mrkdwn("*Reason*\n" + escape(notice.reason(), MAX_RULE_TEXT)));
        }
        blocks.add(context("Changed " + NoticeText.time(notice.changedAt()) + ". Resume with POST /api/agents/" + notice.agent()
                + "/resume"));
        return message;
    }

    /** plain_text is shown literally, never parsed for links or mentions, so the title needs no escaping. */
    private static ObjectNode header(String title) {
        ObjectNode header = Json.object().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", NoticeText.oneLine(title, MAX_HEADER));
        return header;
    }

    private static ObjectNode facts(String tool, String agent, String workspace, String timeLabel, String time) {
        ObjectNode section = Json.object().put("type", "section");
        ArrayNode fields = section.putArray("fields");
        fields.add(mrkdwn("*Tool*\n" + escape(tool, MAX_VALUE)));
        fields.add(mrkdwn("*Agent*\n" + escape(agent, MAX_VALUE)));
        fields.add(mrkdwn("*Workspace*\n" + escape(workspace, MAX_VALUE)));
        fields.add(mrkdwn("*" + timeLabel + "*\n" + escape(time, MAX_VALUE)));
        return section;
    }

    private static ObjectNode rule(String ruleId, String ruleText) {
        ObjectNode section = Json.object().put("type", "section");
        section.set("text", mrkdwn("*Rule* " + escape(ruleId, MAX_VALUE) + "\n" + escape(ruleText, MAX_RULE_TEXT)));
        return section;
    }

    private static ObjectNode arguments(String redactedArguments) {
        ObjectNode section = Json.object().put("type", "section");
        section.set("text", mrkdwn("*Arguments* (secrets redacted)\n```\n"
                + escape(NoticeText.prettyArguments(redactedArguments), MAX_ARGUMENTS) + "\n```"));
        return section;
    }

    private static ObjectNode button(String actionId, String label, String style, String url) {
        ObjectNode button = Json.object().put("type", "button").put("action_id", actionId);
        button.putObject("text").put("type", "plain_text").put("text", label);
        return button.put("style", style).put("url", url);
    }

    private static ObjectNode context(String text) {
        ObjectNode context = Json.object().put("type", "context");
        context.putArray("elements").add(mrkdwn(escape(text, 1_000)));
        return context;
    }

    private static ObjectNode mrkdwn(String text) {
        return Json.object().put("type", "mrkdwn").put("text", text);
    }

    /**
     * Escapes Slack's control characters so agent-supplied text cannot form links or mentions
     * ({@code <https://evil|Approve>}, {@code <!channel>}), and cuts it to at most {@code max}
     * characters after escaping.
     */
    static String escape(String text, int max) {
        String raw = NoticeText.orEmpty(text);
        StringBuilder out = new StringBuilder(Math.min(raw.length(), max) + 16);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            String piece = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                default -> String.valueOf(c);
            };
            if (out.length() + piece.length() > max || (Character.isHighSurrogate(c) && out.length() + 2 > max)) {
                return out.append('…').toString();
            }
            out.append(piece);
        }
        return out.toString();
    }
}
