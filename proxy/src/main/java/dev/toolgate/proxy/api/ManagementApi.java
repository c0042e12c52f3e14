package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.approval.Approvals;
import dev.toolgate.proxy.approval.NotificationSettings;
import dev.toolgate.proxy.arguments.Redactor;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.gate.KillSwitch;
import dev.toolgate.proxy.gate.RuleBook;
import dev.toolgate.proxy.policies.PolicyVersions;
import dev.toolgate.proxy.gate.ToolCallGate;
import dev.toolgate.proxy.judge.ModelJudge;
import dev.toolgate.proxy.notify.WebhookScreen;
import dev.toolgate.proxy.server.ApiError;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.proxy.server.RequestsInFlight;
import dev.toolgate.storage.Storage;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;

/**
 * The management API's endpoints (PRODUCT.md §6) and the probes, built from the services they
 * work with; {@link dev.toolgate.proxy.Routes} lists the routes they serve.
 */
public final class ManagementApi {
    /** What the endpoints work with. */
    public record Services(ToolCallGate gate, ModelJudge judge, KillSwitch killSwitch, RuleBook rules, Approvals approvals,
                           NotificationSettings notificationSettings, Storage storage, Redactor redactor,
                           BlockingExecutor blocking, URI publicUrl, Clock clock, RequestsInFlight inFlight,
                           WebhookScreen webhookScreen) {
    }

    private final Services services;
    private final InterceptEndpoint intercept;
    private final LogsEndpoints logs;
    private final AuditVerifyEndpoint auditVerify;
    private final BlockedToolsEndpoints blockedTools;
    private final PendingApprovalsEndpoints pendingApprovals;
    private final StandingApprovalsEndpoints standingApprovals;
    private final NotificationSettingsEndpoints notificationSettings;
    private final ApprovalRulesEndpoints approvalRules;
    private final RuleCompileEndpoint ruleCompile;
    private final PolicyCheckEndpoint policyCheck;
    private final BudgetsEndpoint budgets;
    private final RuntimeReviewEndpoint runtimeReview;
    private final ToolTaxonomyEndpoint toolTaxonomy;
    private final PolicyEndpoints policies;

    public ManagementApi(Services services) {
        this.services = services;
        this.intercept = new InterceptEndpoint(services.gate(), services.publicUrl(),
                new IdempotentAnswers(services.storage().idempotency(), services.blocking(), services.clock(),
                        idempotencyLease(services.blocking())));
        this.logs = new LogsEndpoints(services.storage().auditLog(), services.blocking());
        this.auditVerify = new AuditVerifyEndpoint(services.storage().auditLog(), services.blocking());
        this.blockedTools = new BlockedToolsEndpoints(services.killSwitch(), services.blocking());
        this.standingApprovals = new StandingApprovalsEndpoints(services.approvals().standing(), services.redactor(),
                services.blocking(), services.clock());
        this.pendingApprovals = new PendingApprovalsEndpoints(services.storage(), services.approvals(), services.redactor(),
                services.blocking(), standingApprovals);
        this.notificationSettings = new NotificationSettingsEndpoints(services.notificationSettings(), services.blocking(),
                services.webhookScreen());
        this.approvalRules = new ApprovalRulesEndpoints(services.rules(), services.blocking(), services.clock());
        this.ruleCompile = new RuleCompileEndpoint(services.judge(), services.storage().auditLog(), services.blocking(),
                services.rules().defaults());
        this.policyCheck = new PolicyCheckEndpoint(services.gate(), services.redactor());
        this.budgets = new BudgetsEndpoint(services.gate().engine(), services.storage().budgets(), services.blocking(),
                services.clock());
        this.runtimeReview = new RuntimeReviewEndpoint(services.gate(), services.redactor(), services.publicUrl());
        this.toolTaxonomy = new ToolTaxonomyEndpoint(services.gate());
        this.policies = new PolicyEndpoints(new PolicyVersions(services.rules(), services.killSwitch(),
                services.storage().policyVersions(), services.clock()), services.blocking());
    }

