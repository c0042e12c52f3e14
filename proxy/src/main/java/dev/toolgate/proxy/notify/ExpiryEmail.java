package dev.toolgate.proxy.notify;

import static dev.toolgate.proxy.notify.NoticeText.orEmpty;

/** The email telling an approver that a request expired undecided and counted as denied. */
final class ExpiryEmail {
    private static final int MAX_ARGUMENTS = 20_000;
    private static final String SUMMARY = "Nobody approved or denied this tool call before it expired, so it counted as denied.";

    private ExpiryEmail() {
    }

    static EmailContent build(ExpiryNotice notice) {
        String arguments = NoticeText.truncate(NoticeText.prettyArguments(notice.redactedArguments()), MAX_ARGUMENTS);
        String expired = NoticeText.time(notice.expiredAt());
        String text = """
                %s

                Tool:      %s
                Agent:     %s
                Workspace: %s
                Rule:      %s
                           %s
                Expired:   %s

                Arguments (secrets redacted):
                %s

                Approval id: %s
                """.formatted(SUMMARY, orEmpty(notice.tool()), orEmpty(notice.agent()), orEmpty(notice.workspace()),
                orEmpty(notice.ruleId()), NoticeText.column(notice.ruleText()), expired, arguments,
                notice.approvalId());
        String html = EmailHtml.page(NoticeText.expiryTitle(notice.tool(), notice.agent()),
                SUMMARY,
                EmailHtml.facts(
                        "Tool", notice.tool(),
                        "Agent", notice.agent(),
                        "Workspace", notice.workspace(),
                        "Rule", notice.ruleId(),
                        "Rule text", notice.ruleText(),
                        "Expired", expired)
                        + EmailHtml.arguments(arguments)
                        + "<p style=\"color:#57606a;font-size:13px\">Approval id: " + Html.escape(notice.approvalId()) + "</p>\n");
        return new EmailContent(NoticeText.expiryTitle(notice.tool(), notice.agent()), text, html);
    }
}
