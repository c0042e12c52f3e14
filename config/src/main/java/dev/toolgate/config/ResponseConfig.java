package dev.toolgate.config;

/**
 * The {@code response} section.
 *
 * @param metadataField the JSON field the gateway adds to rewritten responses ({@code _trustloop} for drop-in compatibility)
 */
public record ResponseConfig(String metadataField) {

    /** The section as it is when {@code toolgate.yaml} leaves it out. */
    public static final ResponseConfig DEFAULTS = new ResponseConfig("_toolgate");
}
