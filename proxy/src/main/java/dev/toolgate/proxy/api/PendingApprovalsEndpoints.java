package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.config.Role;
import dev.toolgate.proxy.approval.Approvals;
import dev.toolgate.proxy.approval.StandingApprovals;
import dev.toolgate.proxy.approval.StandingBounds;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.Principal;
import dev.toolgate.proxy.server.RequestBodies;
import dev.toolgate.storage.ApprovalQuery;
import dev.toolgate.storage.ApprovalStatus;
import dev.toolgate.storage.PendingApproval;
import dev.toolgate.storage.Storage;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * {@code GET /api/pending-approvals}, {@code GET /api/pending-approvals/:id} and
 * {@code POST /api/pending-approvals/:id/decide}. Approvals of another workspace are 404, not
 * 403, so ids do not leak.
 */
public final class PendingApprovalsEndpoints {
    private final Storage storage;
    private final Approvals approvals;
    private final Redactor redactor;
    private final Blocking blocking;
    private final StandingApprovalsEndpoints standingViews;

    PendingApprovalsEndpoints(Storage storage, Approvals approvals, Redactor redactor, BlockingExecutor executor,
                              StandingApprovalsEndpoints standingViews) {
        this.storage = storage;
        this.approvals = approvals;
        this.redactor = redactor;
        this.blocking = new Blocking(executor);
        this.standingViews = standingViews;
    }

    /** {@code ?status=} defaults to pending; {@code all} lists every status. */
    public void list(Exchange exchange) {
        String statusParam = ListParams.blankToNull(exchange.param("status"));
        ApprovalStatus status = statusParam == null ? ApprovalStatus.PENDING : statusParam.equals("all") ? null : parseStatus(statusParam);
        ApprovalQuery query = new ApprovalQuery(exchange.principal().workspace(), status,
                ListParams.blankToNull(exchange.param("tool")), ListParams.since(exchange), ListParams.limit(exchange),
                ListParams.page(exchange));
        blocking.respond(exchange, () -> Blocking.Answer.ok(listing(query)));
    }

    /** The body of {@code GET /api/pending-approvals} for {@code query}. Reads storage: call it off the event loops. */
    public ObjectNode listing(ApprovalQuery query) {
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("approvals");
        storage.approvals().list(query).forEach(approval -> list.add(view(approval)));
        body.put("page", query.page());
        body.put("limit", query.limit());
        return body;
    }

    /**
     * One approval. This is where {@code x-toolgate-approval-url} points, so an agent key may poll
     * the approvals of its own calls; admins see every approval of their workspace.
     */
    public void get(Exchange exchange) {
        String id = exchange.pathParam("id");
        Principal principal = exchange.principal();
        blocking.respond(exchange, () -> Blocking.Answer.ok(view(storage.approvals().find(principal.workspace(), id)
                .filter(approval -> principal.mayActAs(Role.ADMIN) || approval.agent().equals(principal.name()))
                .orElseThrow(() -> ApiError.notFound("no approval '" + id + "'")))));
    }

    /**
     * Body: {@code {"action":"approved"|"denied","note":"...","standing":{"minutes","calls"?,"bounds"?,"note"?}?}};
     * a second decision is 409 and changes nothing. With {@code standing} (approving only) the same
     * tool for the same agent is also allowed for that long, within the bounds: the answer then
     * carries {@code standing_approval}.
     */
    public void decide(Exchange exchange) {
        RequestBodies.requireJson(exchange);
        ObjectNode body = Json.readObject(exchange.request().content());
        JsonNode action = body.path("action");
        if (action.isMissingNode() || action.isNull()) {
            throw ApiError.missingField("action");
        }
        ApprovalStatus to = decision(action.asText());
        JsonNode note = body.path("note");
        if (!note.isMissingNode() && !note.isNull() && !note.isTextual()) {
            throw ApiError.validation("note must be a string");
        }
        StandingApprovals.Request standing = standingRequest(body.path("standing"), to);
        String id = exchange.pathParam("id");
        String workspace = exchange.principal().workspace();
        String decidedBy = "api:" + exchange.principal().name();
        String noteText = note.isTextual() ? note.textValue() : null;
        blocking.respond(exchange, () -> Blocking.Answer.ok(standing == null ? decide(workspace, id, to, decidedBy, noteText)
                : approveStanding(workspace, id, decidedBy, noteText, standing)));
    }

