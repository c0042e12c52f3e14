package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.approval.StandingApprovals;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.StandingApproval;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.time.Clock;

/**
 * {@code GET /api/standing-approvals} and {@code DELETE /api/standing-approvals/:id} (revoke).
 * Grants are made with a decision ({@code POST /api/pending-approvals/:id/decide} with
 * {@code standing}); those of another workspace are 404.
 */
public final class StandingApprovalsEndpoints {
    private static final int DEFAULT_LIMIT = 100;

    private final StandingApprovals standing;
    private final Redactor redactor;
    private final Blocking blocking;
    private final Clock clock;

    StandingApprovalsEndpoints(StandingApprovals standing, Redactor redactor, BlockingExecutor executor, Clock clock) {
        this.standing = standing;
        this.redactor = redactor;
        this.blocking = new Blocking(executor);
        this.clock = clock;
    }

    /** Grants in force, newest first; {@code ?status=all} adds revoked, expired and used-up ones. */
    public void list(Exchange exchange) {
        String status = ListParams.blankToNull(exchange.param("status"));
        if (status != null && !status.equals("all") && !status.equals("active")) {
            throw ApiError.badRequest("INVALID_PARAMETER", "status=" + status + " (expected: active or all)");
        }
        String workspace = exchange.principal().workspace();
        int limit = Math.min(ListParams.limit(exchange), 1000);
        blocking.respond(exchange, () -> {
            ObjectNode body = Json.object();
            ArrayNode list = body.putArray("standing_approvals");
            standing.list(workspace, "all".equals(status), limit).forEach(grant -> list.add(view(grant)));
            return Blocking.Answer.ok(body);
        });
    }

    /** Revokes a grant in force: 200 with the grant, 404 when unknown, 409 when it had already ended. */
    public void revoke(Exchange exchange) {
        String id = exchange.pathParam("id");
        String workspace = exchange.principal().workspace();
        String revokedBy = "api:" + exchange.principal().name();
        blocking.respond(exchange, () -> {
            StandingApproval grant = standing.find(workspace, id)
                    .orElseThrow(() -> ApiError.notFound("no standing approval '" + id + "'"));
            if (!standing.revoke(workspace, id, revokedBy)) {
                throw new ApiError(HttpResponseStatus.CONFLICT, "ALREADY_ENDED", "standing approval '" + id + "' is already "
                        + grant.status(clock.instant()) + "; nothing to revoke");
            }
            return Blocking.Answer.ok(view(standing.find(workspace, id).orElseThrow()));
        });
    }

    /** A grant as the API, the dashboard and a decision's answer show it. */
    ObjectNode view(StandingApproval grant) {
        ObjectNode json = Json.object();
        json.put("id", grant.id());
        json.put("rule", StandingApprovals.ruleId(grant));
        json.put("status", grant.status(clock.instant()));
        json.put("tool", grant.tool());
        json.put("agent", grant.agent());
        json.put("approval_id", grant.approvalId());
        json.set("arguments", redactor.redactedTree(grant.baseArguments()));
        try {
            json.set("bounds", Json.MAPPER.readTree(grant.bounds()));
        } catch (IOException unreadable) {
            json.put("bounds", grant.bounds());
        }
        json.put("created_by", grant.createdBy());
        json.put("note", grant.note());
        json.put("created_at", grant.createdAt().toString());
        json.put("expires_at", grant.expiresAt().toString());
        if (grant.maxCalls() == null) {
            json.putNull("max_calls");
        } else {
            json.put("max_calls", grant.maxCalls());
        }
        json.put("used_calls", grant.usedCalls());
        json.put("revoked_at", grant.revokedAt() == null ? null : grant.revokedAt().toString());
        json.put("revoked_by", grant.revokedBy());
        return json;
    }
}
