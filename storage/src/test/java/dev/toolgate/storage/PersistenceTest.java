package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistenceTest {

    @Test
    void everythingSurvivesCloseAndReopenOfAFileDatabase(@TempDir Path dir) {
        StorageSettings settings = StorageSettings.of("jdbc:h2:file:" + dir.resolve("toolgate"));
        AuditEvent event = TestData.event("acme", "read_file", "allowed");
        PendingApproval approval = TestData.approval("acme", "digest-1");

        try (Storage storage = Storage.open(settings, TestData.FIXED_CLOCK)) {
            storage.auditLog().append(List.of(event)).join();
            storage.blockedTools().add("acme", "delete_file", "ops");
            storage.approvals().create(approval);
            storage.approvals().addToken(approval.id(), "hash-1", "approve", approval.expiresAt());
            storage.settings().put("acme", "notifications", "{}");
        }

        try (Storage reopened = Storage.open(settings, TestData.FIXED_CLOCK)) {
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
}
