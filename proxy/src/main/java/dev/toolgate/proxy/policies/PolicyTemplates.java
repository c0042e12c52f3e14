package dev.toolgate.proxy.policies;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The built-in starting configurations, {@code templates/NAME.yaml} in the jar: each a complete
 * {@code toolgate.yaml} that {@code toolgate validate} accepts, for {@code toolgate init} and
 * {@code GET /api/policies/templates}. Named here, not found by listing, since a jar cannot be listed portably.
 */
public final class PolicyTemplates {
    /** Template names, in the order they are listed. */
    public static final List<String> NAMES = List.of("engineering", "support", "finance", "cloud", "external-messaging");

    private PolicyTemplates() {
    }

    /** The template's YAML; empty for an unknown name. */
    public static Optional<String> content(String name) {
        if (!NAMES.contains(name)) {
            return Optional.empty();
        }
        try (InputStream in = PolicyTemplates.class.getResourceAsStream("/templates/" + name + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("template " + name + " is missing from the jar");
            }
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read template " + name, e);
        }
    }

    /** The first line of the template, a comment saying what it is for. */
    public static String summary(String name) {
        String first = content(name).orElseThrow().lines().findFirst().orElse("");
        return first.startsWith("#") ? first.substring(1).strip() : "";
    }
}
