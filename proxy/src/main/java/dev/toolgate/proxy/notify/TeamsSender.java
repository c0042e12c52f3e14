package dev.toolgate.proxy.notify;

import java.io.IOException;

/** Posts approval and expiry cards to a Microsoft Teams webhook (Workflows or incoming-webhook connector). Blocks. */
final class TeamsSender {
    private final WebhookPoster poster;

    TeamsSender(WebhookPoster poster) {
        this.poster = poster;
    }

    void sendApproval(String webhookUrl, ApprovalNotice notice, ApprovalLinks links) throws IOException, DeliveryFailure {
        poster.post(webhookUrl, TeamsCard.approval(notice, links));
    }

    void sendExpiry(String webhookUrl, ExpiryNotice notice) throws IOException, DeliveryFailure {
        poster.post(webhookUrl, TeamsCard.expiry(notice));
    }

    void sendBreaker(String webhookUrl, BreakerNotice notice) throws IOException, DeliveryFailure {
        poster.post(webhookUrl, TeamsCard.breaker(notice));
    }
}
