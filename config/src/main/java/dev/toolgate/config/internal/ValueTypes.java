package dev.toolgate.config.internal;

import dev.toolgate.config.Durability;
import dev.toolgate.config.LinkMode;
import dev.toolgate.config.LogFormat;
import dev.toolgate.config.Role;
import dev.toolgate.policy.Action;
import dev.toolgate.policy.Budget;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The scalar types of {@code toolgate.yaml}; each parser's message names the value and what was expected. */
final class ValueTypes {
    private static final Pattern DURATION_TEXT = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");
    private static final Pattern SIZE_TEXT = Pattern.compile("(\\d{1,18}) ?(B|KB|MB|GB|KiB|MiB|GiB)?");
    private static final Pattern EMAIL_ADDRESS = Pattern.compile("[^@\\s]+@[^@\\s]+");
    private static final Pattern JSON_FIELD_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public static final ValueType<String> STRING = text("a string");

    public static final ValueType<Duration> DURATION = new ValueType<>("a duration", ValueTypes::duration);

    public static final ValueType<Long> SIZE = new ValueType<>("a size", ValueTypes::size);

    public static final ValueType<Boolean> BOOLEAN = new ValueType<>("true or false", ValueTypes::bool);

    public static final ValueType<URI> HTTP_URL = new ValueType<>("a URL", ValueTypes::httpUrl);

    /** Webhook URLs carry their credential, so a bad one is described, never echoed. */
    public static final ValueType<String> WEBHOOK_URL = new ValueType<>("a webhook URL", text -> {
        if (!isHttpUrl(text)) {
            throw new IllegalArgumentException("not an absolute http or https URL (expected: the webhook URL the service gave you)");
        }
        return text;
    });

    /** JDBC URLs often carry a password, so a bad one is described, never echoed. */
    public static final ValueType<String> JDBC_URL = new ValueType<>("a JDBC URL", text -> {
        if (!text.startsWith("jdbc:")) {
            throw new IllegalArgumentException(
                    "not a JDBC URL (expected: jdbc:h2:file:./data/toolgate or jdbc:postgresql://host:5432/toolgate)");
        }
        return text;
    });

    public static final ValueType<String> EMAIL = new ValueType<>("an email address", text -> {
        if (!EMAIL_ADDRESS.matcher(text).matches()) {
            throw new IllegalArgumentException(text + " (expected: an email address such as ops@example.com)");
        }
        return text;
    });

    public static final ValueType<String> JSON_FIELD = new ValueType<>("a JSON field name", text -> {
        if (!JSON_FIELD_NAME.matcher(text).matches()) {
            throw new IllegalArgumentException(text + " (expected: a JSON field name matching [A-Za-z_][A-Za-z0-9_]*)");
        }
        return text;
    });

    public static final ValueType<Action> ACTION = choice(Action.values(), Action::wireName);

    public static final ValueType<Role> ROLE = choice(Role.values(), Role::wireName);

    public static final ValueType<LinkMode> LINK_MODE = choice(LinkMode.values(), LinkMode::wireName);
    public static final ValueType<Durability> DURABILITY = choice(Durability.values(), Durability::wireName);
    public static final ValueType<LogFormat> LOG_FORMAT = choice(LogFormat.values(), LogFormat::wireName);
    public static final ValueType<Budget.Scope> BUDGET_SCOPE = choice(Budget.Scope.values(), Budget.Scope::wireName);

