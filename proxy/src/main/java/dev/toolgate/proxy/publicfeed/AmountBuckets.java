package dev.toolgate.proxy.publicfeed;

import com.fasterxml.jackson.databind.JsonNode;
import dev.toolgate.proxy.server.Json;

/** A call's {@code amount} as a coarse bucket: the public sees the order of magnitude, never the figure. */
final class AmountBuckets {
    /** Arguments longer than this are not read for an amount (the audit log may have cut them short anyway). */
    private static final int MAX_READ_CHARS = 16 * 1024;

    private AmountBuckets() {
    }

    /** The bucket of the top-level numeric {@code amount} in {@code arguments} (JSON text), or null. */
    static String of(String arguments) {
        if (arguments == null || arguments.length() > MAX_READ_CHARS || !arguments.contains("\"amount\"")) {
            return null;
        }
        JsonNode amount;
        try {
            amount = Json.MAPPER.readTree(arguments).path("amount");
        } catch (java.io.IOException | RuntimeException unreadable) {
            return null;
        }
        return amount.isNumber() ? bucket(Math.abs(amount.doubleValue())) : null;
    }

    static String bucket(double amount) {
        if (amount < 100) {
            return "<100";
        }
        if (amount < 1_000) {
            return "100-1k";
        }
        if (amount < 10_000) {
            return "1k-10k";
        }
        return ">10k";
    }
}
