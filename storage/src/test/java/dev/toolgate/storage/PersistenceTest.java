package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.jdbi.JdbiStorage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistenceTest {

    @Test
    void everythingSurvivesCloseAndReopenOfAFileDatabase(@TempDir Path dir) {
        StorageSettings settings = StorageSettings.of("jdbc:h2:file:" + dir.resolve("toolgate"));
        AuditEvent event = TestData.event("acme", "read_file", "allowed");
        PendingApproval approval = TestData.approval("acme", "digest-1");

        try (Storage storage = JdbiStorage.open(settings, TestData.FIXED_CLOCK)) {
            storage.auditLog().append(List.of(event)).join();
            storage.blockedTools().add("acme", "delete_file", "ops");
            storage.approvals().create(approval);
            storage.approvals().addToken(approval.id(), "hash-1", "approve", approval.expiresAt());
            storage.settings().put("acme", "notifications", "{}");
        }

        try (Storage reopened = JdbiStorage.open(settings, TestData.FIXED_CLOCK)) {
            AuditEvent stored = reopened.auditLog().findByEventId(event.eventId()).orElseThrow();
            assertThat(stored).isEqualTo(TestData.withId(event, stored.id()));
            assertThat(reopened.auditLog().query(AuditQuery.of("acme")).total()).isEqualTo(1);
            assertThat(reopened.blockedTools().list("acme")).extracting(BlockedTool::tool).containsExactly("delete_file");
            assertThat(reopened.approvals().find("acme", approval.id())).contains(approval);
            assertThat(reopened.approvals().findPending("acme", approval.agent(), approval.tool(), "digest-1")).contains(approval);
            assertThat(reopened.settings().get("acme", "notifications")).contains("{}");

            // New ids continue after the stored ones.
            AuditEvent next = TestData.event("acme", "read_file", "allowed");
            reopened.auditLog().append(List.of(next)).join();
            assertThat(reopened.auditLog().findByEventId(next.eventId()).orElseThrow().id()).isGreaterThan(stored.id());
        }
    }

    @Test
    void linksRulesAndReplaysSurviveCloseAndReopenOfAFileDatabase(@TempDir Path dir) {
        StorageSettings settings = StorageSettings.of("jdbc:h2:file:" + dir.resolve("toolgate"));
        PendingApproval approval = TestData.approval("acme", "digest-1");
        StoredRule rule = TestData.rule("acme", "rule-1", TestData.NOW, List.of("wire_transfer", "refund"));
        Instant clicked = TestData.NOW.plusSeconds(5);

        try (Storage storage = JdbiStorage.open(settings, TestData.FIXED_CLOCK)) {
            storage.approvals().create(approval);
            storage.approvals().addToken(approval.id(), "hash-approve", "approve", "slack", approval.expiresAt());
            storage.approvals().addToken(approval.id(), "hash-deny", "deny", "teams", approval.expiresAt());
            storage.approvals().useToken("hash-approve", clicked);
            storage.approvals().decide("acme", approval.id(), ApprovalStatus.APPROVED, "finance@example.com", "ok");
            storage.approvals().consume("acme", approval.id(), "support-bot");
            storage.rules().create(rule);
        }

        try (Storage reopened = JdbiStorage.open(settings, TestData.FIXED_CLOCK)) {
            assertThat(reopened.approvals().findToken("hash-approve"))
                    .contains(new ApprovalToken("hash-approve", approval.id(), "approve", "slack", approval.expiresAt(), clicked));
            assertThat(reopened.approvals().findToken("hash-deny"))
                    .contains(new ApprovalToken("hash-deny", approval.id(), "deny", "teams", approval.expiresAt(), null));
            assertThat(reopened.approvals().useToken("hash-approve", clicked)).isFalse();
            assertThat(reopened.approvals().findById(approval.id()).orElseThrow().status()).isEqualTo(ApprovalStatus.CONSUMED);
            assertThat(reopened.approvals().consumedAt("acme", approval.id())).contains(TestData.NOW);
            assertThat(reopened.rules().list("acme")).containsExactly(rule);
            assertThat(reopened.rules().all()).containsExactly(rule);
        }
    }
}
