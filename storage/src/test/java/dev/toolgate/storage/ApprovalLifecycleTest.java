package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.jdbi.JdbiStorage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retry matching, replay (consume), expiry sweep and stats of held calls. */
class ApprovalLifecycleTest {
    private final MutableClock clock = new MutableClock(TestData.NOW);
    private Storage storage;
    private ApprovalStore approvals;

    @BeforeEach
    void open() {
        storage = JdbiStorage.open(StorageSettings.of(TestData.memUrl()), clock);
        approvals = storage.approvals();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void findByIdFindsAnApprovalWithoutItsWorkspace() {
        PendingApproval approval = TestData.approval("acme", "digest-1");
        approvals.create(approval);

        assertThat(approvals.findById(approval.id())).contains(approval);
        assertThat(approvals.findById("no-such-id")).isEmpty();
    }

    @Test
    void findLatestForConversationReturnsTheNewestInAnyStatus() {
        PendingApproval older = TestData.inConversation(TestData.approval("acme", "bot", "wire_transfer", "digest-1",
                TestData.NOW.minusSeconds(600), Duration.ofHours(1)), "conv-a");
        PendingApproval newer = TestData.inConversation(TestData.approval("acme", "bot", "refund", "digest-2",
                TestData.NOW.minusSeconds(60), Duration.ofHours(1)), "conv-a");
        approvals.create(newer);
        approvals.create(older);

        assertThat(approvals.findLatestForConversation("acme", "bot", "conv-a")).contains(newer);

        // Decided approvals still match: the retry must learn it was denied.
        approvals.decide("acme", newer.id(), ApprovalStatus.DENIED, "finance@example.com", "no");
        PendingApproval latest = approvals.findLatestForConversation("acme", "bot", "conv-a").orElseThrow();
        assertThat(latest.id()).isEqualTo(newer.id());
        assertThat(latest.status()).isEqualTo(ApprovalStatus.DENIED);
    }

    @Test
    void findLatestForConversationIsScopedToWorkspaceAgentAndDigest() {
        PendingApproval approval = TestData.inConversation(TestData.approval("acme", "bot", "wire_transfer", "digest-1",
                TestData.NOW, Duration.ofHours(1)), "conv-a");
        approvals.create(approval);
        approvals.create(TestData.inConversation(TestData.approval("other", "bot", "wire_transfer", "digest-1",
                TestData.NOW.plusSeconds(10), Duration.ofHours(1)), "conv-a"));

        assertThat(approvals.findLatestForConversation("acme", "bot", "conv-a")).contains(approval);
        assertThat(approvals.findLatestForConversation("acme", "other-bot", "conv-a")).isEmpty();
        assertThat(approvals.findLatestForConversation("acme", "bot", "conv-b")).isEmpty();
        assertThat(approvals.findLatestForConversation("nobody", "bot", "conv-a")).isEmpty();
    }

    @Test
    void findLatestForReturnsTheNewestCallInAnyStatus() {
        PendingApproval denied = TestData.decided(TestData.approval("acme", "bot", "wire_transfer", "digest-1",
                TestData.NOW.minusSeconds(600), Duration.ofHours(1)), ApprovalStatus.DENIED, "bob");
        PendingApproval approved = TestData.decided(TestData.approval("acme", "bot", "wire_transfer", "digest-1",
                TestData.NOW.minusSeconds(300), Duration.ofHours(1)), ApprovalStatus.APPROVED, "alice");
        approvals.create(approved);
        approvals.create(denied);

        assertThat(approvals.findLatestFor("acme", "bot", "wire_transfer", "digest-1")).contains(approved);
        assertThat(approvals.findPending("acme", "bot", "wire_transfer", "digest-1")).isEmpty();

        PendingApproval pending = TestData.approval("acme", "bot", "wire_transfer", "digest-1",
                TestData.NOW.minusSeconds(10), Duration.ofHours(1));
        approvals.create(pending);
        assertThat(approvals.findLatestFor("acme", "bot", "wire_transfer", "digest-1")).contains(pending);
    }

    @Test
    void findLatestForIsScopedToWorkspaceAgentToolAndDigest() {
        PendingApproval approval = TestData.approval("acme", "bot", "wire_transfer", "digest-1", TestData.NOW, Duration.ofHours(1));
        approvals.create(approval);
        approvals.create(TestData.approval("other", "bot", "wire_transfer", "digest-1", TestData.NOW.plusSeconds(5), Duration.ofHours(1)));

        assertThat(approvals.findLatestFor("acme", "bot", "wire_transfer", "digest-1")).contains(approval);
        assertThat(approvals.findLatestFor("acme", "other-bot", "wire_transfer", "digest-1")).isEmpty();
        assertThat(approvals.findLatestFor("acme", "bot", "refund", "digest-1")).isEmpty();
        assertThat(approvals.findLatestFor("acme", "bot", "wire_transfer", "digest-2")).isEmpty();
        assertThat(approvals.findLatestFor("nobody", "bot", "wire_transfer", "digest-1")).isEmpty();
    }

    @Test
    void consumeReleasesAnApprovedCallOnceAndKeepsTheApproversDecision() {
        PendingApproval approval = TestData.approval("acme", "digest-1");
        approvals.create(approval);
        assertThat(approvals.consume("acme", approval.id(), "support-bot")).as("pending is not consumable").isFalse();
        assertThat(approvals.consumedAt("acme", approval.id())).isEmpty();

        clock.advance(Duration.ofMinutes(5));
        Instant decidedAt = clock.instant();
        approvals.decide("acme", approval.id(), ApprovalStatus.APPROVED, "finance@example.com", "fine");
        clock.advance(Duration.ofMinutes(7));
        Instant consumedAt = clock.instant();

        assertThat(approvals.consume("other", approval.id(), "support-bot")).as("other workspace").isFalse();
        assertThat(approvals.consume("acme", approval.id(), "support-bot")).isTrue();
        assertThat(approvals.consume("acme", approval.id(), "support-bot")).as("second replay").isFalse();

        PendingApproval stored = approvals.find("acme", approval.id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(ApprovalStatus.CONSUMED);
        assertThat(stored.decidedAt()).isEqualTo(decidedAt);
        assertThat(stored.decidedBy()).isEqualTo("finance@example.com");
        assertThat(stored.note()).isEqualTo("fine");
        assertThat(approvals.consumedAt("acme", approval.id())).contains(consumedAt);
        assertThat(approvals.consumption("acme", approval.id()))
                .contains(new ApprovalConsumption(approval.id(), consumedAt, "support-bot"));
        assertThat(approvals.consumption("other", approval.id())).isEmpty();
    }

    @Test
    void consumeRefusesDeniedAndExpiredApprovals() {
        PendingApproval denied = TestData.approval("acme", "digest-1");
        PendingApproval expired = TestData.approval("acme", "digest-2");
        approvals.create(denied);
        approvals.create(expired);
        approvals.decide("acme", denied.id(), ApprovalStatus.DENIED, "bob", null);
        approvals.decide("acme", expired.id(), ApprovalStatus.EXPIRED, "expiry", null);

        assertThat(approvals.consume("acme", denied.id(), "bot")).isFalse();
        assertThat(approvals.consume("acme", expired.id(), "bot")).isFalse();
        assertThat(approvals.consume("acme", "no-such-id", "bot")).isFalse();
    }

    @Test
    void ofTwoConcurrentConsumersExactlyOneWins() throws Exception {
        try (Race race = new Race()) {
            for (int round = 0; round < 50; round++) {
                PendingApproval approval = TestData.approval("acme", "digest-" + round);
                approvals.create(approval);
                approvals.decide("acme", approval.id(), ApprovalStatus.APPROVED, "alice", null);

                List<Boolean> won = race.run(() -> approvals.consume("acme", approval.id(), "gateway-1"),
                        () -> approvals.consume("acme", approval.id(), "gateway-2"));

                assertThat(won).as("round %d: exactly one replay", round).containsExactlyInAnyOrder(true, false);
                String winner = won.get(0) ? "gateway-1" : "gateway-2";
                assertThat(approvals.consumption("acme", approval.id()).orElseThrow().consumedBy()).isEqualTo(winner);
            }
        }
    }

    @Test
    void decideStillRefusesApprovalAndDenialOnceTheApprovalHasExpired() {
        PendingApproval approval = TestData.approval("acme", "bot", "wire_transfer", "digest-1", TestData.NOW, Duration.ofHours(1));
        approvals.create(approval);

        clock.advance(Duration.ofHours(1));
        assertThat(approvals.decide("acme", approval.id(), ApprovalStatus.APPROVED, "late@example.com", null)).isFalse();
        assertThat(approvals.decide("acme", approval.id(), ApprovalStatus.DENIED, "late@example.com", null)).isFalse();
        assertThat(approvals.find("acme", approval.id()).orElseThrow().status()).isEqualTo(ApprovalStatus.PENDING);
    }

    @Test
    void aDenialStoresItsApproverAndNote() {
        PendingApproval approval = TestData.approval("acme", "digest-1");
        approvals.create(approval);
        clock.advance(Duration.ofMinutes(3));

        assertThat(approvals.decide("acme", approval.id(), ApprovalStatus.DENIED, "finance@example.com", "not this vendor")).isTrue();

        PendingApproval stored = approvals.findById(approval.id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(ApprovalStatus.DENIED);
        assertThat(stored.decidedBy()).isEqualTo("finance@example.com");
        assertThat(stored.note()).isEqualTo("not this vendor");
        assertThat(stored.decidedAt()).isEqualTo(TestData.NOW.plus(Duration.ofMinutes(3)));
    }

    @Test
    void expireDueMovesOnlyDuePendingApprovalsInEveryWorkspace() {
        Instant now = TestData.NOW;
        PendingApproval dueAcme = TestData.approval("acme", "bot", "wire_transfer", "d1", now.minus(Duration.ofHours(2)), Duration.ofHours(1));
        PendingApproval dueExactlyNow = TestData.approval("other", "bot", "wire_transfer", "d2", now.minus(Duration.ofHours(1)), Duration.ofHours(1));
        PendingApproval notYetDue = TestData.approval("acme", "bot", "wire_transfer", "d3", now, Duration.ofHours(1));
        PendingApproval approvedPastExpiry = TestData.decided(TestData.approval("acme", "bot", "wire_transfer", "d4",
                now.minus(Duration.ofHours(3)), Duration.ofHours(1)), ApprovalStatus.APPROVED, "alice");
        PendingApproval deniedPastExpiry = TestData.decided(TestData.approval("acme", "bot", "wire_transfer", "d5",
                now.minus(Duration.ofHours(3)), Duration.ofHours(1)), ApprovalStatus.DENIED, "bob");
        for (PendingApproval a : List.of(dueAcme, dueExactlyNow, notYetDue, approvedPastExpiry, deniedPastExpiry)) {
            approvals.create(a);
        }

        List<PendingApproval> expired = approvals.expireDue(now, 100);

        assertThat(expired).extracting(PendingApproval::id).containsExactly(dueAcme.id(), dueExactlyNow.id());
        assertThat(expired).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(ApprovalStatus.EXPIRED);
            assertThat(a.decidedAt()).isEqualTo(now);
            assertThat(a.decidedBy()).isEqualTo("expiry");
        });
        assertThat(expired.get(0)).isEqualTo(approvals.find("acme", dueAcme.id()).orElseThrow());
        assertThat(approvals.find("acme", notYetDue.id()).orElseThrow().status()).isEqualTo(ApprovalStatus.PENDING);
        assertThat(approvals.find("acme", approvedPastExpiry.id())).contains(approvedPastExpiry);
        assertThat(approvals.find("acme", deniedPastExpiry.id())).contains(deniedPastExpiry);

        assertThat(approvals.expireDue(now, 100)).as("already expired ones are not returned again").isEmpty();
        assertThat(approvals.expireDue(now.plus(Duration.ofHours(1)), 100)).extracting(PendingApproval::id)
                .containsExactly(notYetDue.id());
    }

    @Test
    void expireDueHonoursTheLimitSoonestExpiryFirst() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            PendingApproval approval = TestData.approval("acme", "bot", "wire_transfer", "d" + i,
                    TestData.NOW.minus(Duration.ofHours(10 - i)), Duration.ofHours(1));
            approvals.create(approval);
            ids.add(approval.id());
        }

