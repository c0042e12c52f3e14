package dev.toolgate.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A throttled agent's rate: at most {@code calls} tool calls in any {@code per}; written {@code 10/m}, {@code 100/h}, {@code 5/30s}. */
public record ThrottleRate(int calls, Duration per) {
    /** Beyond this a throttle holds nothing back, and the calls it remembers would cost memory. */
    public static final int MAX_CALLS = 100_000;
    private static final Duration MAX_PER = Duration.ofDays(1);
    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})/(\\d{0,9})(s|m|h)");
    static final String EXPECTED = "a rate such as 10/m, 100/h or 5/30s: calls from 1 to " + MAX_CALLS
            + " per 1s to 24h";

    public ThrottleRate {
        if (calls < 1 || calls > MAX_CALLS || per == null || per.compareTo(Duration.ofSeconds(1)) < 0 || per.compareTo(MAX_PER) > 0) {
            throw new IllegalArgumentException(calls + "/" + per + " (expected: " + EXPECTED + ")");
        }
    }

    /** Reads {@code 10/m}; the exception's message says what was expected. */
    public static ThrottleRate parse(String text) {
        Matcher matcher = TEXT.matcher(text == null ? "" : text.trim());
        if (matcher.matches()) {
            long calls = Long.parseLong(matcher.group(1));
            long amount = matcher.group(2).isEmpty() ? 1 : Long.parseLong(matcher.group(2));
            Duration per = switch (matcher.group(3)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
            if (calls >= 1 && calls <= MAX_CALLS && amount >= 1 && per.compareTo(MAX_PER) <= 0) {
                return new ThrottleRate((int) calls, per);
            }
        }
        throw new IllegalArgumentException(text + " (expected: " + EXPECTED + ")");
    }

    /** The written form: {@code 10/m}, {@code 5/30s}. */
    @Override
    public String toString() {
        long seconds = per.toSeconds();
        if (seconds % 3600 == 0) {
            return calls + "/" + (seconds == 3600 ? "" : String.valueOf(seconds / 3600)) + "h";
        }
        if (seconds % 60 == 0) {
            return calls + "/" + (seconds == 60 ? "" : String.valueOf(seconds / 60)) + "m";
        }
        return calls + "/" + (seconds == 1 ? "" : String.valueOf(seconds)) + "s";
    }
}
