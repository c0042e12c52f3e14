package dev.toolgate.proxy.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.blocking.BlockingExecutor;
import dev.toolgate.proxy.server.Endpoint;
import dev.toolgate.proxy.server.Exchange;
import dev.toolgate.proxy.server.Json;
import dev.toolgate.storage.AuditLog;
import dev.toolgate.storage.ChainVerification;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/audit/verify}: recomputes the caller's workspace's audit hash chain and reports
 * {@code {"valid":true,"events":N}} or the first broken event. Only that workspace's chain is read,
 * so no other tenant's event ids can appear in the answer.
 */
public final class AuditVerifyEndpoint implements Endpoint {
    private static final Logger log = LoggerFactory.getLogger(AuditVerifyEndpoint.class);
    /** Verifying reads every event of the workspace, which a long audit may need minutes for. */
    private static final Duration VERIFY_TIMEOUT = Duration.ofMinutes(10);

    private final AuditLog auditLog;
    private final Blocking blocking;

    AuditVerifyEndpoint(AuditLog auditLog, BlockingExecutor executor) {
        this.auditLog = auditLog;
        this.blocking = new Blocking(executor);
    }

    @Override
    public void serve(Exchange exchange) {
        String workspace = exchange.principal().workspace();
        blocking.respond(exchange, VERIFY_TIMEOUT, () -> {
            ChainVerification result = auditLog.verifyChain(workspace);
            ObjectNode body = Json.object();
            body.put("valid", result.valid());
            body.put("events", result.events());
            if (!result.valid()) {
                log.warn("Audit hash chain of workspace '{}' is broken at event {} after {} intact events: {}."
                                + " Compare the audit_events table with a backup to see what changed.",
                        workspace, result.firstBrokenEventId(), result.events(), result.reason());
                body.put("first_broken_event", result.firstBrokenEventId());
                body.put("reason", result.reason());
            }
            return Blocking.Answer.ok(body);
        });
    }
}
