package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.approval.NotificationSettings;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.notify.WebhookScreen;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.RequestBodies;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code GET|PUT /api/notification-settings}: where a workspace's approval requests go. Webhook
 * URLs carry their credential in the path, so they are shown masked; they are screened like
 * delivery targets' ({@link WebhookScreen}).
 */
public final class NotificationSettingsEndpoints {
    private static final List<String> FIELDS = List.of(NotificationSettings.NOTIFY_EMAIL,
            NotificationSettings.SLACK_WEBHOOK_URL, NotificationSettings.TEAMS_WEBHOOK_URL);
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private final NotificationSettings settings;
    private final Blocking blocking;
    private final WebhookScreen screen;

    NotificationSettingsEndpoints(NotificationSettings settings, BlockingExecutor executor, WebhookScreen screen) {
        this.settings = settings;
        this.blocking = new Blocking(executor);
        this.screen = screen;
    }

    public void get(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, () -> Blocking.Answer.ok(view(settings.effective(workspace))));
    }

    /** Sets the fields present in the body; {@code ""} turns a channel off; other fields keep their values. */
    public void put(Exchange exchange) {
        RequestBodies.requireJson(exchange);
        ObjectNode body = Json.readObject(exchange.request().content());
        Map<String, String> changes = new LinkedHashMap<>();
        body.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw ApiError.validation("unknown field '" + name + "' (expected: " + String.join(", ", FIELDS) + ")");
            }
        });
        for (String field : FIELDS) {
            JsonNode value = body.path(field);
            if (value.isMissingNode()) {
                continue;
            }
            String text = value.isNull() ? "" : value.isTextual() ? value.textValue().trim() : null;
            if (text == null) {
                throw ApiError.validation(field + " must be a string");
            }
            validate(field, text);
            changes.put(field, text);
        }
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, () -> {
            // Resolves the webhooks' hosts: off the event loop. Refused with 422 before anything is stored.
            changes.forEach((name, value) -> {
                if (!value.isEmpty() && !name.equals(NotificationSettings.NOTIFY_EMAIL)) {
                    screen.check(name, value);
                }
            });
            changes.forEach((name, value) -> settings.put(workspace, name, value));
            return Blocking.Answer.ok(view(settings.effective(workspace)));
        });
    }

    private static void validate(String field, String value) {
        if (value.isEmpty()) {
            return;
        }
        if (field.equals(NotificationSettings.NOTIFY_EMAIL)) {
            if (!EMAIL.matcher(value).matches()) {
                throw ApiError.validation("notify_email is not an email address");
            }
            return;
        }
        try {
            URI uri = URI.create(value);
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw ApiError.validation(field + " must be an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            throw ApiError.validation(field + " must be an http(s) URL");
        }
    }

    private static ObjectNode view(NotificationSettings.Effective effective) {
        ObjectNode json = Json.object();
        json.put(NotificationSettings.NOTIFY_EMAIL, effective.notifyEmail());
        json.put(NotificationSettings.SLACK_WEBHOOK_URL, masked(effective.slackWebhookUrl()));
        json.put(NotificationSettings.TEAMS_WEBHOOK_URL, masked(effective.teamsWebhookUrl()));
        ObjectNode sources = json.putObject("source");
        for (String field : FIELDS) {
            sources.put(field, effective.overridden().containsKey(field) ? "api" : "config");
        }
        return json;
    }

    /** Scheme and host only: enough to recognise the target, not to post to it. */
    public static String masked(String url) {
        if (url == null || url.isEmpty()) {
            return "";
        }
        try {
            URI uri = URI.create(url);
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + "/…";
        } catch (IllegalArgumentException e) {
            return "…";
        }
    }
}
