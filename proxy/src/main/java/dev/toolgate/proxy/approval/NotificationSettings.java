package dev.toolgate.proxy.approval;

import dev.toolgate.config.NotificationsConfig;
import dev.toolgate.proxy.notify.NotificationTargets;
import dev.toolgate.storage.SettingsStore;
import java.util.Map;

/**
 * Where a workspace's approval requests go: values set through {@code PUT /api/notification-settings}
 * override the defaults from {@code toolgate.yaml}; a rule's {@code approver_email} overrides the
 * email address. Methods block (storage).
 */
public final class NotificationSettings {
    public static final String NOTIFY_EMAIL = "notify_email";
    public static final String SLACK_WEBHOOK_URL = "slack_webhook_url";
    public static final String TEAMS_WEBHOOK_URL = "teams_webhook_url";

    private final SettingsStore store;
    /** The file's settings, under those set through the API; replaced by a reload. */
    private volatile NotificationsConfig defaults;

    /** The effective settings of one workspace, and whether each came from the API or the config file. */
    public record Effective(String notifyEmail, String slackWebhookUrl, String teamsWebhookUrl, Map<String, String> overridden) {
    }

    public NotificationSettings(SettingsStore store, NotificationsConfig defaults) {
        this.store = store;
        this.defaults = defaults;
    }

    /** The notification settings of a reloaded {@code toolgate.yaml}; those set through the API still win. */
    public void reconfigure(NotificationsConfig defaults) {
        this.defaults = defaults;
    }

    public Effective effective(String workspace) {
        Map<String, String> stored = store.all(workspace);
        String defaultEmail = defaults.email() == null ? "" : defaults.email().to();
        return new Effective(
                stored.getOrDefault(NOTIFY_EMAIL, nullToEmpty(defaultEmail)),
                stored.getOrDefault(SLACK_WEBHOOK_URL, defaults.slackWebhookUrl()),
                stored.getOrDefault(TEAMS_WEBHOOK_URL, defaults.teamsWebhookUrl()),
                stored);
    }

    /**
     * Where to send a request for a call held by a rule with {@code ruleApproverEmail} (may be null).
     * A workspace that turned email off ({@code notify_email: ""} through the API) gets none, not
     * even at a rule's approver address.
     */
    public NotificationTargets targets(String workspace, String ruleApproverEmail) {
        Effective settings = effective(workspace);
        boolean emailTurnedOff = settings.overridden().containsKey(NOTIFY_EMAIL) && settings.notifyEmail().isBlank();
        String email = emailTurnedOff ? ""
                : ruleApproverEmail != null && !ruleApproverEmail.isBlank() ? ruleApproverEmail : settings.notifyEmail();
        // Without SMTP settings there is no way to send email, whatever the address.
        return new NotificationTargets(defaults.email() == null ? "" : email, settings.slackWebhookUrl(), settings.teamsWebhookUrl());
    }

    /** Stores one setting for the workspace; an empty value turns that channel off there. */
    public void put(String workspace, String name, String value) {
        store.put(workspace, name, value);
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
