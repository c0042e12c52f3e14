package dev.toolgate.config;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One downstream MCP server: reached over Streamable HTTP at {@code url} (with {@code headers},
 * e.g. its own credentials), or over stdio by starting {@code command} (the program and its
 * arguments) with {@code env} added to the gateway's environment. Exactly one of the two is set.
 */
public record McpServerConfig(String name, URI url, Map<String, String> headers, List<String> command, Map<String, String> env) {
    public McpServerConfig {
        headers = Map.copyOf(headers);
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }

    public static McpServerConfig http(String name, URI url, Map<String, String> headers) {
        return new McpServerConfig(name, url, headers, List.of(), Map.of());
    }

    public static McpServerConfig stdio(String name, List<String> command, Map<String, String> env) {
        return new McpServerConfig(name, null, Map.of(), command, env);
    }

    public boolean isStdio() {
        return url == null;
    }

    @Override
    public String toString() {
        // Header and environment values are credentials more often than not: names only.
        return "McpServerConfig[name=" + name + (isStdio() ? ", command=" + command + ", env=" + masked(env)
                : ", url=" + url + ", headers=" + masked(headers)) + "]";
    }

    private static String masked(Map<String, String> values) {
        return values.keySet().stream().sorted().map(key -> key + "=***").collect(Collectors.joining(", ", "{", "}"));
    }
}
