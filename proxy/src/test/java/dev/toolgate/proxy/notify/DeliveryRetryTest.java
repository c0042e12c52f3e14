package dev.toolgate.proxy.notify;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Failing webhooks: retried with backoff, given up on after N attempts, never blocking or failing the caller. */
class DeliveryRetryTest {
    private static final String SLACK_PATH = "/services/T0001/B0001/retrySecretPart";
    private static final String TEAMS_PATH = "/teams/webhookb2/retrySecretPart";

    @RegisterExtension
    static final WireMockExtension HOOKS = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @Test
    void aWebhookFailingTwiceIsDeliveredOnTheThirdAttempt() throws Exception {
        HOOKS.stubFor(post(urlEqualTo(SLACK_PATH)).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(serverError()).willSetStateTo("failed once"));
        HOOKS.stubFor(post(urlEqualTo(SLACK_PATH)).inScenario("flaky").whenScenarioStateIs("failed once")
                .willReturn(serverError()).willSetStateTo("failed twice"));
        HOOKS.stubFor(post(urlEqualTo(SLACK_PATH)).inScenario("flaky").whenScenarioStateIs("failed twice")
                .willReturn(ok("ok")));

        DeliveryReport report;
        try (Notifier notifier = fastRetries().build()) {
            report = EmailNotificationTest.await(notifier.approvalRequested(Notices.approval(), slack()));
        }

        assertThat(report.channel(Channel.SLACK)).hasValue(ChannelDelivery.delivered(Channel.SLACK, 3));
        HOOKS.verify(3, postRequestedFor(urlEqualTo(SLACK_PATH)));
    }

    @Test
    void aWebhookFailingForeverIsGivenUpAfterMaxAttemptsAndLoggedWithoutItsSecret() throws Exception {
        HOOKS.stubFor(post(urlEqualTo(TEAMS_PATH)).willReturn(aResponse().withStatus(500).withBody("upstream exploded")));
        NotificationTargets teams = new NotificationTargets("", "", url(TEAMS_PATH));

        CompletableFuture<DeliveryReport> pending;
        DeliveryReport report;
        String log;
        try (Notifier notifier = fastRetries().build(); CapturedLog captured = new CapturedLog()) {
            pending = notifier.approvalRequested(Notices.approval(), teams);
            report = EmailNotificationTest.await(pending);
            log = captured.text();
        }

        // Default: 5 attempts; the caller got a normal future, not an exception.
        assertThat(pending).isCompletedWithValueMatching(done -> !done.allDelivered());
        ChannelDelivery delivery = report.channel(Channel.TEAMS).orElseThrow();
        assertThat(delivery.delivered()).isFalse();
        assertThat(delivery.attempts()).isEqualTo(5);
        assertThat(delivery.lastError()).isEqualTo("HTTP 500: upstream exploded");
        HOOKS.verify(5, postRequestedFor(urlEqualTo(TEAMS_PATH)));

        assertThat(log).contains("WARN", "attempt 1 of 5", "attempt 4 of 5");
        assertThat(log).contains("ERROR", "Teams approval request for approval " + Notices.APPROVAL_ID,
                "after 5 attempt(s): HTTP 500: upstream exploded", "http://localhost:" + HOOKS.getPort() + "/…");
        assertThat(log).doesNotContain("retrySecretPart", "[REDACTED:card]", "5000");
    }

    @Test
    void aRevokedWebhookIsNotRetried() throws Exception {
        // Slack answers a deleted webhook with 404 no_service (and a revoked token with 403).
        HOOKS.stubFor(post(urlEqualTo(SLACK_PATH)).willReturn(aResponse().withStatus(404).withBody("no_service")));

        DeliveryReport report;
        try (Notifier notifier = fastRetries().build()) {
            report = EmailNotificationTest.await(notifier.approvalRequested(Notices.approval(), slack()));
        }

        assertThat(report.channel(Channel.SLACK)).hasValue(ChannelDelivery.failed(Channel.SLACK, 1, "HTTP 404: no_service"));
        HOOKS.verify(1, postRequestedFor(urlEqualTo(SLACK_PATH)));
    }

    @Test
    void anUnansweringWebhookDoesNotBlockTheCaller() throws Exception {
        // Takes the connection and the request, never answers: the worst kind of outage.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            silent.setSoTimeout(10_000);
            NotificationTargets targets = new NotificationTargets("", "http://127.0.0.1:" + silent.getLocalPort() + "/hook", "");
            try (Notifier notifier = fastRetries().maxAttempts(1).readTimeout(Duration.ofSeconds(20)).build()) {
                CompletableFuture<DeliveryReport> report = notifier.approvalRequested(Notices.approval(), targets);
                assertThat(report).isNotDone();

                Socket held = silent.accept();
                try {
                    // The delivery is now waiting on the silent server; the caller has long had its answer.
                    assertThat(report).isNotDone();
                } finally {
                    held.close();
                }
                ChannelDelivery slack = EmailNotificationTest.await(report).channel(Channel.SLACK).orElseThrow();
                assertThat(slack.delivered()).isFalse();
                assertThat(slack.attempts()).isEqualTo(1);
            }
        }
    }

    @Test
    void aFullBacklogDropsNewDeliveriesAtOnceInsteadOfQueueingWithoutLimit() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            silent.setSoTimeout(10_000);
            NotificationTargets stuck = new NotificationTargets("", "http://127.0.0.1:" + silent.getLocalPort() + "/hook", "");
            try (Notifier notifier = fastRetries().maxAttempts(1).maxPendingDeliveries(1).readTimeout(Duration.ofSeconds(20)).build()) {
                CompletableFuture<DeliveryReport> first = notifier.approvalRequested(Notices.approval(), stuck);
                Socket held = silent.accept();
                try {
                    DeliveryReport second = notifier.approvalRequested(Notices.approval(), stuck).join();

                    assertThat(second.channel(Channel.SLACK))
                            .hasValue(ChannelDelivery.failed(Channel.SLACK, 0, "too many notifications waiting"));
                    assertThat(first).isNotDone();
                } finally {
                    held.close();
                }
                assertThat(EmailNotificationTest.await(first).allDelivered()).isFalse();
            }
        }
    }

    @Test
    void closingReportsDeliveriesStillWaitingForARetry() throws Exception {
        HOOKS.stubFor(post(urlEqualTo(SLACK_PATH)).willReturn(serverError()));
        Notifier notifier = Notifier.builder().retryDelay(Duration.ofMinutes(10)).maxRetryDelay(Duration.ofMinutes(10)).build();
        CompletableFuture<DeliveryReport> report = notifier.approvalRequested(Notices.approval(), slack());

        notifier.close();

        // Whether the first attempt had run or not, nothing is left hanging.
        assertThat(report).isDone();
        assertThat(report.join().allDelivered()).isFalse();
        assertThat(notifier.approvalRequested(Notices.approval(), slack()).join().allDelivered()).isFalse();
    }

    private static Notifier.Builder fastRetries() {
        return Notifier.builder().retryDelay(Duration.ofMillis(5)).maxRetryDelay(Duration.ofMillis(20));
    }

    private static String url(String path) {
        return HOOKS.baseUrl() + path;
    }

    private static NotificationTargets slack() {
        return new NotificationTargets("", url(SLACK_PATH), "");
    }

    /** What the notifier logs (slf4j-simple writes to System.err) while open. */
    private static final class CapturedLog implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        CapturedLog() {
            System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}
