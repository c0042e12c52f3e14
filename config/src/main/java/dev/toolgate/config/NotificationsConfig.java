package dev.toolgate.config;

/**
 * The {@code notifications} section: where approval requests go.
 *
 * @param email null when email is not configured
 * @param slackWebhookUrl empty when Slack is not configured
 * @param teamsWebhookUrl empty when Teams is not configured
 */
public record NotificationsConfig(EmailConfig email, String slackWebhookUrl, String teamsWebhookUrl) {

    /** The section as it is when {@code toolgate.yaml} leaves it out: no channel configured. */
    public static final NotificationsConfig DEFAULTS = new NotificationsConfig(null, "", "");

    @Override
    public String toString() {
        // Webhook URLs carry their credential in the path.
        return "NotificationsConfig[email=" + email + ", slackWebhookUrl=" + Secrets.mask(slackWebhookUrl)
                + ", teamsWebhookUrl=" + Secrets.mask(teamsWebhookUrl) + "]";
    }
}
