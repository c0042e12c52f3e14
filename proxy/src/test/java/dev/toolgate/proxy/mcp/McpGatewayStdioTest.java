package dev.toolgate.proxy.mcp;

import dev.toolgate.proxy.testing.DemoMcpServer;
import java.util.List;
import java.util.stream.Collectors;

/** The gateway in front of an MCP server it starts as a child process and speaks to over stdio. */
class McpGatewayStdioTest extends McpGatewayContract {
    @Override
    protected String serverYaml() {
        List<String> command = DemoMcpServer.stdioCommand();
        return "    - name: files\n      command: \"" + command.get(0) + "\"\n      args: ["
                + command.subList(1, command.size()).stream().map(arg -> "\"" + arg + "\"").collect(Collectors.joining(", ")) + "]\n";
    }

    @Override
    protected boolean restartsAfterCrash() {
        return true;
    }
}
