package dev.toolgate.proxy;

import static io.netty.handler.codec.http.HttpMethod.DELETE;
import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.PATCH;
import static io.netty.handler.codec.http.HttpMethod.POST;
import static io.netty.handler.codec.http.HttpMethod.PUT;

import dev.toolgate.proxy.agents.AgentEndpoints;
import dev.toolgate.proxy.alerts.Alerting;
import dev.toolgate.proxy.api.IncidentsEndpoints;
import dev.toolgate.proxy.api.ManagementApi;
import dev.toolgate.proxy.approval.ApprovalLinkEndpoints;
import dev.toolgate.proxy.dashboard.Dashboard;
import dev.toolgate.proxy.mcp.McpEndpoints;
import dev.toolgate.proxy.publicfeed.PublicFeedEndpoints;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Route.Access;
import dev.toolgate.proxy.server.Router;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.function.Predicate;

/**
 * Every route the gateway serves, in the order they are tried: method, path, who may call it,
 * endpoint. The routes the gateway answers itself under {@code /v1/} come before the catch-all
 * that passes every other {@code /v1/} request to the provider, which is last; a path that matches
 * nothing here is a 404, never the upstream's.
 */
final class Routes {
    /** What passes through to a provider untouched may use any of these. */
    static final List<HttpMethod> PASSTHROUGH_METHODS = List.of(GET, POST, PUT, PATCH, DELETE);
    /** Anthropic's SDK lists models at the same path as OpenAI's, and says which it is with anthropic-version. */
    private static final Predicate<HttpHeaders> ANTHROPIC_CLIENT = headers -> headers.contains("anthropic-version");

    private Routes() {
    }

    /**
     * The model routes. {@code anthropicKeyIsGateway}: whether the client's {@code x-api-key} is the
     * gateway key on Anthropic routes (only when the config supplies Anthropic's key).
     */
    record Providers(Endpoint chatCompletions, Endpoint responses, Endpoint anthropicMessages, Endpoint anthropicPassthrough,
                     boolean anthropicKeyIsGateway, Endpoint openAiPassthrough, Endpoint upstreams) {
    }