        assertThat(approvals.expireDue(TestData.NOW, 2)).extracting(PendingApproval::id).containsExactlyElementsOf(ids.subList(0, 2));
        assertThat(approvals.expireDue(TestData.NOW, 2)).extracting(PendingApproval::id).containsExactlyElementsOf(ids.subList(2, 4));
        assertThat(approvals.expireDue(TestData.NOW, 2)).extracting(PendingApproval::id).containsExactly(ids.get(4));
        assertThatThrownBy(() -> approvals.expireDue(TestData.NOW, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void twoConcurrentSweepersEachReturnADisjointShareOfTheDueApprovals() throws Exception {
        try (Race race = new Race()) {
            for (int round = 0; round < 10; round++) {
                Set<String> due = new HashSet<>();
                for (int i = 0; i < 40; i++) {
                    PendingApproval approval = TestData.approval("ws-" + (i % 3), "bot", "wire_transfer", "d" + i,
                            TestData.NOW.minus(Duration.ofHours(2)), Duration.ofHours(1));
                    approvals.create(approval);
                    due.add(approval.id());
                }

                // Small batches make the sweepers contend over the same candidates many times.
                List<List<String>> swept = race.run(() -> sweep(7), () -> sweep(7));

                Set<String> first = new HashSet<>(swept.get(0));
                Set<String> second = new HashSet<>(swept.get(1));
                assertThat(swept.get(0)).as("round %d: no duplicates within one sweeper", round).doesNotHaveDuplicates();
                assertThat(swept.get(1)).as("round %d: no duplicates within one sweeper", round).doesNotHaveDuplicates();
                // One sweeper may take every due approval; doesNotContainAnyElementsOf refuses an empty set.
                Set<String> both = new HashSet<>(first);
                both.retainAll(second);
                assertThat(both).as("round %d: no approval returned to both", round).isEmpty();
                first.addAll(second);
                assertThat(first).as("round %d: every due approval returned", round).isEqualTo(due);
            }
        }
    }

    @Test
    void countByStatusCountsOneWorkspace() {
        for (int i = 0; i < 3; i++) {
            approvals.create(TestData.approval("acme", "digest-" + i));
        }
        PendingApproval denied = TestData.approval("acme", "digest-x");
        approvals.create(denied);
        approvals.decide("acme", denied.id(), ApprovalStatus.DENIED, "bob", null);
        approvals.create(TestData.approval("other", "digest-y"));

        assertThat(approvals.countByStatus("acme", ApprovalStatus.PENDING)).isEqualTo(3);
        assertThat(approvals.countByStatus("acme", ApprovalStatus.DENIED)).isEqualTo(1);
        assertThat(approvals.countByStatus("acme", ApprovalStatus.APPROVED)).isZero();
        assertThat(approvals.countByStatus("other", ApprovalStatus.PENDING)).isEqualTo(1);
        assertThat(approvals.countByStatus("nobody", ApprovalStatus.PENDING)).isZero();
    }

    /** Sweeps in batches until a batch comes back short, as the gateway's expiry task does. */
    private List<String> sweep(int batch) {
        List<String> ids = new ArrayList<>();
        List<PendingApproval> moved;
        do {
            moved = approvals.expireDue(TestData.NOW, batch);
            moved.forEach(a -> ids.add(a.id()));
        } while (moved.size() == batch);
        return ids;
    }
}
