package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.AuditEvent;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.Incident;
import dev.toolgate.storage.IncidentEntry;
import dev.toolgate.storage.IncidentQuery;
import dev.toolgate.storage.IncidentSeverity;
import dev.toolgate.storage.IncidentStore;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Clock;
import java.util.Optional;

/**
 * {@code GET /api/incidents} (filters, {@code page}/{@code limit} with {@code Link} headers, {@code sort}),
 * {@code GET /api/incidents/:id} (with its timeline and the audit events behind it),
 * {@code PATCH /api/incidents/:id} (resolve or reopen) and {@code POST /api/incidents/:id/notes}.
 * Everything is the caller's workspace's: another workspace's incident is a 404.
 */
public final class IncidentsEndpoints {
    /** The most timeline entries a detail shows; a longer incident shows its first ones. */
    static final int TIMELINE_LIMIT = 500;
    private static final int MAX_NOTE_CHARS = 10_000;

    private final IncidentStore incidents;
    private final AuditLog auditLog;
    private final Blocking blocking;
    private final Clock clock;

    public IncidentsEndpoints(IncidentStore incidents, AuditLog auditLog, BlockingExecutor executor, Clock clock) {
        this.incidents = incidents;
        this.auditLog = auditLog;
        this.blocking = new Blocking(executor);
        this.clock = clock;
    }

    /** A page of incidents, newest first unless {@code sort} says otherwise; {@code Link} names the neighbouring pages. */
    public void list(Exchange exchange) {
        IncidentQuery query = IncidentListParams.query(exchange);
        blocking.respond(exchange, () -> {
            IncidentStore.Page page = incidents.page(query);
            ObjectNode body = Json.object();
            ArrayNode list = body.putArray("incidents");
            page.incidents().forEach(incident -> list.add(view(incident)));
            body.put("total", page.total());
            body.put("page", query.page());
            body.put("limit", query.limit());
            return new Blocking.Answer(HttpResponseStatus.OK, body, IncidentListParams.pageHeaders(exchange, query, page.total()));
        });
    }

    public void get(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        blocking.respond(exchange, () -> Blocking.Answer.ok(detail(found(incidents.find(workspace, id), id))));
    }

    /** {@code {"status":"resolved"|"open"}}: resolving records who and when; setting the status it has changes nothing. */
    public void update(Exchange exchange) {
        ObjectNode body = Json.readObject(exchange.request().content());
        JsonNode status = body.get("status");
        if (status == null || !status.isTextual()) {
            throw ApiError.missingField("status");
        }
        if (!status.asText().equals(Incident.RESOLVED) && !status.asText().equals(Incident.OPEN)) {
            throw ApiError.validation("status: " + status.asText() + " (expected: resolved or open)");
        }
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        String by = "api:" + exchange.principal().name();
        String kind = status.asText().equals(Incident.RESOLVED) ? "resolved" : "reopened";
        IncidentEntry change = new IncidentEntry(0, id, clock.instant(), kind, null, kind + " by " + by, null, by);
        blocking.respond(exchange, () -> Blocking.Answer.ok(detail(found(incidents.changeStatus(workspace, id, status.asText(), change), id))));
    }

    /** {@code {"text": "..."}}: 201 with the incident as it now is. */
    public void addNote(Exchange exchange) {
        JsonNode text = Json.readObject(exchange.request().content()).get("text");
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw ApiError.missingField("text");
        }
        if (text.asText().length() > MAX_NOTE_CHARS) {
            throw ApiError.validation("text: " + text.asText().length() + " characters (expected: at most " + MAX_NOTE_CHARS + ")");
        }
        String workspace = exchange.principal().workspace();
        String id = exchange.pathParam("id");
        String by = "api:" + exchange.principal().name();
        IncidentEntry note = new IncidentEntry(0, id, clock.instant(), "note", null, text.asText(), null, by);
        blocking.respond(exchange, () -> {
            if (!incidents.addNote(workspace, id, note)) {
                throw notFound(id);
            }
            return new Blocking.Answer(HttpResponseStatus.CREATED, detail(incidents.find(workspace, id).orElseThrow()));
        });
    }

    private static Incident found(Optional<Incident> incident, String id) {
        return incident.orElseThrow(() -> notFound(id));
    }

    private static ApiError notFound(String id) {
        return ApiError.notFound("no incident '" + id + "'");
    }

    /** An incident with its timeline; a decision's entry carries its audit event as {@code GET /api/logs} shows it. */
    private ObjectNode detail(Incident incident) {
        ObjectNode json = view(incident);
        ArrayNode timeline = json.putArray("timeline");
        for (IncidentEntry entry : incidents.entries(incident.id(), TIMELINE_LIMIT)) {
            ObjectNode line = timeline.addObject();
            line.put("at", entry.at().toString());
            line.put("kind", entry.kind());
            line.put("severity", entry.severity() == null ? null : entry.severity().value());
            line.put("summary", entry.summary());
            line.put("author", entry.author());
            Optional<AuditEvent> event = entry.auditEventId() == null ? Optional.empty()
                    : auditLog.findByEventId(entry.auditEventId()).filter(found -> found.workspace().equals(incident.workspace()));
            if (event.isPresent()) {
                line.set("audit_event", AuditEventJson.of(event.get()));
            } else {
                line.putNull("audit_event");
            }
        }
        return json;
    }

    static ObjectNode view(Incident incident) {
        ObjectNode json = Json.object();
        json.put("id", incident.id());
        json.put("status", incident.status());
        json.put("severity", incident.severity().value());
        json.put("agent", incident.agent());
        json.put("title", incident.title());
        json.put("opened_at", incident.openedAt().toString());
        json.put("updated_at", incident.updatedAt().toString());
        json.put("last_signal_at", incident.lastSignalAt().toString());
        json.put("signal_count", incident.signalCount());
        json.put("resolved_at", incident.resolvedAt() == null ? null : incident.resolvedAt().toString());
        json.put("resolved_by", incident.resolvedBy());
        return json;
    }

    /** Parses a severity filter for {@link IncidentListParams}. */
    static IncidentSeverity severity(String value) {
        try {
            return IncidentSeverity.fromValue(value);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("INVALID_PARAMETER", e.getMessage());
        }
    }
}
