package dev.toolgate.proxy.notify;

import static dev.toolgate.proxy.notify.NoticeText.orEmpty;

/** The email telling approvers that an agent's circuit breaker changed state. */
final class BreakerEmail {
    private BreakerEmail() {
    }

    static EmailContent build(BreakerNotice notice) {
        String changed = NoticeText.time(notice.changedAt());
        String text = """
                %s

                Agent:     %s
                Workspace: %s
                State:     %s (was %s)
                By:        %s
                Reason:    %s
                Changed:   %s

                Resume it with POST /api/agents/%s/resume.
                """.formatted(notice.effect(), orEmpty(notice.agent()), orEmpty(notice.workspace()), notice.state(),
                orEmpty(notice.previous()), orEmpty(notice.changedBy()), NoticeText.column(notice.reason()), changed, notice.agent());
        String html = EmailHtml.page(notice.title(), notice.effect(),
                EmailHtml.facts(
                        "Agent", notice.agent(),
                        "Workspace", notice.workspace(),
                        "State", notice.state() + " (was " + orEmpty(notice.previous()) + ")",
                        "By", notice.changedBy(),
                        "Reason", notice.reason(),
                        "Changed", changed));
        return new EmailContent(notice.title(), text, html);
    }
}
