package dev.toolgate.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void idsAreVersion7UuidsWithTheirMillisecondFirst() {
        long now = System.currentTimeMillis();
        UUID id = UUID.fromString(EventIds.next());

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isBetween(now - 1_000, now + 1_000);
    }

    @Test
    void laterIdsSortAfterEarlierOnesAsText() {
        String earlier = EventIds.of(1_763_800_000_000L, -1, -1);
        String later = EventIds.of(1_763_800_000_001L, 0, 0);

        assertThat(later).isGreaterThan(earlier);
        assertThat(earlier).startsWith("019a").hasSize(36);
    }

    @Test
    void idsMadeInTheSameMillisecondDiffer() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(EventIds.next());
        }
        assertThat(ids).hasSize(10_000);
    }
}
