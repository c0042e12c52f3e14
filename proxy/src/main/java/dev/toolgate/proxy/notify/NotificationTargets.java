package dev.toolgate.proxy.notify;

/**
 * Where one notification goes, resolved by the caller (rule, workspace setting, config default).
 * An empty value turns that channel off; null is read as empty.
 */
public record NotificationTargets(String email, String slackWebhookUrl, String teamsWebhookUrl) {

    public static final NotificationTargets NONE = new NotificationTargets("", "", "");

    public NotificationTargets {
        email = email == null ? "" : email.strip();
        slackWebhookUrl = slackWebhookUrl == null ? "" : slackWebhookUrl.strip();
        teamsWebhookUrl = teamsWebhookUrl == null ? "" : teamsWebhookUrl.strip();
    }

    public boolean has(Channel channel) {
        return switch (channel) {
            case EMAIL -> !email.isEmpty();
            case SLACK -> !slackWebhookUrl.isEmpty();
            case TEAMS -> !teamsWebhookUrl.isEmpty();
        };
    }

    @Override
    public String toString() {
        // Webhook URLs carry their credential in the path.
        return "NotificationTargets[email=" + email + ", slackWebhookUrl=" + LogSafe.webhook(slackWebhookUrl)
                + ", teamsWebhookUrl=" + LogSafe.webhook(teamsWebhookUrl) + "]";
    }
}
