package dev.toolgate.config;

import java.time.Duration;
import java.util.List;

/**
 * The {@code mcp} section: the MCP servers Toolgate stands in front of, each exposed to clients at
 * {@code /mcp/{name}} with every {@code tools/call} decided by the gate first.
 *
 * @param timeout how long a downstream server may take to answer one request
 */
public record McpConfig(List<McpServerConfig> servers, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final McpConfig DEFAULTS = new McpConfig(List.of(), DEFAULT_TIMEOUT);

    public McpConfig {
        servers = List.copyOf(servers);
    }
}
