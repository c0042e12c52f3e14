package dev.toolgate.proxy.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.api.Blocking;
import dev.toolgate.proxy.api.NotificationSettingsEndpoints;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.notify.WebhookScreen;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.RequestBodies;
import dev.toolgate.storage.DeliveryTarget;
import dev.toolgate.storage.DeliveryTargetStore;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code /api/deliveries}: a workspace's delivery targets ({@code {name, type, config: {url |
 * webhook_url | to}, default_severity}}), and {@code POST .../:id/verify}, which sends a test message
 * and says how it went. Webhook URLs are screened ({@link WebhookScreen}) and shown masked; a generic
 * webhook's signing secret, when the gateway generated it, is shown once, in the answer that created it.
 */
public final class DeliveriesEndpoints {
    static final List<String> SEVERITIES = List.of("low", "medium", "high", "critical");
    private static final List<String> FIELDS = List.of("name", "type", "config", "default_severity", "secret");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DeliveryTargetStore store;
    private final WebhookScreen screen;
    private final DeliverySender sender;
    private final Blocking blocking;
    private final Clock clock;

    DeliveriesEndpoints(DeliveryTargetStore store, WebhookScreen screen, DeliverySender sender, BlockingExecutor executor,
                        Clock clock) {
        this.store = store;
        this.screen = screen;
        this.sender = sender;
        this.blocking = new Blocking(executor);
        this.clock = clock;
    }

