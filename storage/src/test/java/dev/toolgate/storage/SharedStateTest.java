package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.toolgate.storage.ChangeFeed.Topic;
import dev.toolgate.storage.IdempotencyStore.Answered;
import dev.toolgate.storage.IdempotencyStore.Claim;
import dev.toolgate.storage.IdempotencyStore.Claimed;
import dev.toolgate.storage.IdempotencyStore.InProgress;
import dev.toolgate.storage.jdbi.JdbiStorage;
import dev.toolgate.storage.testing.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What instances sharing one database see of each other: change versions that every change of
 * shared state moves, idempotency keys one request at a time claims, approvals created since a time.
 * Two Storage objects on one database stand for two instances.
 */
class SharedStateTest {
    private static final Duration DAY = Duration.ofHours(24);
    private static final Duration LEASE = Duration.ofSeconds(30);

    private String url;
    private Storage a;
    private Storage b;

    @BeforeEach
    void open() {
        url = TestData.memUrl();
        a = JdbiStorage.open(StorageSettings.of(url), TestData.FIXED_CLOCK);
        b = JdbiStorage.open(StorageSettings.of(url), TestData.FIXED_CLOCK);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void everyChangeOfSharedStateMovesItsTopicsVersionForEveryInstance() {
        Map<Topic, Long> start = b.changes().versions();

        a.blockedTools().add("acme", "delete_file", "ops");
        assertThat(b.changes().versions().get(Topic.POLICY)).isEqualTo(start.get(Topic.POLICY) + 1);
        a.blockedTools().add("acme", "delete_file", "ops");
        assertThat(b.changes().versions().get(Topic.POLICY)).as("nothing changed, nothing moves").isEqualTo(start.get(Topic.POLICY) + 1);
        a.blockedTools().remove("acme", "delete_file");
        a.rules().create(new StoredRule("r1", "acme", "text", "block", null, List.of("x"), null, false, TestData.NOW, "ops"));
        a.rules().delete("acme", "r1");
        assertThat(b.changes().versions().get(Topic.POLICY)).isEqualTo(start.get(Topic.POLICY) + 4);
        assertThat(b.changes().versions().get(Topic.APPROVALS)).isEqualTo(start.get(Topic.APPROVALS));

        a.approvals().create(TestData.approval("acme", "digest-1"));
        assertThat(b.changes().versions().get(Topic.APPROVALS)).isEqualTo(start.get(Topic.APPROVALS) + 1);
    }

    @Test
    void aChangeOnOneInstanceWakesAnotherWaitingForAnnouncementsOnPostgresql() throws Exception {
        if (!TestDatabases.onPostgres()) {
            return;  // H2 has no announcements: waiting is sleeping, covered by the version test above
        }
        Thread changer = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            a.blockedTools().add("acme", "send_email", "ops");
        });
        b.changes().awaitAnnouncement(Duration.ofMillis(50));  // opens the listening connection
        changer.start();
        long started = System.nanoTime();
        b.changes().awaitAnnouncement(Duration.ofSeconds(20));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("woken by the NOTIFY, not the timeout")
                .isLessThan(Duration.ofSeconds(5));
        changer.join();
    }

    @Test
    void anIdempotencyKeyIsClaimedByOneRequestAndThenAnswersEveryOther() {
        Instant now = TestData.NOW;
        assertThat(a.idempotency().claim("acme", "bot", "key-1", "digest-a", now, DAY, LEASE)).isEqualTo(new Claimed());
        assertThat(b.idempotency().claim("acme", "bot", "key-1", "digest-a", now, DAY, LEASE)).isEqualTo(new InProgress("digest-a"));
        assertThat(b.idempotency().claim("acme", "other-bot", "key-1", "digest-a", now, DAY, LEASE))
                .as("another caller's key").isEqualTo(new Claimed());

        a.idempotency().complete("acme", "bot", "key-1", 200, "{\"allowed\":true}");

        assertThat(b.idempotency().claim("acme", "bot", "key-1", "digest-b", now.plusSeconds(60), DAY, LEASE))
                .isEqualTo(new Answered("digest-a", 200, "{\"allowed\":true}"));
        assertThat(b.idempotency().claim("acme", "bot", "key-1", "digest-a", now.plus(DAY), DAY, LEASE))
                .as("remembered for the ttl only").isEqualTo(new Claimed());
    }

    @Test
    void aReleasedOrAbandonedClaimIsTakenAgain() {
        Instant now = TestData.NOW;
        a.idempotency().claim("acme", "bot", "key-2", "digest-a", now, DAY, LEASE);
        a.idempotency().release("acme", "bot", "key-2");
        assertThat(b.idempotency().claim("acme", "bot", "key-2", "digest-a", now, DAY, LEASE)).isEqualTo(new Claimed());

        assertThat(a.idempotency().claim("acme", "bot", "key-2", "digest-a", now.plusSeconds(10), DAY, LEASE))
                .isEqualTo(new InProgress("digest-a"));
        assertThat(a.idempotency().claim("acme", "bot", "key-2", "digest-a", now.plus(LEASE).plusSeconds(1), DAY, LEASE))
                .as("its instance stopped before answering").isEqualTo(new Claimed());
    }

    @Test
    void ofTwoInstancesClaimingOneKeyAtOnceExactlyOneGetsIt() throws Exception {
        for (int round = 0; round < 20; round++) {
            String key = "race-" + round;
            try (Race race = new Race()) {
                List<Claim> claims = race.run(
                        () -> a.idempotency().claim("acme", "bot", key, "d", TestData.NOW, DAY, LEASE),
                        () -> b.idempotency().claim("acme", "bot", key, "d", TestData.NOW, DAY, LEASE));
                assertThat(claims).filteredOn(claim -> claim instanceof Claimed).as("round %d", round).hasSize(1);
            }
        }
    }

    @Test
    void expiredKeysArePurged() {
        a.idempotency().claim("acme", "bot", "old", "d", TestData.NOW, Duration.ofMinutes(1), LEASE);
        a.idempotency().claim("acme", "bot", "new", "d", TestData.NOW, DAY, LEASE);

        assertThat(b.idempotency().purgeExpired(TestData.NOW.plusSeconds(120))).isEqualTo(1);
        assertThat(b.idempotency().claim("acme", "bot", "new", "d", TestData.NOW, DAY, LEASE)).isEqualTo(new InProgress("d"));
    }

    @Test
    void approvalsCreatedSinceATimeAreListedOldestFirst() {
        PendingApproval old = TestData.approval("acme", "bot", "wire_transfer", "d1", TestData.NOW.minusSeconds(600), DAY);
        PendingApproval recent = TestData.approval("acme", "bot", "wire_transfer", "d2", TestData.NOW.minusSeconds(5), DAY);
        PendingApproval newest = TestData.approval("other", "bot", "wire_transfer", "d3", TestData.NOW, DAY);
        a.approvals().create(newest);
        a.approvals().create(old);
        a.approvals().create(recent);

        assertThat(b.approvals().createdSince(TestData.NOW.minusSeconds(60), 100)).extracting(PendingApproval::id)
                .containsExactly(recent.id(), newest.id());
        assertThat(b.approvals().createdSince(TestData.NOW.minusSeconds(60), 1)).extracting(PendingApproval::id)
                .containsExactly(recent.id());
    }

    @Test
    void theSchemaVersionIsTheNewestMigration() {
        assertThat(a.schemaVersion()).isEqualTo(new Storage.SchemaVersion("17", "17", true));
    }
}
