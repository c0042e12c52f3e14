package dev.toolgate.proxy.mcp;

import dev.toolgate.proxy.testing.DemoMcpServer;
import org.junit.jupiter.api.AfterEach;

/** The gateway in front of an MCP server reached over Streamable HTTP. */
class McpGatewayHttpTest extends McpGatewayContract {
    private DemoMcpServer.Http server;

    @Override
    protected String serverYaml() {
        server = DemoMcpServer.http();
        return "    - name: files\n      url: \"" + server.url() + "\"\n";
    }

    @Override
    protected boolean restartsAfterCrash() {
        return false;
    }

    @AfterEach
    void stopServer() {
        server.close();
    }
}