    /** A number above zero, such as 5000 or 99.5 (a budget's max). */
    public static final ValueType<BigDecimal> POSITIVE_NUMBER = new ValueType<>("a positive number", text -> {
        try {
            BigDecimal number = new BigDecimal(text);
            if (number.signum() > 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below, with what is accepted
        }
        throw new IllegalArgumentException(text + " (expected: a positive number such as 5000)");
    });

    /** A listen address, {@code host:port}. */
    public record HostPort(String host, int port) {
    }

    public static final ValueType<HostPort> HOST_PORT = new ValueType<>("a listen address", text -> {
        int colon = text.lastIndexOf(':');
        if (colon > 0) {
            try {
                int port = Integer.parseInt(text.substring(colon + 1));
                if (port >= 0 && port <= 65535) {
                    return new HostPort(text.substring(0, colon), port);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException(text + " (expected: host:port, such as 127.0.0.1:9464)");
    });

    private ValueTypes() {
    }

    /** Any text; the noun says what it is for, in "missing" messages. */
    public static ValueType<String> text(String noun) {
        return new ValueType<>(noun, Function.identity());
    }

    /** A TCP port from {@code min} (0 lets the system pick one) to 65535. */
    public static ValueType<Integer> port(int min) {
        String expected = " (expected: a port number from " + min + " to 65535)";
        return new ValueType<>("a port number", text -> {
            try {
                int port = Integer.parseInt(text);
                if (port >= min && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below, with the accepted range
            }
            throw new IllegalArgumentException(text + expected);
        });
    }

    /** A whole number from {@code min} to {@code max}; the noun says what it counts ("a number of requests"). */
    public static ValueType<Integer> count(String noun, int min, int max) {
        String expected = " (expected: " + noun + " from " + min + " to " + max + ")";
        return new ValueType<>(noun, text -> {
            try {
                int value = Integer.parseInt(text);
                if (value >= min && value <= max) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below, with the accepted range
            }
            throw new IllegalArgumentException(text + expected);
        });
    }

    static <E> ValueType<E> choice(E[] values, Function<E, String> wireName) {
        Map<String, E> byName = new LinkedHashMap<>();
        for (E value : values) {
            byName.put(wireName.apply(value), value);
        }
        String accepted = String.join(", ", byName.keySet());
        List<String> names = List.copyOf(byName.keySet());
        // "agent or admin", "allow, warn, approve or block": the words of a type error or a missing value.
        String noun = names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        return new ValueType<>(noun, text -> {
            E value = byName.get(text);
            if (value == null) {
                throw new IllegalArgumentException(text + " (expected one of: " + accepted + ")");
            }
            return value;
        });
    }

    static Duration duration(String text) {
        Matcher matcher = DURATION_TEXT.matcher(text);
        try {
            if (matcher.matches()) {
                long amount = Long.parseLong(matcher.group(1));
                Duration duration = switch (matcher.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
                if (!duration.isZero()) {
                    return duration;
                }
            }
        } catch (ArithmeticException e) {
            // too long to represent: reported below like any other bad duration
        }
        throw new IllegalArgumentException(text + " (expected: a positive duration such as 30s, 5m, 24h)");
    }

    static long size(String text) {
        Matcher matcher = SIZE_TEXT.matcher(text);
        try {
            if (matcher.matches()) {
                long bytes = Math.multiplyExact(Long.parseLong(matcher.group(1)), unitBytes(matcher.group(2)));
                if (bytes > 0) {
                    return bytes;
                }
            }
        } catch (ArithmeticException e) {
            // too large to represent: reported below like any other bad size
        }
        throw new IllegalArgumentException(text + " (expected: a positive size in bytes, or with a unit such as 512KiB, 10MiB, 1GiB)");
    }

    private static long unitBytes(String unit) {
        if (unit == null) {
            return 1;
        }
        return switch (unit) {
            case "KB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            default -> 1L;
        };
    }

    static boolean bool(String text) {
        // The YAML 1.1 spellings too: SnakeYAML already reads `starttls: yes` as a boolean.
        switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on":
                return true;
            case "false", "no", "off":
                return false;
            default:
                throw new IllegalArgumentException(text + " (expected: true or false)");
        }
    }

    static URI httpUrl(String text) {
        if (isHttpUrl(text)) {
            return URI.create(text);
        }
        throw new IllegalArgumentException(text + " (expected: an absolute http or https URL such as https://api.example.com/v1)");
    }

    private static boolean isHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
