package dev.toolgate.proxy.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.server.Json;

/**
 * Microsoft Teams messages: an Adaptive Card in the envelope that both Workflows webhooks and the
 * older incoming-webhook connectors accept. Agent-supplied values go in {@code TextRun}s, which
 * Teams never reads as Markdown, so an argument cannot render as a link.
 */
final class TeamsCard {
    private static final int MAX_ARGUMENTS = 8_000;

    private TeamsCard() {
    }

    static ObjectNode approval(ApprovalNotice notice, ApprovalLinks links) {
        String title = NoticeText.approvalTitle(notice.tool(), notice.agent());
        ObjectNode card = card();
        ArrayNode body = card.putArray("body");
        body.add(title(title));
        body.add(runs(plain("An AI agent wants to run a tool that needs your approval.")));
        body.add(fact("Tool", notice.tool()));
        body.add(fact("Agent", notice.agent()));
        body.add(fact("Workspace", notice.workspace()));
        body.add(fact("Rule", notice.ruleId()));
        body.add(fact("Rule text", notice.ruleText()));
        body.add(fact("Expires", NoticeText.time(notice.expiresAt())));
        body.add(arguments(notice.redactedArguments()));
        body.add(runs(plain("Each button works once. If nobody decides before the expiry time, the call counts as denied."
                + " Approval id " + notice.approvalId()).put("isSubtle", true).put("size", "Small")));
        ArrayNode actions = card.putArray("actions");
        actions.add(openUrl("Approve", links.approveUrl(), "positive"));
        actions.add(openUrl("Deny", links.denyUrl(), "destructive"));
        return envelope(title, card);
    }

    static ObjectNode expiry(ExpiryNotice notice) {
        String title = NoticeText.expiryTitle(notice.tool(), notice.agent());
        ObjectNode card = card();
        ArrayNode body = card.putArray("body");
        body.add(title(title));
        body.add(runs(plain("Nobody approved or denied this tool call before it expired, so it counted as denied.")));
        body.add(fact("Tool", notice.tool()));
        body.add(fact("Agent", notice.agent()));
        body.add(fact("Workspace", notice.workspace()));
        body.add(fact("Rule", notice.ruleId()));
        body.add(fact("Rule text", notice.ruleText()));
        body.add(fact("Expired", NoticeText.time(notice.expiredAt())));
        body.add(arguments(notice.redactedArguments()));
        body.add(runs(plain("Approval id " + notice.approvalId()).put("isSubtle", true).put("size", "Small")));
        return envelope(title, card);
    }

    static ObjectNode breaker(BreakerNotice notice) {
        ObjectNode card = card();
        ArrayNode body = card.putArray("body");
        body.add(title(notice.title()));
        body.add(runs(plain(notice.effect())));
        body.add(fact("Agent", notice.agent()));
        body.add(fact("Workspace", notice.workspace()));
        body.add(fact("State", notice.state() + " (was " + NoticeText.orEmpty(notice.previous()) + ")"));
        body.add(fact("By", notice.changedBy()));
        body.add(fact("Reason", notice.reason()));
        body.add(fact("Changed", NoticeText.time(notice.changedAt())));
        return envelope(notice.title(), card);
    }

    private static ObjectNode envelope(String title, ObjectNode card) {
        ObjectNode message = Json.object().put("type", "message").put("summary", title);
        message.putArray("attachments").addObject()
                .put("contentType", "application/vnd.microsoft.card.adaptive")
                .putNull("contentUrl")
                .set("content", card);
        return message;
    }

    private static ObjectNode card() {
        ObjectNode card = Json.object()
                .put("type", "AdaptiveCard")
                .put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json")
                .put("version", "1.4");
        card.putObject("msteams").put("width", "Full");
        return card;
    }

    private static ObjectNode title(String title) {
        return runs(plain(title).put("weight", "Bolder").put("size", "Medium"));
    }

    private static ObjectNode fact(String label, String value) {
        return runs(plain(label + ": ").put("weight", "Bolder"), plain(NoticeText.orEmpty(value)));
    }

    private static ObjectNode arguments(String redactedArguments) {
        ObjectNode block = Json.object().put("type", "Container");
        ArrayNode items = block.putArray("items");
        items.add(runs(plain("Arguments (secrets redacted)").put("weight", "Bolder")));
        items.add(runs(plain(NoticeText.truncate(NoticeText.prettyArguments(redactedArguments), MAX_ARGUMENTS))
                .put("fontType", "Monospace")));
        return block;
    }

    private static ObjectNode runs(ObjectNode... inlines) {
        ObjectNode block = Json.object().put("type", "RichTextBlock");
        ArrayNode list = block.putArray("inlines");
        for (ObjectNode inline : inlines) {
            list.add(inline);
        }
        return block;
    }

    private static ObjectNode plain(String text) {
        return Json.object().put("type", "TextRun").put("text", text);
    }

    private static ObjectNode openUrl(String title, String url, String style) {
        return Json.object().put("type", "Action.OpenUrl").put("title", title).put("url", url).put("style", style);
    }
}