    public void list(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, () -> {
            ObjectNode body = Json.object();
            ArrayNode list = body.putArray("deliveries");
            store.list(workspace).forEach(target -> list.add(view(target)));
            return Blocking.Answer.ok(body);
        });
    }

    public void get(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        blocking.respond(exchange, () -> Blocking.Answer.ok(view(find(workspace, id))));
    }

    /** 201 with the target; a generic webhook's {@code signing_secret} is in this answer only. */
    public void create(Exchange exchange) {
        ObjectNode body = body(exchange);
        String name = text(body, "name", null);
        if (name == null || name.isBlank()) {
            throw ApiError.missingField("name");
        }
        DeliveryType type = type(text(body, "type", null));
        JsonNode config = body.path("config");
        String severity = severity(text(body, "default_severity", "medium"));
        String secret = text(body, "secret", null);
        boolean generated = type == DeliveryType.WEBHOOK && secret == null;
        if (generated) {
            byte[] random = new byte[32];
            RANDOM.nextBytes(random);
            secret = HexFormat.of().formatHex(random);
        }
        String signingSecret = type == DeliveryType.WEBHOOK ? secret : null;
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, () -> {
            String configJson = checkedConfig(type, config);
            if (store.list(workspace).stream().anyMatch(target -> target.name().equals(name.strip()))) {
                throw new ApiError(HttpResponseStatus.CONFLICT, "DELIVERY_EXISTS", "a delivery target named '" + name.strip()
                        + "' exists already");
            }
            Instant now = clock.instant();
            DeliveryTarget target = new DeliveryTarget(UUID.randomUUID().toString(), workspace, name.strip(), type.wireName(),
                    configJson, signingSecret, severity, now, now);
            store.create(target);
            ObjectNode view = view(target);
            if (generated) {
                view.put("signing_secret", signingSecret);
            }
            return new Blocking.Answer(HttpResponseStatus.CREATED, view);
        });
    }

    /** Changes the fields present; {@code config}, when present, replaces the whole config and is screened again. */
    public void patch(Exchange exchange) {
        ObjectNode body = body(exchange);
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        blocking.respond(exchange, () -> {
            DeliveryTarget current = find(workspace, id);
            DeliveryType type = body.has("type") ? type(text(body, "type", null)) : DeliveryType.parse(current.type());
            String configJson = body.has("config") ? checkedConfig(type, body.path("config")) : current.config();
            if (body.has("type") && !body.has("config") && !type.wireName().equals(current.type())) {
                throw ApiError.validation("changing type needs a new config for it");
            }
            String secret = type != DeliveryType.WEBHOOK ? null : text(body, "secret", current.signingSecret());
            if (type == DeliveryType.WEBHOOK && secret == null) {
                throw ApiError.missingField("secret");
            }
            DeliveryTarget changed = new DeliveryTarget(current.id(), workspace, text(body, "name", current.name()).strip(),
                    type.wireName(), configJson, secret, severity(text(body, "default_severity", current.defaultSeverity())),
                    current.createdAt(), clock.instant());
            store.update(changed);
            return Blocking.Answer.ok(view(changed));
        });
    }

    public void delete(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        blocking.respond(exchange, () -> {
            if (!store.delete(workspace, id)) {
                throw ApiError.notFound("no delivery target '" + id + "'");
            }
            return Blocking.Answer.ok(Json.object().put("id", id).put("deleted", true));
        });
    }

    /** Sends a test message now: 200 with {@code delivered} and, when it failed, the {@code error}. */
    public void verify(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        blocking.respond(exchange, VERIFY_TIMEOUT, () -> {
            DeliveryTarget target = find(workspace, id);
            ObjectNode message = AlertMessage.of(UUID.randomUUID().toString(), "delivery.verify",
                    "Toolgate test message", "This delivery target works: Toolgate alerts will arrive here.",
                    target.defaultSeverity(), clock.instant());
            ObjectNode result = Json.object().put("id", target.id());
            sender.report(target, message, result);
            return Blocking.Answer.ok(result);
        });
    }

    private DeliveryTarget find(String workspace, String id) {
        return store.find(workspace, id).orElseThrow(() -> ApiError.notFound("no delivery target '" + id + "'"));
    }

    private static ObjectNode body(Exchange exchange) {
        return RequestBodies.knownFields(exchange, FIELDS);
    }

    private static String text(JsonNode body, String field, String defaultValue) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return defaultValue;
        }
        if (!value.isTextual()) {
            throw ApiError.validation(field + " must be a string");
        }
        return value.textValue();
    }

    private static DeliveryType type(String text) {
        if (text == null) {
            throw ApiError.missingField("type");
        }
        try {
            return DeliveryType.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiError.validation(e.getMessage());
        }
    }

    static String severity(String text) {
        if (!SEVERITIES.contains(text)) {
            throw ApiError.validation("severity: '" + text + "' (expected: " + String.join(", ", SEVERITIES) + ")");
        }
        return text;
    }

    /** The config as stored: only the type's destination field, validated and (webhooks) screened. Resolves names. */
    private String checkedConfig(DeliveryType type, JsonNode config) {
        if (!config.isObject()) {
            throw ApiError.validation("config must be an object with " + type.urlField());
        }
        String destination = text(config, type.urlField(), null);
        if (destination == null || destination.isBlank()) {
            throw ApiError.missingField("config." + type.urlField());
        }
        destination = destination.strip();
        if (type == DeliveryType.EMAIL) {
            if (!EMAIL.matcher(destination).matches()) {
                throw ApiError.validation("config.to is not an email address");
            }
        } else {
            screen.check("config." + type.urlField(), destination);
        }
        return Json.text(Json.object().put(type.urlField(), destination));
    }

    private static ObjectNode view(DeliveryTarget target) {
        ObjectNode json = Json.object();
        json.put("id", target.id());
        json.put("name", target.name());
        json.put("type", target.type());
        ObjectNode config = json.putObject("config");
        try {
            Json.MAPPER.readTree(target.config()).fields().forEachRemaining(field -> config.put(field.getKey(),
                    field.getKey().equals("to") ? field.getValue().asText()
                            : NotificationSettingsEndpoints.masked(field.getValue().asText())));
        } catch (IOException unreadable) {
            config.put("error", "unreadable");
        }
        json.put("default_severity", target.defaultSeverity());
        json.put("source", FileDeliveryTargets.fromFile(target) ? "file" : "api");
        json.put("signed", target.signingSecret() != null);
        json.put("created_at", target.createdAt().toString());
        json.put("updated_at", target.updatedAt().toString());
        return json;
    }
}
