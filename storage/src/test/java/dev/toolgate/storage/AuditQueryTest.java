package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.toolgate.storage.jdbi.JdbiStorage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuditQueryTest {
    private static final Instant T0 = Instant.parse("2025-06-01T00:00:00Z");

    private Storage storage;
    private AuditLog log;

    @BeforeEach
    void open() {
        storage = JdbiStorage.open(StorageSettings.of(TestData.memUrl()));
        log = storage.auditLog();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    /** Appends one at a time so ids follow the list order. */
    private List<AuditEvent> appendInOrder(List<AuditEvent> events) {
        for (AuditEvent event : events) {
            log.append(List.of(event)).join();
        }
        return events;
    }

    @Test
    void storedEventsReadBackFieldForField() {
        AuditEvent event = new AuditEvent(0, "5f0e8e8c-3c1a-4a4e-9d8e-0c6f0d3b7a11", Instant.parse("2025-06-01T10:15:30.123456Z"),
                "acme", "support-bot", "intercept", "wire_transfer", null, "{\"amount\":5000,\"iban\":\"[REDACTED]\"}",
                "approved", List.of("big-transfers", "iban-check"), List.of("amount over 1000", "needs \"finance\""),
                0.875, "approval-1", "sha256:abc", "gpt-4o", null, 1234, "finance@example.com");
        log.append(List.of(event)).join();

        AuditEvent stored = log.findByEventId(event.eventId()).orElseThrow();
        assertThat(stored.id()).isPositive();
        assertThat(stored).isEqualTo(TestData.withId(event, stored.id()));
        assertThat(log.findByEventId("no-such-event")).isEmpty();
    }

    @Test
    void queryIsNewestFirstAndIsolatedByWorkspace() {
        List<AuditEvent> acme = appendInOrder(List.of(
                TestData.event("acme", "read_file", "allowed", T0),
                TestData.event("acme", "delete_file", "blocked", T0.plusSeconds(1)),
                TestData.event("acme", "read_file", "warned", T0.plusSeconds(2))));
        appendInOrder(List.of(TestData.event("other", "read_file", "allowed", T0)));

        AuditPage page = log.query(AuditQuery.of("acme"));

        assertThat(page.total()).isEqualTo(3);
        assertThat(page.page()).isEqualTo(1);
        assertThat(page.limit()).isEqualTo(AuditQuery.DEFAULT_LIMIT);
        assertThat(page.events()).extracting(AuditEvent::eventId)
                .containsExactly(acme.get(2).eventId(), acme.get(1).eventId(), acme.get(0).eventId());
        assertThat(log.query(AuditQuery.of("nobody")).events()).isEmpty();
    }

    @Test
    void queryFiltersByDecisionToolAndSince() {
        appendInOrder(List.of(
                TestData.event("acme", "read_file", "allowed", T0),
                TestData.event("acme", "delete_file", "blocked", T0.plusSeconds(10)),
                TestData.event("acme", "read_file", "blocked", T0.plusSeconds(20)),
                TestData.event("other", "read_file", "blocked", T0.plusSeconds(30))));

        assertThat(log.query(AuditQuery.of("acme").withDecision("blocked")).events())
                .extracting(AuditEvent::tool).containsExactly("read_file", "delete_file");
        assertThat(log.query(AuditQuery.of("acme").withTool("read_file")).events())
                .extracting(AuditEvent::decision).containsExactly("blocked", "allowed");
        assertThat(log.query(AuditQuery.of("acme").withSince(T0.plusSeconds(10))).total()).isEqualTo(2);
        AuditPage combined = log.query(AuditQuery.of("acme").withDecision("blocked").withTool("read_file").withSince(T0.plusSeconds(5)));
        assertThat(combined.total()).isEqualTo(1);
        assertThat(combined.events()).singleElement().extracting(AuditEvent::time).isEqualTo(T0.plusSeconds(20));
    }

    @Test
    void pagesSplitTheResultAndTotalCountsEverything() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            events.add(TestData.event("acme", "tool_" + i, "allowed", T0.plusSeconds(i)));
        }
        appendInOrder(events);

        AuditPage first = log.query(AuditQuery.of("acme").withPage(1, 3));
        AuditPage third = log.query(AuditQuery.of("acme").withPage(3, 3));
        AuditPage beyond = log.query(AuditQuery.of("acme").withPage(4, 3));

        assertThat(first.events()).extracting(AuditEvent::tool).containsExactly("tool_6", "tool_5", "tool_4");
        assertThat(third.events()).extracting(AuditEvent::tool).containsExactly("tool_0");
        assertThat(beyond.events()).isEmpty();
        assertThat(List.of(first.total(), third.total(), beyond.total())).containsOnly(7L);
        assertThat(third.page()).isEqualTo(3);
        assertThat(third.limit()).isEqualTo(3);
    }

    @Test
    void queryLimitsAreValidated() {
        assertThatThrownBy(() -> AuditQuery.of("acme").withPage(1, 0)).hasMessage("limit: 0 (expected: 1..1000)");
        assertThatThrownBy(() -> AuditQuery.of("acme").withPage(1, 1001)).hasMessage("limit: 1001 (expected: 1..1000)");
        assertThatThrownBy(() -> AuditQuery.of("acme").withPage(0, 10)).hasMessage("page: 0 (expected: 1 or more)");
    }

    @Test
    void queryBeforeWalksEveryMatchingEventExactlyOnceNewestFirst() {
        List<AuditEvent> events = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            events.add(TestData.event(i % 5 == 0 ? "other" : "acme", "read_file", i % 2 == 0 ? "allowed" : "blocked",
                    T0.plusSeconds(i)));
        }
        log.append(events.subList(0, 10)).join();
        log.append(events.subList(10, 25)).join();

        List<Long> walked = new ArrayList<>();
        Set<String> eventIds = new HashSet<>();
        long before = Long.MAX_VALUE;
        for (List<AuditEvent> batch; !(batch = log.queryBefore(AuditQuery.of("acme"), before, 4)).isEmpty(); ) {
            assertThat(batch.size()).isLessThanOrEqualTo(4);
            batch.forEach(e -> {
                walked.add(e.id());
                eventIds.add(e.eventId());
                assertThat(e.workspace()).isEqualTo("acme");
            });
            before = batch.get(batch.size() - 1).id();
        }

        assertThat(walked).hasSize(20).doesNotHaveDuplicates().isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(eventIds).hasSize(20);
        assertThat(log.queryBefore(AuditQuery.of("acme").withDecision("blocked"), Long.MAX_VALUE, 100))
                .hasSize(log.query(AuditQuery.of("acme").withDecision("blocked")).events().size())
                .allMatch(e -> e.decision().equals("blocked"));
    }

    @Test
    void countByDecisionCountsOneWorkspaceSinceATime() {
        appendInOrder(List.of(
                TestData.event("acme", "a", "allowed", T0),
                TestData.event("acme", "b", "allowed", T0.plusSeconds(10)),
                TestData.event("acme", "c", "blocked", T0.plusSeconds(20)),
                TestData.event("acme", "d", "pending", T0.plusSeconds(30)),
                TestData.event("other", "e", "blocked", T0.plusSeconds(40))));

        assertThat(log.countByDecision("acme", null))
                .containsExactlyInAnyOrderEntriesOf(Map.of("allowed", 2L, "blocked", 1L, "pending", 1L));
        assertThat(log.countByDecision("acme", T0.plusSeconds(10)))
                .containsExactlyInAnyOrderEntriesOf(Map.of("allowed", 1L, "blocked", 1L, "pending", 1L));
        assertThat(log.countByDecision("nobody", null)).isEmpty();
    }
}
