package dev.toolgate.proxy.alerts;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The kinds of delivery target, and which {@code config} field says where each goes. */
public enum DeliveryType {
    EMAIL("to"),
    SLACK("webhook_url"),
    TEAMS("webhook_url"),
    WEBHOOK("url");

    private final String urlField;

    DeliveryType(String urlField) {
        this.urlField = urlField;
    }

    /** The {@code config} field naming the destination. */
    public String urlField() {
        return urlField;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Throws {@link IllegalArgumentException} listing the known types. */
    public static DeliveryType parse(String text) {
        for (DeliveryType type : values()) {
            if (type.wireName().equals(text)) {
                return type;
            }
        }
        throw new IllegalArgumentException("type: '" + text + "' (expected: "
                + Arrays.stream(values()).map(DeliveryType::wireName).collect(Collectors.joining(", ")) + ")");
    }
}
