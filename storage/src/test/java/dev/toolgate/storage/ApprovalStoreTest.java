package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.jdbi.JdbiStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApprovalStoreTest {
    private Storage storage;
    private ApprovalStore approvals;

    @BeforeEach
    void open() {
        storage = JdbiStorage.open(StorageSettings.of(TestData.memUrl()), TestData.FIXED_CLOCK);
        approvals = storage.approvals();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void createdApprovalIsFoundFieldForFieldInItsWorkspaceOnly() {
        PendingApproval approval = TestData.approval("acme", "digest-1");
        approvals.create(approval);

        assertThat(approvals.find("acme", approval.id())).contains(approval);
        assertThat(approvals.find("other", approval.id())).isEmpty();
        assertThat(approvals.find("acme", "no-such-id")).isEmpty();
    }

    @Test
    void optionalFieldsMayBeMissing() {
        PendingApproval full = TestData.approval("acme", "digest-1");
        PendingApproval sparse = new PendingApproval(full.id(), "acme", "intercept-agent", "wire_transfer", null, "{}",
                "digest-1", null, "v1", null, null, null, ApprovalStatus.PENDING, full.createdAt(), full.expiresAt(),
                null, null, null);
        approvals.create(sparse);

        assertThat(approvals.find("acme", sparse.id())).contains(sparse);
    }

    @Test
    void findPendingMatchesAgentToolAndDigestAndPrefersTheNewest() {
        PendingApproval older = TestData.approval("acme", "bot", "wire_transfer", "digest-1", TestData.NOW.minusSeconds(600), Duration.ofHours(1));
        PendingApproval newer = TestData.approval("acme", "bot", "wire_transfer", "digest-1", TestData.NOW.minusSeconds(60), Duration.ofHours(1));
        approvals.create(older);
        approvals.create(newer);
        approvals.create(TestData.approval("acme", "other-bot", "wire_transfer", "digest-2", TestData.NOW, Duration.ofHours(1)));

        assertThat(approvals.findPending("acme", "bot", "wire_transfer", "digest-1")).contains(newer);
        assertThat(approvals.findPending("acme", "bot", "wire_transfer", "digest-2")).isEmpty();
        assertThat(approvals.findPending("acme", "other-bot", "wire_transfer", "digest-1")).isEmpty();
        assertThat(approvals.findPending("acme", "bot", "refund", "digest-1")).isEmpty();
        assertThat(approvals.findPending("other", "bot", "wire_transfer", "digest-1")).isEmpty();
    }

    @Test
    void findPendingIgnoresExpiredAndDecidedApprovals() {
        PendingApproval expired = TestData.approval("acme", "bot", "wire_transfer", "digest-1",
                TestData.NOW.minus(Duration.ofHours(25)), Duration.ofHours(24));
        approvals.create(expired);
        assertThat(approvals.findPending("acme", "bot", "wire_transfer", "digest-1")).isEmpty();

        PendingApproval live = TestData.approval("acme", "bot", "wire_transfer", "digest-1", TestData.NOW, Duration.ofHours(24));
        approvals.create(live);
        assertThat(approvals.findPending("acme", "bot", "wire_transfer", "digest-1")).contains(live);

        approvals.decide("acme", live.id(), ApprovalStatus.DENIED, "finance@example.com", null);
        assertThat(approvals.findPending("acme", "bot", "wire_transfer", "digest-1")).isEmpty();
    }

    @Test
    void decideRecordsWhoWhenAndWhyOnce() {
        PendingApproval approval = TestData.approval("acme", "digest-1");
        approvals.create(approval);

        assertThat(approvals.decide("acme", approval.id(), ApprovalStatus.APPROVED, "finance@example.com", "ok")).isTrue();
        assertThat(approvals.decide("acme", approval.id(), ApprovalStatus.DENIED, "someone@example.com", "late")).isFalse();

        PendingApproval decided = approvals.find("acme", approval.id()).orElseThrow();
        assertThat(decided.status()).isEqualTo(ApprovalStatus.APPROVED);
        assertThat(decided.decidedAt()).isEqualTo(TestData.NOW);
        assertThat(decided.decidedBy()).isEqualTo("finance@example.com");
        assertThat(decided.note()).isEqualTo("ok");
    }

    @Test
    void decideIsScopedToTheWorkspaceAndRefusesExpiredApprovals() {
        PendingApproval approval = TestData.approval("acme", "digest-1");
        approvals.create(approval);
        assertThat(approvals.decide("other", approval.id(), ApprovalStatus.APPROVED, "x", null)).isFalse();

        PendingApproval expired = TestData.approval("acme", "bot", "wire_transfer", "digest-2",
                TestData.NOW.minus(Duration.ofHours(25)), Duration.ofHours(24));
        approvals.create(expired);
        assertThat(approvals.decide("acme", expired.id(), ApprovalStatus.APPROVED, "late@example.com", null)).isFalse();
        assertThat(approvals.decide("acme", expired.id(), ApprovalStatus.EXPIRED, "toolgate", null)).isTrue();
        assertThat(approvals.find("acme", expired.id()).orElseThrow().status()).isEqualTo(ApprovalStatus.EXPIRED);

        assertThatThrownBy(() -> approvals.decide("acme", approval.id(), ApprovalStatus.CONSUMED, "x", null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ofTwoConcurrentDecisionsExactlyOneWins() throws Exception {
        ExecutorService deciders = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 50; round++) {
                PendingApproval approval = TestData.approval("acme", "digest-" + round);
                approvals.create(approval);
                CountDownLatch start = new CountDownLatch(1);
                Future<Boolean> approve = deciders.submit(() -> {
                    start.await();
                    return approvals.decide("acme", approval.id(), ApprovalStatus.APPROVED, "alice", null);
                });
                Future<Boolean> deny = deciders.submit(() -> {
                    start.await();
                    return approvals.decide("acme", approval.id(), ApprovalStatus.DENIED, "bob", null);
                });
                start.countDown();
                boolean approved = approve.get(10, TimeUnit.SECONDS);
                boolean denied = deny.get(10, TimeUnit.SECONDS);

                assertThat(approved ^ denied).as("round %d: exactly one decision wins", round).isTrue();
                PendingApproval stored = approvals.find("acme", approval.id()).orElseThrow();
                assertThat(stored.status()).isEqualTo(approved ? ApprovalStatus.APPROVED : ApprovalStatus.DENIED);
                assertThat(stored.decidedBy()).isEqualTo(approved ? "alice" : "bob");
            }
        } finally {
            deciders.shutdownNow();
        }
    }

    @Test
    void listIsNewestFirstFilteredByStatusAndPaged() {
        List<PendingApproval> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            PendingApproval approval = TestData.approval("acme", "bot", "wire_transfer", "digest-" + i,
                    TestData.NOW.minusSeconds(100 - i), Duration.ofHours(1));
            approvals.create(approval);
            created.add(approval);
        }
        approvals.create(TestData.approval("other", "digest-x"));
        approvals.decide("acme", created.get(1).id(), ApprovalStatus.DENIED, "bob", null);

        assertThat(approvals.list("acme", null, 10, 1)).extracting(PendingApproval::argumentsDigest)
                .containsExactly("digest-4", "digest-3", "digest-2", "digest-1", "digest-0");
        assertThat(approvals.list("acme", ApprovalStatus.PENDING, 2, 2)).extracting(PendingApproval::argumentsDigest)
                .containsExactly("digest-2", "digest-0");
        assertThat(approvals.list("acme", ApprovalStatus.DENIED, 10, 1)).extracting(PendingApproval::argumentsDigest)
                .containsExactly("digest-1");
        assertThatThrownBy(() -> approvals.list("acme", null, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listFiltersByToolAndCreationTime() {
        approvals.create(TestData.approval("acme", "bot", "wire_transfer", "old-wire", TestData.NOW.minusSeconds(600), Duration.ofHours(1)));
        approvals.create(TestData.approval("acme", "bot", "wire_transfer", "new-wire", TestData.NOW.minusSeconds(10), Duration.ofHours(1)));
        approvals.create(TestData.approval("acme", "bot", "run_shell", "new-shell", TestData.NOW.minusSeconds(5), Duration.ofHours(1)));

        assertThat(approvals.list(new ApprovalQuery("acme", null, "wire_transfer", null, 10, 1)))
                .extracting(PendingApproval::argumentsDigest).containsExactly("new-wire", "old-wire");
        assertThat(approvals.list(new ApprovalQuery("acme", ApprovalStatus.PENDING, null, TestData.NOW.minusSeconds(60), 10, 1)))
                .extracting(PendingApproval::argumentsDigest).containsExactly("new-shell", "new-wire");
        assertThat(approvals.list(new ApprovalQuery("acme", null, "wire_transfer", TestData.NOW.minusSeconds(60), 10, 1)))
                .extracting(PendingApproval::argumentsDigest).containsExactly("new-wire");
    }

    @Test
    void tokensAreStoredForExistingApprovalsOnly() {
        PendingApproval approval = TestData.approval("acme", "digest-1");
        approvals.create(approval);

        approvals.addToken(approval.id(), "hash-approve", "approve", approval.expiresAt());
        approvals.addToken(approval.id(), "hash-deny", "deny", approval.expiresAt());

        assertThatThrownBy(() -> approvals.addToken(approval.id(), "hash-x", "maybe", approval.expiresAt()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("approve or deny");
        assertThatThrownBy(() -> approvals.addToken("no-such-approval", "hash-y", "approve", approval.expiresAt()))
                .isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> approvals.addToken(approval.id(), "hash-approve", "approve", approval.expiresAt()))
                .isInstanceOf(RuntimeException.class);
    }
}
