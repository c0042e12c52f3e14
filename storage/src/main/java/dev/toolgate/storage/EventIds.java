package dev.toolgate.storage;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Audit event ids: UUID version 7 (RFC 9562), a millisecond timestamp followed by random bits.
 * Ids made close in time sort close together, so each new event lands at the end of the unique
 * index on {@code event_id} instead of in a random page of it: with random (version 4) ids every
 * commit would rewrite one index page per event.
 * The ids stay unguessable enough for what they are (references, not secrets).
 */
public final class EventIds {
    private static final long VERSION_7 = 0x7000L;
    private static final long VARIANT_RFC = 0x8000_0000_0000_0000L;

    private EventIds() {
    }

    public static String next() {
        return of(System.currentTimeMillis(), ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong());
    }

    static String of(long unixMillis, long randomA, long randomB) {
        long high = (unixMillis << 16) | VERSION_7 | (randomA & 0x0FFFL);
        long low = VARIANT_RFC | (randomB & 0x3FFF_FFFF_FFFF_FFFFL);
        return new UUID(high, low).toString();
    }
}
