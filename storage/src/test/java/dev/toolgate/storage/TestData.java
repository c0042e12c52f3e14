package dev.toolgate.storage;

import dev.toolgate.storage.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/** Databases and records for storage tests. */
final class TestData {
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    static final Clock FIXED_CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private TestData() {
    }

    /**
     * A private database that outlives its connections, so a test can reopen it: in-memory H2, or a
     * fresh PostgreSQL schema in the build's PostgreSQL test run ({@link TestDatabases}).
     */
    static String memUrl() {
        return TestDatabases.freshUrl();
    }

    static AuditEvent event(String workspace, String tool, String decision, Instant time) {
        return new AuditEvent(0, UUID.randomUUID().toString(), time, workspace, "support-bot", "proxy", tool,
                "call_" + UUID.randomUUID().toString().substring(0, 8), "{\"path\":\"/tmp/a\"}", decision,
                List.of("rule-1"), List.of("matched rule-1"), 0.25, null, "v1", "gpt-4o", 200, 850, null);
    }

    static AuditEvent event(String workspace, String tool, String decision) {
        return event(workspace, tool, decision, NOW);
    }

    static AuditEvent withEventId(AuditEvent e, String eventId) {
        return new AuditEvent(e.id(), eventId, e.time(), e.workspace(), e.agent(), e.source(), e.tool(), e.toolCallId(),
                e.arguments(), e.decision(), e.rules(), e.reasons(), e.riskScore(), e.approvalId(), e.policyVersion(),
                e.model(), e.upstreamStatus(), e.overheadMicros(), e.decidedBy());
    }

    static AuditEvent withId(AuditEvent e, long id) {
        return new AuditEvent(id, e.eventId(), e.time(), e.workspace(), e.agent(), e.source(), e.tool(), e.toolCallId(),
                e.arguments(), e.decision(), e.rules(), e.reasons(), e.riskScore(), e.approvalId(), e.policyVersion(),
                e.model(), e.upstreamStatus(), e.overheadMicros(), e.decidedBy());
    }

    static PendingApproval approval(String workspace, String agent, String tool, String digest, Instant createdAt,
                                    Duration expiresAfter) {
        return new PendingApproval(UUID.randomUUID().toString(), workspace, agent, tool, "call_1",
                "{\"amount\":5000}", digest, "big-transfers", "v1",
                "{\"role\":\"assistant\",\"tool_calls\":[]}", "conv-digest", "finance@example.com",
                ApprovalStatus.PENDING, createdAt, createdAt.plus(expiresAfter), null, null, null);
    }

    static PendingApproval approval(String workspace, String digest) {
        return approval(workspace, "support-bot", "wire_transfer", digest, NOW.minusSeconds(60), Duration.ofHours(24));
    }

    /** The same approval in another conversation. */
    static PendingApproval inConversation(PendingApproval a, String conversationDigest) {
        return new PendingApproval(a.id(), a.workspace(), a.agent(), a.tool(), a.toolCallId(), a.arguments(),
                a.argumentsDigest(), a.ruleId(), a.policyVersion(), a.assistantMessage(), conversationDigest,
                a.approverEmail(), a.status(), a.createdAt(), a.expiresAt(), a.decidedAt(), a.decidedBy(), a.note());
    }

    /** The same approval as already decided, for seeding approvals that are no longer pending. */
    static PendingApproval decided(PendingApproval a, ApprovalStatus status, String decidedBy) {
        return new PendingApproval(a.id(), a.workspace(), a.agent(), a.tool(), a.toolCallId(), a.arguments(),
                a.argumentsDigest(), a.ruleId(), a.policyVersion(), a.assistantMessage(), a.conversationDigest(),
                a.approverEmail(), status, a.createdAt(), a.expiresAt(), a.createdAt().plusSeconds(1), decidedBy, null);
    }

    static StoredRule rule(String workspace, String id, Instant createdAt, List<String> tools) {
        return new StoredRule(id, workspace, "hold wire transfers over 1000 for finance", "approve",
                "finance@example.com", tools, "args.amount > 1000", false, createdAt, "ops@example.com");
    }
}
