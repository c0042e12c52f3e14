package dev.toolgate.proxy.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.toolgate.proxy.arguments.CanonicalArguments;
import dev.toolgate.proxy.server.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments a standing approval lets through, relative to the approved call: per named
 * top-level argument {@code min}/{@code max} (numbers) or {@code equals}/{@code one_of}
 * (strings, numbers, booleans); every argument the bounds do not name must keep the approved
 * call's value, and no argument may be added or left out. No bounds: the same arguments only.
 * Never wider than what the approver saw, whatever is asked.
 */
public final class StandingBounds {
    private static final Set<String> KEYS = Set.of("min", "max", "equals", "one_of");
    private static final int MAX_CHOICES = 100;

    private final ObjectNode bounds;
    private final String baseCanonical;
    private final ObjectNode base;

    private StandingBounds(ObjectNode bounds, String baseCanonical, ObjectNode base) {
        this.bounds = bounds;
        this.baseCanonical = baseCanonical;
        this.base = base;
    }

    /**
     * Validates {@code bounds} (missing or null: the same arguments) against the approved call's
     * canonical arguments; throws {@link IllegalArgumentException} naming the field and what was expected.
     */
    public static StandingBounds parse(JsonNode bounds, String baseCanonical) {
        ObjectNode checked = Json.object();
        if (bounds == null || bounds.isMissingNode() || bounds.isNull()) {
            return new StandingBounds(checked, baseCanonical, objectOrNull(baseCanonical));
        }
        if (!bounds.isObject()) {
            throw new IllegalArgumentException("standing.bounds: " + bounds + " (expected: an object of argument name to"
                    + " {min, max} or {equals} or {one_of})");
        }
        ObjectNode base = objectOrNull(baseCanonical);
        if (base == null && bounds.size() > 0) {
            throw new IllegalArgumentException("standing.bounds: the approved call's arguments are not a JSON object,"
                    + " so only the same arguments can be approved (expected: no bounds)");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = bounds.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String field = "standing.bounds." + entry.getKey();
            if (!base.has(entry.getKey())) {
                throw new IllegalArgumentException(field + ": the approved call has no argument '" + entry.getKey()
                        + "' (expected: one of " + fieldNames(base) + ")");
            }
            checked.set(entry.getKey(), bound(field, entry.getValue()));
        }
        return new StandingBounds(checked, baseCanonical, base);
    }

    /** Re-reads bounds stored by {@link #json}. */
    public static StandingBounds stored(String bounds, String baseCanonical) {
        try {
            return parse(Json.MAPPER.readTree(bounds), baseCanonical);
        } catch (IOException e) {
            throw new IllegalStateException("stored standing approval bounds are not JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode bound(String field, JsonNode bound) {
        if (!bound.isObject() || bound.size() == 0) {
            throw new IllegalArgumentException(field + ": " + bound + " (expected: an object with min and/or max, or equals, or one_of)");
        }
        for (Iterator<String> names = bound.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                throw new IllegalArgumentException(field + "." + name + ": unknown (expected: min, max, equals or one_of)");
            }
        }
        boolean range = bound.has("min") || bound.has("max");
        int kinds = (range ? 1 : 0) + (bound.has("equals") ? 1 : 0) + (bound.has("one_of") ? 1 : 0);
        if (kinds > 1) {
            throw new IllegalArgumentException(field + ": " + bound + " (expected: min and/or max, or equals, or one_of; not several)");
        }
        for (String limit : List.of("min", "max")) {
            if (bound.has(limit) && !bound.get(limit).isNumber()) {
                throw new IllegalArgumentException(field + "." + limit + ": " + bound.get(limit) + " (expected: a number)");
            }
        }
        if (bound.has("min") && bound.has("max") && bound.get("min").decimalValue().compareTo(bound.get("max").decimalValue()) > 0) {
            throw new IllegalArgumentException(field + ": min " + bound.get("min") + " is above max " + bound.get("max"));
        }
        if (bound.has("equals") && !scalar(bound.get("equals"))) {
            throw new IllegalArgumentException(field + ".equals: " + bound.get("equals") + " (expected: a string, number or boolean)");
        }
        if (bound.has("one_of")) {
            JsonNode choices = bound.get("one_of");
            if (!choices.isArray() || choices.isEmpty() || choices.size() > MAX_CHOICES) {
                throw new IllegalArgumentException(field + ".one_of: " + choices + " (expected: a list of 1 to " + MAX_CHOICES
                        + " strings, numbers or booleans)");
            }
            for (JsonNode choice : choices) {
                if (!scalar(choice)) {
                    throw new IllegalArgumentException(field + ".one_of: " + choice + " (expected: a string, number or boolean)");
                }
            }
        }
        return bound.deepCopy();
    }

    private static boolean scalar(JsonNode node) {
        return node.isTextual() || node.isNumber() || node.isBoolean();
    }

    private static ObjectNode objectOrNull(String canonical) {
        try {
            return Json.MAPPER.readTree(canonical) instanceof ObjectNode object ? object : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private static List<String> fieldNames(ObjectNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The bounds as stored and shown: {@code {}} for the same arguments only. */
    public ObjectNode json() {
        return bounds.deepCopy();
    }

    /** Whether a call with these (raw) arguments is within the bounds. */
    public boolean allows(String arguments) {
        String canonical = CanonicalArguments.of(arguments);
        if (bounds.isEmpty()) {
            return canonical.equals(baseCanonical);
        }
        ObjectNode call = objectOrNull(canonical);
        if (call == null || base == null || !fieldNames(call).equals(fieldNames(base))) {
            return false;
        }
        for (String name : fieldNames(base)) {
            JsonNode value = call.get(name);
            JsonNode bound = bounds.get(name);
            if (bound == null ? !same(value, base.get(name)) : !within(value, bound)) {
                return false;
            }
        }
        return true;
    }

    private static boolean within(JsonNode value, JsonNode bound) {
        if (bound.has("equals")) {
            return same(value, bound.get("equals"));
        }
        if (bound.has("one_of")) {
            for (JsonNode choice : bound.get("one_of")) {
                if (same(value, choice)) {
                    return true;
                }
            }
            return false;
        }
        if (!value.isNumber()) {
            return false;
        }
        BigDecimal number = value.decimalValue();
        return (!bound.has("min") || number.compareTo(bound.get("min").decimalValue()) >= 0)
                && (!bound.has("max") || number.compareTo(bound.get("max").decimalValue()) <= 0);
    }

    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }
}
