package dev.toolgate.proxy.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.api.Blocking;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.RequestBodies;
import dev.toolgate.storage.AlertingStores;
import dev.toolgate.storage.DeliveryTarget;
import dev.toolgate.storage.StoredAlertRule;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /api/alert-rules}: the seed's {@code {name, condition: {metric, threshold | threshold_ms,
 * window_seconds, ...}, delivery_targets: [id or name], severity}}, list, delete, and
 * {@code POST .../:id/test}, which sends a test alert to the rule's targets now and reports each.
 */
public final class AlertRulesEndpoints {
    private static final List<String> FIELDS = List.of("name", "condition", "delivery_targets", "severity");
    private static final Duration TEST_TIMEOUT = Duration.ofSeconds(60);

    private final AlertingStores stores;
    private final DeliverySender sender;
    private final AlertEvaluator evaluator;
    private final Blocking blocking;
    private final Clock clock;

    AlertRulesEndpoints(AlertingStores stores, DeliverySender sender, AlertEvaluator evaluator, BlockingExecutor executor,
                        Clock clock) {
        this.stores = stores;
        this.sender = sender;
        this.evaluator = evaluator;
        this.blocking = new Blocking(executor);
        this.clock = clock;
    }

    public void list(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, () -> {
            ObjectNode body = Json.object();
            ArrayNode list = body.putArray("alert_rules");
            stores.rules().list(workspace).forEach(stored -> list.add(view(AlertRule.from(stored))));
            return Blocking.Answer.ok(body);
        });
    }

    public void get(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        blocking.respond(exchange, () -> Blocking.Answer.ok(view(find(workspace, id))));
    }

    public void create(Exchange exchange) {
        ObjectNode body = RequestBodies.knownFields(exchange, FIELDS);
        String name = body.path("name").asText("").strip();
        if (name.isEmpty()) {
            throw ApiError.missingField("name");
        }
        AlertCondition condition;
        try {
            condition = AlertCondition.parse(body.get("condition"));
        } catch (IllegalArgumentException e) {
            throw ApiError.validation(e.getMessage());
        }
        JsonNode named = body.path("delivery_targets");
        if (!named.isArray() || named.isEmpty()) {
            throw ApiError.validation("delivery_targets must be a non-empty list of delivery target ids or names");
        }
        String severity = DeliveriesEndpoints.severity(body.path("severity").asText("medium"));
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, () -> {
            List<DeliveryTarget> targets = stores.targets().list(workspace);
            ArrayNode ids = Json.MAPPER.createArrayNode();
            for (JsonNode reference : named) {
                String text = reference.asText();
                Optional<DeliveryTarget> target = targets.stream()
                        .filter(candidate -> candidate.id().equals(text) || candidate.name().equals(text))
                        .findFirst();
                ids.add(target.orElseThrow(() -> ApiError.validation("delivery_targets: no delivery target '" + text
                        + "' in this workspace (create it with POST /api/deliveries)")).id());
            }
            StoredAlertRule stored = new StoredAlertRule(UUID.randomUUID().toString(), workspace, name,
                    Json.text(condition.toJson()), Json.text(ids), severity, clock.instant());
            stores.rules().create(stored);
            return new Blocking.Answer(HttpResponseStatus.CREATED, view(AlertRule.from(stored)));
        });
    }

    public void delete(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        blocking.respond(exchange, () -> {
            if (!stores.rules().delete(workspace, id)) {
                throw ApiError.notFound("no alert rule '" + id + "'");
            }
            return Blocking.Answer.ok(Json.object().put("id", id).put("deleted", true));
        });
    }

    /** Sends a test alert to each of the rule's targets now: 200 with one result per target. */
    public void test(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        blocking.respond(exchange, TEST_TIMEOUT, () -> {
            AlertRule rule = find(workspace, id);
            Alert alert = AlertEvaluator.alert(rule, rule.condition().threshold(), clock.instant());
            ObjectNode message = AlertMessage.of(alert, "alert.test", UUID.randomUUID().toString());
            ObjectNode body = Json.object().put("id", rule.id());
            ArrayNode results = body.putArray("deliveries");
            List<String> missing = new ArrayList<>(rule.targetIds());
            for (DeliveryTarget target : stores.targets().list(workspace)) {
                if (!missing.remove(target.id())) {
                    continue;
                }
                sender.report(target, message, results.addObject().put("id", target.id()).put("name", target.name()));
            }
            missing.forEach(gone -> results.addObject().put("id", gone).put("delivered", false)
                    .put("error", "the delivery target no longer exists"));
            return Blocking.Answer.ok(body);
        });
    }

    private AlertRule find(String workspace, String id) {
        return stores.rules().find(workspace, id).map(AlertRule::from)
                .orElseThrow(() -> ApiError.notFound("no alert rule '" + id + "'"));
    }

    private ObjectNode view(AlertRule rule) {
        return rule.toJson().put("firing", evaluator.firing(rule.id()));
    }
}
