package dev.toolgate.proxy.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.config.EmailConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Settings and notices are checked when made, with messages that say what was expected. */
class NotifierSettingsTest {

    @Test
    void backoffDoublesUpToTheCap() {
        RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(2), Duration.ofSeconds(10));

        assertThat(policy.delayAfter(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delayAfter(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delayAfter(3)).isEqualTo(Duration.ofSeconds(8));
        assertThat(policy.delayAfter(4)).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.delayAfter(200)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void badBuilderValuesAreRefusedWithTheExpectation() {
        assertThatThrownBy(() -> Notifier.builder().maxAttempts(0))
                .hasMessage("maxAttempts: 0 (expected: at least 1)");
        assertThatThrownBy(() -> Notifier.builder().retryDelay(Duration.ofSeconds(-1)))
                .hasMessage("retryDelay: PT-1S (expected: a positive duration)");
        assertThatThrownBy(() -> Notifier.builder().email(new EmailConfig("smtp.example.com", 587, "not-an-address", "ops@example.com", "", "", true)).build())
                .hasMessageStartingWith("notifications.email.from: 'not-an-address' (expected: an email address");
    }

    @Test
    void linksMustBeHttpUrls() {
        assertThatThrownBy(() -> new ApprovalLinks("javascript:alert(1)", "https://gate.example.com/api/deny/t"))
                .hasMessage("approveUrl: not an absolute http or https URL (expected: the gateway's public link)");
        assertThatThrownBy(() -> new ApprovalLinks("https://gate.example.com/api/approve/t", ""))
                .hasMessage("denyUrl: missing (expected: an http or https URL)");
    }

    @Test
    void linksAreKeyedByKnownChannels() {
        ApprovalNotice sample = Notices.approval();
        assertThatThrownBy(() -> new ApprovalNotice(sample.approvalId(), sample.workspace(), sample.agent(), sample.tool(),
                sample.redactedArguments(), sample.ruleId(), sample.ruleText(), sample.createdAt(), sample.expiresAt(),
                sample.recipientEmail(), Map.of("sms", Notices.links("sms"))))
                .hasMessage("linksByChannel: 'sms' (expected: email, slack or teams)");
        assertThat(sample.linksFor(Channel.TEAMS)).isEqualTo(Notices.links("teams"));
    }

    @Test
    void deliveriesRunOnDaemonThreadsNamedForTheNotifier() throws Exception {
        ScheduledThreadPoolExecutor executor = Notifier.executor(Channel.SLACK, 1);
        try {
            Thread thread = executor.submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
            assertThat(thread.getName()).isEqualTo("toolgate-notify-slack-1");
            assertThat(thread.isDaemon()).isTrue();
        } finally {
            executor.shutdownNow();
        }
    }
}
