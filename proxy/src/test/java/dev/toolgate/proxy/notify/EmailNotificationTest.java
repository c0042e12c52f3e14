package dev.toolgate.proxy.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.toolgate.config.EmailConfig;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Approval and expiry emails, sent over real SMTP to GreenMail. */
class EmailNotificationTest {
    private static final String USER = "toolgate";
    private static final String PASSWORD = "s3cret-pass";

    @RegisterExtension
    static final GreenMailExtension SMTP = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("toolgate@example.com", USER, PASSWORD));

    private static final NotificationTargets EMAIL_ONLY = new NotificationTargets("alice@example.com", "", "");

    @Test
    void approvalEmailCarriesTheFactsAndTheEmailChannelsLinks() throws Exception {
        try (Notifier notifier = notifier(smtp("", ""))) {
            DeliveryReport report = await(notifier.approvalRequested(Notices.approval(), EMAIL_ONLY));

            assertThat(report.allDelivered()).isTrue();
            assertThat(report.channel(Channel.EMAIL)).hasValueSatisfying(email -> assertThat(email.attempts()).isEqualTo(1));
        }
        MimeMessage message = onlyMessage();
        assertThat(message.getSubject()).isEqualTo("Approval needed: wire_transfer by support-bot");
        assertThat(message.getAllRecipients()).extracting(address -> ((InternetAddress) address).getAddress())
                .containsExactly("alice@example.com");
        assertThat(((InternetAddress) message.getFrom()[0]).getAddress()).isEqualTo("toolgate@example.com");
        assertThat(message.getContentType()).startsWith("multipart/alternative");

        String text = part(message, "text/plain");
        String html = part(message, "text/html");
        ApprovalLinks links = Notices.links("email");
        assertThat(text.lines()).contains(links.approveUrl(), links.denyUrl());
        assertThat(html).contains("href=\"" + links.approveUrl() + "\"", "href=\"" + links.denyUrl() + "\"");
        // Slack's and Teams' tokens must not leak into the email: the audit log tells channels apart by them.
        assertThat(text + html).doesNotContain("slack-approve", "teams-approve");

        for (String body : List.of(text, html)) {
            assertThat(body).contains("wire_transfer", "support-bot", "acme", "payments-need-approval",
                    Notices.RULE_TEXT, "Sunday 23 November 2025, 10:15 UTC", "2025-11-23T10:15:30Z", Notices.APPROVAL_ID);
        }
        // Pretty-printed, redaction markers intact.
        assertThat(text).contains("\"amount\": 5000,", "\"card\": \"[REDACTED:card]\"", "\"api_key\": \"[REDACTED]\"");
        assertThat(html).contains("&quot;api_key&quot;: &quot;[REDACTED]&quot;");
    }

    @Test
    void everyValueIsEscapedInTheHtmlPart() throws Exception {
        String tool = "<script>alert(1)</script>";
        try (Notifier notifier = notifier(smtp("", ""))) {
            assertThat(await(notifier.approvalRequested(Notices.approval(tool), EMAIL_ONLY)).allDelivered()).isTrue();
        }
        MimeMessage message = onlyMessage();
        String html = part(message, "text/html");
        assertThat(html).doesNotContain("<script>").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        assertThat(part(message, "text/plain")).contains("Tool:      " + tool);
        assertThat(message.getSubject()).isEqualTo("Approval needed: " + tool + " by support-bot");
    }

    @Test
    void expiryEmailSaysTheCallCountedAsDeniedAndThreadsUnderTheRequest() throws Exception {
        try (Notifier notifier = notifier(smtp("", ""))) {
            assertThat(await(notifier.approvalRequested(Notices.approval(), EMAIL_ONLY)).allDelivered()).isTrue();
            assertThat(await(notifier.approvalExpired(Notices.expiry(), EMAIL_ONLY)).allDelivered()).isTrue();
        }
        MimeMessage[] messages = SMTP.getReceivedMessages();
        assertThat(messages).hasSize(2);
        MimeMessage request = messages[0];
        MimeMessage expiry = messages[1];
        assertThat(expiry.getSubject()).isEqualTo("Approval expired: wire_transfer by support-bot");
        assertThat(expiry.getContentType()).startsWith("multipart/alternative");
        String text = part(expiry, "text/plain");
        assertThat(text).contains("counted as denied", "wire_transfer", "payments-need-approval", "2025-11-23T10:15:30Z",
                "\"api_key\": \"[REDACTED]\"");
        assertThat(text).doesNotContain("/api/approve/", "/api/deny/");
        assertThat(part(expiry, "text/html")).contains("counted as denied");
        assertThat(expiry.getHeader("In-Reply-To", null)).isEqualTo(request.getMessageID());
    }

    @Test
    void authenticatesWhenAUsernameIsConfigured() throws Exception {
        try (Notifier notifier = notifier(smtp(USER, PASSWORD))) {
            assertThat(await(notifier.approvalRequested(Notices.approval(), EMAIL_ONLY)).allDelivered()).isTrue();
        }
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }

    @Test
    void aRejectedPasswordIsRetriedThenReportedWithoutThrowing() throws Exception {
        DeliveryReport report;
        try (Notifier notifier = notifier(smtp(USER, "wrong"))) {
            report = await(notifier.approvalRequested(Notices.approval(), EMAIL_ONLY));
        }
        // The server refused the credentials, so they were sent: authentication is in use.
        assertThat(report.channel(Channel.EMAIL)).hasValueSatisfying(email -> {
            assertThat(email.delivered()).isFalse();
            assertThat(email.attempts()).isEqualTo(2);
            assertThat(email.lastError()).contains("535");
        });
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    @Test
    void requiredStartTlsRefusesAServerThatDoesNotOfferIt() throws Exception {
        EmailConfig plain = smtp(USER, PASSWORD);
        EmailConfig tls = new EmailConfig(plain.smtpHost(), plain.smtpPort(), plain.from(), plain.to(), USER, PASSWORD, true);
        DeliveryReport report;
        try (Notifier notifier = notifier(tls)) {
            report = await(notifier.approvalRequested(Notices.approval(), EMAIL_ONLY));
        }
        // GreenMail offers no STARTTLS: the password must not go out in clear text.
        assertThat(report.allDelivered()).isFalse();
        assertThat(report.channel(Channel.EMAIL).orElseThrow().lastError()).containsIgnoringCase("STARTTLS");
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    @Test
    void withoutSmtpSettingsEmailIsOffAndNothingFails() throws Exception {
        try (Notifier notifier = Notifier.builder().build()) {
            assertThat(notifier.emailConfigured()).isFalse();
            DeliveryReport requested = await(notifier.approvalRequested(Notices.approval(), EMAIL_ONLY));
            DeliveryReport expired = await(notifier.approvalExpired(Notices.expiry(), EMAIL_ONLY));

            assertThat(requested.deliveries()).isEmpty();
            assertThat(expired.deliveries()).isEmpty();
        }
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    @Test
    void anEmptyEmailTargetSendsNothingEvenWithSmtpConfigured() throws Exception {
        try (Notifier notifier = notifier(smtp("", ""))) {
            DeliveryReport report = await(notifier.approvalRequested(Notices.approval(), NotificationTargets.NONE));
            assertThat(report.deliveries()).isEmpty();
        }
        assertThat(SMTP.getReceivedMessages()).isEmpty();
    }

    private static EmailConfig smtp(String username, String password) {
        return new EmailConfig("127.0.0.1", SMTP.getSmtp().getPort(), "Toolgate <toolgate@example.com>", "ops@example.com",
                username, password, false);
    }

    private static Notifier notifier(EmailConfig email) {
        return Notifier.builder().email(email).maxAttempts(2).retryDelay(Duration.ofMillis(5))
                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5)).build();
    }

    static DeliveryReport await(java.util.concurrent.CompletableFuture<DeliveryReport> report) throws Exception {
        return report.get(30, TimeUnit.SECONDS);
    }

    private static MimeMessage onlyMessage() {
        MimeMessage[] messages = SMTP.getReceivedMessages();
        assertThat(messages).hasSize(1);
        return messages[0];
    }

    private static String part(MimeMessage message, String type) throws Exception {
        MimeMultipart multipart = (MimeMultipart) message.getContent();
        for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart part = multipart.getBodyPart(i);
            if (part.isMimeType(type)) {
                return (String) part.getContent();
            }
        }
        throw new AssertionError("no " + type + " part in " + message.getContentType());
    }
}