    /** {@code metrics}: {@code GET /metrics}, or null when metrics are off. */
    static Router table(ManagementApi api, AgentEndpoints agents, ApprovalLinkEndpoints links, McpEndpoints mcp, Dashboard dashboard, Endpoint metrics,
                        Providers providers, PublicFeedEndpoints publicFeed, IncidentsEndpoints incidents, Endpoint auditReport,
                        Alerting alerting) {
        Router router = new Router()
                // Probes for load balancers
                .add(GET,    "/healthz",                           Access.PUBLIC, api::live)
                .add(GET,    "/readyz",                            Access.PUBLIC, api::ready)
                // Management API
                .add(POST,   "/api/intercept",                     Access.AGENT,  api.intercept())
                .add(GET,    "/api/logs",                          Access.ADMIN,  api.logs()::list)
                .add(GET,    "/api/logs/export",                   Access.ADMIN,  api.logs()::export)
                .add(GET,    "/api/stats",                         Access.ADMIN,  api.logs()::stats)
                .add(GET,    "/api/audit/verify",                  Access.ADMIN,  api.auditVerify())
                .add(GET,    "/api/blocked-tools",                 Access.ADMIN,  api.blockedTools()::list)
                .add(POST,   "/api/blocked-tools",                 Access.ADMIN,  api.blockedTools()::add)
                .add(DELETE, "/api/blocked-tools/:tool_name",      Access.ADMIN,  api.blockedTools()::remove)
                .add(GET,    "/api/pending-approvals",             Access.ADMIN,  api.pendingApprovals()::list)
                .add(GET,    "/api/pending-approvals/:id",         Access.AGENT,  api.pendingApprovals()::get)
                .add(POST,   "/api/pending-approvals/:id/decide",  Access.ADMIN,  api.pendingApprovals()::decide)
                .add(GET,    "/api/standing-approvals",            Access.ADMIN,  api.standingApprovals()::list)
                .add(DELETE, "/api/standing-approvals/:id",        Access.ADMIN,  api.standingApprovals()::revoke)
                .add(GET,    "/api/notification-settings",         Access.ADMIN,  api.notificationSettings()::get)
                .add(PUT,    "/api/notification-settings",         Access.ADMIN,  api.notificationSettings()::put)
                // Alerts: delivery targets (webhook URLs screened) and alert rules over what the gateway sees
                .add(GET,    "/api/deliveries",                    Access.ADMIN,  alerting.deliveries()::list)
                .add(POST,   "/api/deliveries",                    Access.ADMIN,  alerting.deliveries()::create)
                .add(GET,    "/api/deliveries/:id",                Access.ADMIN,  alerting.deliveries()::get)
                .add(PATCH,  "/api/deliveries/:id",                Access.ADMIN,  alerting.deliveries()::patch)
                .add(DELETE, "/api/deliveries/:id",                Access.ADMIN,  alerting.deliveries()::delete)
                .add(POST,   "/api/deliveries/:id/verify",         Access.ADMIN,  alerting.deliveries()::verify)
                .add(GET,    "/api/alert-rules",                   Access.ADMIN,  alerting.rules()::list)
                .add(POST,   "/api/alert-rules",                   Access.ADMIN,  alerting.rules()::create)
                .add(GET,    "/api/alert-rules/:id",               Access.ADMIN,  alerting.rules()::get)
                .add(DELETE, "/api/alert-rules/:id",               Access.ADMIN,  alerting.rules()::delete)
                .add(POST,   "/api/alert-rules/:id/test",          Access.ADMIN,  alerting.rules()::test)
                .add(GET,    "/api/approval-rules",                Access.ADMIN,  api.approvalRules()::list)
                .add(POST,   "/api/approval-rules",                Access.ADMIN,  api.approvalRules()::create)
                .add(POST,   "/api/approval-rules/compile",        Access.ADMIN,  api::compileRule)
                .add(DELETE, "/api/approval-rules/:id",            Access.ADMIN,  api.approvalRules()::delete)
                .add(GET,    "/api/policies/export",               Access.ADMIN,  api.policies()::export)
                .add(POST,   "/api/policies/import",               Access.ADMIN,  api.policies()::importManifest)
                .add(GET,    "/api/policies/versions",             Access.ADMIN,  api.policies()::listVersions)
                .add(GET,    "/api/policies/versions/:id",         Access.ADMIN,  api.policies()::version)
                .add(POST,   "/api/policies/versions/:id/apply",   Access.ADMIN,  api.policies()::apply)
                .add(POST,   "/api/policies/versions/:id/restore", Access.ADMIN,  api.policies()::restore)
                .add(GET,    "/api/policies/templates",            Access.ADMIN,  api.policies()::templates)
                // Dry run of the live rules: no audit event, no approval, no judge request
                .add(GET,    "/api/policies/check",                Access.ADMIN,  api.policyCheck()::query)
                .add(POST,   "/api/policies/check",                Access.ADMIN,  api.policyCheck()::check)
                // Provider endpoints (primary and fallbacks) and their health on this instance
                .add(GET,    "/api/upstreams",                     Access.ADMIN,  providers.upstreams())
                // Budget rules' totals over their windows
                .add(GET,    "/api/budgets",                       Access.ADMIN,  api.budgets()::list)
                // Incidents (blocked or held calls, breaker trips) and the Markdown audit evidence
                .add(GET,    "/api/incidents",                     Access.ADMIN,  incidents::list)
                .add(GET,    "/api/incidents/:id",                 Access.ADMIN,  incidents::get)
                .add(PATCH,  "/api/incidents/:id",                 Access.ADMIN,  incidents::update)
                .add(POST,   "/api/incidents/:id/notes",           Access.ADMIN,  incidents::addNote)
                .add(GET,    "/api/reports/audit.md",              Access.ADMIN,  auditReport)
                // Per-agent circuit breaker; an agent key may read its own status
                .add(GET,    "/api/agents",                        Access.ADMIN,  agents::list)
                .add(GET,    "/api/agents/:name/status",           Access.AGENT,  agents::status)
                .add(POST,   "/api/agents/:name/warn",             Access.ADMIN,  agents.action("warn"))
                .add(POST,   "/api/agents/:name/throttle",         Access.ADMIN,  agents.action("throttle"))
                .add(POST,   "/api/agents/:name/halt",             Access.ADMIN,  agents.action("halt"))
                .add(POST,   "/api/agents/:name/kill",             Access.ADMIN,  agents.action("kill"))
                .add(POST,   "/api/agents/:name/resume",           Access.ADMIN,  agents.action("resume"))
                // One-click approval links: public, guarded by their token
                .add(GET,    "/api/approve/:token",                Access.PUBLIC, links.open("approve"))
                .add(POST,   "/api/approve/:token",                Access.PUBLIC, links.decide("approve"))
                .add(GET,    "/api/deny/:token",                   Access.PUBLIC, links.open("deny"))
                .add(POST,   "/api/deny/:token",                   Access.PUBLIC, links.decide("deny"))
                // Operator dashboard: the page and its files are public (it shows the sign-in form without a session);
                // signed in, an admin's session cookie stands for the key on /api and /dashboard (DashboardSessions)
                .add(GET,    "/dashboard",                         Access.PUBLIC, dashboard.page())
                .add(GET,    "/dashboard/assets/:file",            Access.PUBLIC, dashboard.asset())
                .add(POST,   "/dashboard/sign-in",                 Access.PUBLIC, dashboard.signIn())
                .add(POST,   "/dashboard/sign-out",                Access.ADMIN,  dashboard.signOut())
                .add(GET,    "/dashboard/api/session",             Access.ADMIN,  dashboard.session())
                .add(GET,    "/dashboard/api/feed",                Access.ADMIN,  dashboard.feed())
                // Model routes: every tool call in the answer is decided
                // Sanitized public view of allow-listed agents (public_feed): no key, rate limited per address, 404 when off
                .add(GET,    "/public/live/status",                Access.PUBLIC, publicFeed::status)
                .add(GET,    "/public/live/feed",                  Access.PUBLIC, publicFeed::feed)
                // Runtime review (LatentOps-compatible): the gateway answers these itself, before the /v1 pass-through
                .add(POST,   "/v1/runtime/review",                 Access.AGENT,  api.runtimeReview())
                .add(GET,    "/v1/runtime/tool-taxonomy",          Access.AGENT,  api.toolTaxonomy())
                .add(POST,   "/v1/chat/completions",               Access.AGENT,  providers.chatCompletions())
                .add(POST,   "/v1/responses",                      Access.AGENT,  providers.responses())
                .add(POST,   "/v1/messages",                       Access.AGENT,  providers.anthropicKeyIsGateway(), providers.anthropicMessages())
                // MCP comes after the model routes: routes are tried in order, and model requests are the busiest
                // MCP: Toolgate's own server, and the gateway to each downstream server (Streamable HTTP and
                // legacy SSE); the governance tools check the key's role themselves
                .addBearerKeyed(POST,   "/mcp",                    Access.AGENT,  mcp::post)
                .addBearerKeyed(GET,    "/mcp",                    Access.AGENT,  mcp::get)
                .addBearerKeyed(DELETE, "/mcp",                    Access.AGENT,  mcp::delete)
                .addBearerKeyed(POST,   "/mcp/:server",            Access.AGENT,  mcp::postToServer)
                .addBearerKeyed(GET,    "/mcp/:server",            Access.AGENT,  mcp::getFromServer)
                .addBearerKeyed(DELETE, "/mcp/:server",            Access.AGENT,  mcp::deleteAtServer)
                .addBearerKeyed(GET,    "/sse",                    Access.AGENT,  mcp::openSse)
                .addBearerKeyed(GET,    "/sse/:server",            Access.AGENT,  mcp::openServerSse)
                // A legacy session's messages: its unguessable id, given only to the key that opened it, is the credential
                .add(POST,   "/messages",                          Access.PUBLIC, mcp::message);
        if (metrics != null) {
            // Prometheus scrapes with an admin key here, or with none on metrics.listen
            router.add(GET, "/metrics", Access.ADMIN, metrics);
        }
        // Anthropic's other routes (count_tokens, models for its SDK) go to Anthropic untouched.
        PASSTHROUGH_METHODS.forEach(method -> router.add(method, "/v1/messages/*", Access.AGENT, providers.anthropicKeyIsGateway(),
                providers.anthropicPassthrough()));
        router.add(GET, "/v1/models/*", Access.AGENT, providers.anthropicKeyIsGateway(), ANTHROPIC_CLIENT,
                providers.anthropicPassthrough());
        // Last: every other /v1 request (models, embeddings, files...) goes to the OpenAI-compatible provider untouched.
        PASSTHROUGH_METHODS.forEach(method -> router.add(method, "/v1/*", Access.AGENT, providers.openAiPassthrough()));
        return router;
    }
}