    /** {@code GET /healthz}: the process runs (a liveness probe). */
    public void live(Exchange exchange) {
        exchange.respondJson(HttpResponseStatus.OK, Json.object().put("status", "ok"));
    }

    public InterceptEndpoint intercept() {
        return intercept;
    }

    public LogsEndpoints logs() {
        return logs;
    }

    public AuditVerifyEndpoint auditVerify() {
        return auditVerify;
    }

    public BlockedToolsEndpoints blockedTools() {
        return blockedTools;
    }

    public PendingApprovalsEndpoints pendingApprovals() {
        return pendingApprovals;
    }

    /** {@code GET /api/standing-approvals}, {@code DELETE /api/standing-approvals/:id}. */
    public StandingApprovalsEndpoints standingApprovals() {
        return standingApprovals;
    }

    public NotificationSettingsEndpoints notificationSettings() {
        return notificationSettings;
    }

    /** {@code POST /api/approval-rules/compile}. */
    public void compileRule(Exchange exchange) {
        ruleCompile.compile(exchange);
    }

    /** {@code GET|POST /api/policies/check}: a dry run of the live rules. */
    public PolicyCheckEndpoint policyCheck() {
        return policyCheck;
    }

    /** {@code POST /v1/runtime/review}: one call reviewed with its context. */
    public RuntimeReviewEndpoint runtimeReview() {
        return runtimeReview;
    }

    /** {@code GET /v1/runtime/tool-taxonomy}: the risk score's categories and weights. */
    public ToolTaxonomyEndpoint toolTaxonomy() {
        return toolTaxonomy;
    }

    /** {@code GET /api/budgets}. */
    public BudgetsEndpoint budgets() {
        return budgets;
    }

    public PolicyEndpoints policies() {
        return policies;
    }

    public ApprovalRulesEndpoints approvalRules() {
        return approvalRules;
    }

    /**
     * How long an unanswered idempotency claim holds its key: a decision waits for storage at most
     * twice (holding the call, committing its event), so a claim older than that and a margin
     * belongs to an instance that stopped.
     */
    private static Duration idempotencyLease(BlockingExecutor blocking) {
        return blocking.storageTimeout().multipliedBy(2).plusSeconds(5);
    }

    /**
     * Ready to take traffic from a load balancer: not shutting down, the database answering within
     * the storage timeout, its schema at least as new as this build's migrations, and the rules
     * loaded (they are before the server starts). A probe of a hanging database gets its 503 at the
     * timeout instead of hanging with it. Not logged: probes come every few seconds, and the
     * decision path already reports an outage.
     */
    public void ready(Exchange exchange) {
        if (services.inFlight().draining()) {
            exchange.fail(notReady("the gateway is shutting down"));
            return;
        }
        services.blocking().storageWork(() -> services.storage().schemaVersion()).whenComplete((schema, failure) -> {
            if (failure != null) {
                exchange.fail(new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "STORAGE_UNAVAILABLE",
                        "the gateway's storage did not answer within its timeout"));
            } else if (!schema.upToDate()) {
                exchange.fail(notReady("the database schema is at version " + schema.current() + "; this gateway needs "
                        + schema.required() + " (it migrates at startup: restart it, or see which instance failed to)"));
            } else {
                ObjectNode body = Json.object().put("status", "ready");
                ObjectNode checks = body.putObject("checks");
                checks.put("database", "ok");
                checks.put("schema_version", schema.current());
                checks.put("rules", services.rules().configured().size());
                exchange.respondJson(HttpResponseStatus.OK, body);
            }
        });
    }

    private static ApiError notReady(String why) {
        return new ApiError(HttpResponseStatus.SERVICE_UNAVAILABLE, "NOT_READY", why);
    }
}
