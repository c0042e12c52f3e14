package dev.toolgate.config.internal;

import dev.toolgate.config.McpConfig;
import dev.toolgate.config.McpServerConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Binds the {@code mcp} section: the downstream MCP servers, each by {@code url} (Streamable HTTP,
 * optional {@code headers}) or by {@code command} and {@code args} (stdio, optional {@code env}).
 */
final class McpBinder {
    static final List<String> KEYS = List.of("servers", "timeout");
    private static final List<String> FIELDS = List.of("name", "url", "headers", "command", "args", "env");
    /** A path segment and the prefix of {@code {server}.{tool}}: no dots, nothing to escape. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final String EXAMPLE = "{ name: files, command: npx, args: [\"-y\", \"@modelcontextprotocol/server-filesystem\", \"/data\"] }"
            + " or { name: tickets, url: \"https://mcp.example.com/mcp\" }";

    private static final ValueType<String> SERVER_NAME = new ValueType<>("a server name such as files", text -> {
        if (!NAME.matcher(text).matches()) {
            throw new IllegalArgumentException(text + " (expected: lower-case letters, digits, _ and -, such as files;"
                    + " it becomes the path /mcp/" + "<name> and the prefix of <name>.<tool> in rules)");
        }
        return text;
    });

    private final NodeReader reader;

    McpBinder(NodeReader reader) {
        this.reader = reader;
    }

    McpConfig bind(MappingReader section) {
        List<Node> entries = reader.sequence(section.node("servers"), section.path("servers"), "a list of MCP servers such as " + EXAMPLE);
        List<McpServerConfig> servers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; entries != null && i < entries.size(); i++) {
            String path = MappingReader.element(section.path("servers"), i);
            MappingReader entry = reader.mapping(entries.get(i), path, FIELDS);
            McpServerConfig server = entry == null ? null : server(entry);
            if (server != null && !names.add(server.name())) {
                reader.problems().add(entry.node("name"), entry.path("name"), "duplicate MCP server name '" + server.name() + "'");
            } else if (server != null) {
                servers.add(server);
            }
        }
        return new McpConfig(servers, section.get("timeout", ValueTypes.DURATION, McpConfig.DEFAULT_TIMEOUT));
    }

    private McpServerConfig server(MappingReader entry) {
        String name = entry.require("name", SERVER_NAME);
        boolean http = entry.has("url");
        boolean stdio = entry.has("command");
        if (http == stdio) {
            reader.problems().add(entry.mark(), entry.path(), (http ? "both url and command set" : "neither url nor command set")
                    + " (expected: one of them, such as " + EXAMPLE + ")");
            return null;
        }
        if (http) {
            for (String stdioOnly : List.of("args", "env")) {
                if (entry.has(stdioOnly)) {
                    reader.problems().add(entry.node(stdioOnly), entry.path(stdioOnly), "set for a server reached by url (expected: only with command)");
                }
            }
            URI url = entry.require("url", ValueTypes.HTTP_URL);
            Map<String, String> headers = strings(entry, "headers");
            return name == null || url == null || headers == null ? null : McpServerConfig.http(name, url, headers);
        }
        if (entry.has("headers")) {
            reader.problems().add(entry.node("headers"), entry.path("headers"), "set for a server started by command (expected: only with url)");
        }
        String program = entry.require("command", ValueTypes.text("the program that runs the server, such as npx"));
        List<String> args = entry.strings("args", "a list of arguments", "an argument", false);
        Map<String, String> env = strings(entry, "env");
        if (name == null || program == null || env == null) {
            return null;
        }
        List<String> command = new ArrayList<>();
        command.add(program);
        command.addAll(args == null ? List.of() : args);
        return McpServerConfig.stdio(name, command, env);
    }

    /** A mapping of names to strings (headers, environment variables); values may use ${ENV}. Null when unusable (reported). */
    private Map<String, String> strings(MappingReader entry, String key) {
        Node node = entry.node(key);
        Map<String, String> values = new LinkedHashMap<>();
        if (node == null || NodeReader.isNull(node)) {
            return values;
        }
        if (!(node instanceof MappingNode mapping)) {
            reader.problems().add(node, entry.path(key), "expected a mapping of names to values, got " + NodeReader.describe(node));
            return null;
        }
        boolean usable = true;
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode name) || name.getValue().isBlank()) {
                reader.problems().add(tuple.getKeyNode(), entry.path(key), "expected a plain name");
                usable = false;
                continue;
            }
            String path = MappingReader.child(entry.path(key), name.getValue());
            String value = reader.text(tuple.getValueNode(), path, "a string");
            if (value == null) {
                usable = false;
            } else {
                values.put(name.getValue(), value);
            }
        }
        return usable ? values : null;
    }
}
