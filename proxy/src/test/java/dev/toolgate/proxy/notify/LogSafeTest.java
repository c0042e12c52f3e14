package dev.toolgate.proxy.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Webhook URLs are credentials: logs show the host only. */
class LogSafeTest {
    private static final String SLACK = "https://hooks.slack.com/services/T0001/B0001/XXXXsecretXXXX";

    @Test
    void aWebhookIsShownByItsHostOnly() {
        assertThat(LogSafe.webhook(SLACK)).isEqualTo("https://hooks.slack.com/…");
        assertThat(LogSafe.webhook("http://127.0.0.1:8080/hook?sig=abc")).isEqualTo("http://127.0.0.1:8080/…");
        assertThat(LogSafe.webhook("not a url with secret")).doesNotContain("secret");
        assertThat(LogSafe.webhook("")).isEqualTo("(none)");
    }

    @Test
    void errorsMentioningTheWebhookAreMasked() {
        IOException error = new IOException("unexpected end of stream on " + SLACK,
                new IOException("while posting /services/T0001/B0001/XXXXsecretXXXX"));

        String line = LogSafe.error(error, SLACK);

        assertThat(line).doesNotContain("XXXXsecretXXXX").contains("https://hooks.slack.com/…", "caused by");
    }

    @Test
    void targetsPrintWithoutWebhookSecrets() {
        assertThat(new NotificationTargets("ops@example.com", SLACK, "").toString())
                .contains("ops@example.com", "https://hooks.slack.com/…").doesNotContain("secret");
    }
}