    /** The {@code standing} member of a decision, validated; null when absent. 400 when it is wrong or not approving. */
    public static StandingApprovals.Request standingRequest(JsonNode standing, ApprovalStatus to) {
        if (standing.isMissingNode() || standing.isNull()) {
            return null;
        }
        if (to != ApprovalStatus.APPROVED) {
            throw ApiError.badRequest("INVALID_STANDING_APPROVAL", "standing: only an approval can stand (action must be \"approved\")");
        }
        try {
            return StandingApprovals.Request.of(standing);
        } catch (IllegalArgumentException invalid) {
            throw ApiError.badRequest("INVALID_STANDING_APPROVAL", invalid.getMessage());
        }
    }

    /**
     * Approves {@code id} and grants the standing approval asked for with it; the bounds are checked
     * against the call before anything is decided. Writes storage: call it off the event loops.
     */
    public ObjectNode approveStanding(String workspace, String id, String decidedBy, String note, StandingApprovals.Request standing) {
        PendingApproval approval = storage.approvals().find(workspace, id)
                .orElseThrow(() -> ApiError.notFound("no approval '" + id + "'"));
        StandingBounds bounds;
        try {
            bounds = standing.boundsFor(approval);
        } catch (IllegalArgumentException invalid) {
            throw ApiError.badRequest("INVALID_STANDING_APPROVAL", invalid.getMessage());
        }
        ObjectNode view = decide(workspace, id, ApprovalStatus.APPROVED, decidedBy, note);
        view.set("standing_approval", standingViews.view(approvals.standing().grant(approval, standing, bounds, decidedBy)));
        return view;
    }

    /** approved (or approve) and denied (or deny), as an approval's new status. */
    public static ApprovalStatus decision(String action) {
        return switch (action) {
            case "approved", "approve" -> ApprovalStatus.APPROVED;
            case "denied", "deny" -> ApprovalStatus.DENIED;
            default -> throw ApiError.validation("action must be \"approved\" or \"denied\", got \"" + action + "\"");
        };
    }

    /**
     * Decides approval {@code id} and returns its view; 404 when there is none, 409 when it was
     * decided (or expired) before. Writes storage: call it off the event loops.
     */
    public ObjectNode decide(String workspace, String id, ApprovalStatus to, String decidedBy, String note) {
        Approvals.Outcome outcome = approvals.decide(workspace, id, to, decidedBy, note)
                .orElseThrow(() -> ApiError.notFound("no approval '" + id + "'"));
        if (!outcome.decidedNow()) {
            PendingApproval standing = outcome.approval();
            // Still pending here means past its expiry time before the expiry pass got to it: it counts as denied.
            if (standing.status() == ApprovalStatus.PENDING || standing.status() == ApprovalStatus.EXPIRED) {
                throw new ApiError(HttpResponseStatus.CONFLICT, "ALREADY_DECIDED", "approval '" + id
                        + "' expired unanswered at " + standing.expiresAt() + "; it counts as denied");
            }
            throw new ApiError(HttpResponseStatus.CONFLICT, "ALREADY_DECIDED", "approval '" + id + "' is already "
                    + standing.status().value() + (standing.decidedBy() != null ? " (by " + standing.decidedBy() + ")" : ""));
        }
        return view(outcome.approval());
    }

    private ObjectNode view(PendingApproval approval) {
        ObjectNode json = Json.object();
        json.put("id", approval.id());
        json.put("status", approval.status().value());
        json.put("tool", approval.tool());
        json.put("tool_call_id", approval.toolCallId());
        json.put("agent", approval.agent());
        json.set("arguments", redactor.redactedTree(approval.arguments()));
        json.put("rule", approval.ruleId());
        json.put("rule_text", approvals.ruleText(approval));
        json.put("approver_email", approval.approverEmail());
        json.put("policy_version", approval.policyVersion());
        json.put("created_at", approval.createdAt().toString());
        json.put("expires_at", approval.expiresAt().toString());
        json.put("decided_at", approval.decidedAt() == null ? null : approval.decidedAt().toString());
        json.put("decided_by", approval.decidedBy());
        json.put("note", approval.note());
        return json;
    }

    private static ApprovalStatus parseStatus(String value) {
        return Arrays.stream(ApprovalStatus.values()).filter(s -> s.value().equals(value)).findFirst()
                .orElseThrow(() -> ApiError.badRequest("INVALID_PARAMETER", "status=" + value + " (expected: all or one of "
                        + Arrays.stream(ApprovalStatus.values()).map(ApprovalStatus::value).collect(Collectors.joining(", ")) + ")"));
    }
}
