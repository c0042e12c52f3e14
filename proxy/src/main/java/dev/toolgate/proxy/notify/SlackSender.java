package dev.toolgate.proxy.notify;

import java.io.IOException;

/** Posts approval and expiry messages to a Slack incoming webhook. Blocks. */
final class SlackSender {
    private final WebhookPoster poster;

    SlackSender(WebhookPoster poster) {
        this.poster = poster;
    }

    void sendApproval(String webhookUrl, ApprovalNotice notice, ApprovalLinks links) throws IOException, DeliveryFailure {
        poster.post(webhookUrl, SlackMessage.approval(notice, links));
    }

    void sendExpiry(String webhookUrl, ExpiryNotice notice) throws IOException, DeliveryFailure {
        poster.post(webhookUrl, SlackMessage.expiry(notice));
    }

    void sendBreaker(String webhookUrl, BreakerNotice notice) throws IOException, DeliveryFailure {
        poster.post(webhookUrl, SlackMessage.breaker(notice));
    }
}
