package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.jdbi.JdbiStorage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Approve and deny link tokens: channels, single use, expiry and retirement. */
class ApprovalTokenTest {
    private Storage storage;
    private ApprovalStore approvals;
    private PendingApproval approval;

    @BeforeEach
    void open() {
        storage = JdbiStorage.open(StorageSettings.of(TestData.memUrl()), TestData.FIXED_CLOCK);
        approvals = storage.approvals();
        approval = TestData.approval("acme", "digest-1");
        approvals.create(approval);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    @Test
    void tokensRoundTripWithTheirChannel() {
        for (String channel : List.of("email", "slack", "teams", "api")) {
            approvals.addToken(approval.id(), "hash-" + channel, "approve", channel, approval.expiresAt());
        }
        approvals.addToken(approval.id(), "hash-deny", "deny", "slack", approval.expiresAt());

        for (String channel : List.of("email", "slack", "teams", "api")) {
            assertThat(approvals.findToken("hash-" + channel))
                    .contains(new ApprovalToken("hash-" + channel, approval.id(), "approve", channel, approval.expiresAt(), null));
        }
        assertThat(approvals.findToken("hash-deny").orElseThrow().action()).isEqualTo("deny");
        assertThat(approvals.findToken("no-such-hash")).isEmpty();
    }

    @Test
    void theFourArgumentFormStoresAnEmailLink() {
        approvals.addToken(approval.id(), "hash-1", "approve", approval.expiresAt());

        assertThat(approvals.findToken("hash-1").orElseThrow().channel()).isEqualTo("email");
    }

    @Test
    void unknownChannelsAndActionsAreRefused() {
        assertThatThrownBy(() -> approvals.addToken(approval.id(), "hash-1", "approve", "pager", approval.expiresAt()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("email, slack, teams or api");
        assertThatThrownBy(() -> approvals.addToken(approval.id(), "hash-1", "maybe", "slack", approval.expiresAt()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("approve or deny");
        assertThat(approvals.findToken("hash-1")).isEmpty();
    }

    @Test
    void aTokenIsUsedOnceAndRecordsWhen() {
        approvals.addToken(approval.id(), "hash-1", "approve", "email", approval.expiresAt());
        Instant clicked = TestData.NOW.plusSeconds(30);

        assertThat(approvals.useToken("hash-1", clicked)).isTrue();
        assertThat(approvals.useToken("hash-1", clicked.plusSeconds(1))).isFalse();
        assertThat(approvals.findToken("hash-1").orElseThrow().usedAt()).isEqualTo(clicked);
        assertThat(approvals.useToken("no-such-hash", clicked)).isFalse();
    }

    @Test
    void anExpiredTokenCannotBeUsed() {
        Instant expiresAt = TestData.NOW.plus(Duration.ofHours(1));
        approvals.addToken(approval.id(), "hash-1", "approve", "teams", expiresAt);

        assertThat(approvals.useToken("hash-1", expiresAt)).isFalse();
        assertThat(approvals.useToken("hash-1", expiresAt.plusSeconds(1))).isFalse();
        assertThat(approvals.findToken("hash-1").orElseThrow().usedAt()).isNull();
        assertThat(approvals.useToken("hash-1", expiresAt.minusMillis(1))).isTrue();
    }

    @Test
    void ofTwoConcurrentUsesOfATokenExactlyOneWins() throws Exception {
        try (Race race = new Race()) {
            for (int round = 0; round < 50; round++) {
                String hash = "hash-" + round;
                approvals.addToken(approval.id(), hash, "approve", "email", approval.expiresAt());

                List<Boolean> won = race.run(() -> approvals.useToken(hash, TestData.NOW),
                        () -> approvals.useToken(hash, TestData.NOW));

                assertThat(won).as("round %d: exactly one use", round).containsExactlyInAnyOrder(true, false);
            }
        }
    }

    @Test
    void retiringKillsEveryUnusedLinkOfTheApprovalOnly() {
        PendingApproval other = TestData.approval("acme", "digest-2");
        approvals.create(other);
        approvals.addToken(approval.id(), "hash-email-approve", "approve", "email", approval.expiresAt());
        approvals.addToken(approval.id(), "hash-email-deny", "deny", "email", approval.expiresAt());
        approvals.addToken(approval.id(), "hash-slack-approve", "approve", "slack", approval.expiresAt());
        approvals.addToken(other.id(), "hash-other", "approve", "email", other.expiresAt());
        Instant clicked = TestData.NOW.plusSeconds(10);
        Instant retired = TestData.NOW.plusSeconds(11);
        approvals.useToken("hash-slack-approve", clicked);

        approvals.retireTokens(approval.id(), retired);

        assertThat(approvals.findToken("hash-email-approve").orElseThrow().usedAt()).isEqualTo(retired);
        assertThat(approvals.findToken("hash-email-deny").orElseThrow().usedAt()).isEqualTo(retired);
        assertThat(approvals.findToken("hash-slack-approve").orElseThrow().usedAt()).as("keeps its use").isEqualTo(clicked);
        assertThat(approvals.findToken("hash-other").orElseThrow().usedAt()).isNull();
        assertThat(approvals.useToken("hash-email-deny", retired.plusSeconds(1))).isFalse();
        assertThat(approvals.useToken("hash-other", retired.plusSeconds(1))).isTrue();
    }
}
