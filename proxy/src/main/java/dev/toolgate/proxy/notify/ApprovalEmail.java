package dev.toolgate.proxy.notify;

import static dev.toolgate.proxy.notify.Html.escape;
import static dev.toolgate.proxy.notify.NoticeText.orEmpty;

/** The email asking an approver to approve or deny a held tool call. */
final class ApprovalEmail {
    /** Mail clients choke on huge bodies; the dashboard has the rest. */
    private static final int MAX_ARGUMENTS = 20_000;

    private ApprovalEmail() {
    }

    static EmailContent build(ApprovalNotice notice, ApprovalLinks links) {
        String arguments = NoticeText.truncate(NoticeText.prettyArguments(notice.redactedArguments()), MAX_ARGUMENTS);
        String expires = NoticeText.time(notice.expiresAt());
        return new EmailContent(NoticeText.approvalTitle(notice.tool(), notice.agent()),
                text(notice, links, arguments, expires), html(notice, links, arguments, expires));
    }

    private static String text(ApprovalNotice notice, ApprovalLinks links, String arguments, String expires) {
        return """
                An AI agent wants to run a tool that needs your approval.

                Tool:      %s
                Agent:     %s
                Workspace: %s
                Rule:      %s
                           %s
                Expires:   %s

                Arguments (secrets redacted):
                %s

                Approve:
                %s

                Deny:
                %s

                Each link works once. If nobody decides before the expiry time, the call counts as denied.
                Approval id: %s
                """.formatted(orEmpty(notice.tool()), orEmpty(notice.agent()), orEmpty(notice.workspace()),
                orEmpty(notice.ruleId()), NoticeText.column(notice.ruleText()), expires, arguments,
                links.approveUrl(), links.denyUrl(), notice.approvalId());
    }

    private static String html(ApprovalNotice notice, ApprovalLinks links, String arguments, String expires) {
        return EmailHtml.page(NoticeText.approvalTitle(notice.tool(), notice.agent()),
                "An AI agent wants to run a tool that needs your approval.",
                EmailHtml.facts(
                        "Tool", notice.tool(),
                        "Agent", notice.agent(),
                        "Workspace", notice.workspace(),
                        "Rule", notice.ruleId(),
                        "Rule text", notice.ruleText(),
                        "Expires", expires)
                        + EmailHtml.arguments(arguments)
                        + "<p style=\"margin:24px 0\">"
                        + EmailHtml.button("Approve", links.approveUrl(), "#1a7f37")
                        + " &nbsp; "
                        + EmailHtml.button("Deny", links.denyUrl(), "#cf222e")
                        + "</p>\n"
                        + "<p style=\"color:#57606a;font-size:13px\">Each link works once. If nobody decides before the"
                        + " expiry time, the call counts as denied.<br>Approval id: " + escape(notice.approvalId()) + "</p>\n");
    }
}
