package dev.toolgate.config;

import static dev.toolgate.config.ConfigFiles.ONE_KEY;
import static dev.toolgate.config.ConfigFiles.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code mcp} section: downstream servers by URL or by command. */
class McpConfigTest {
    @TempDir
    Path dir;

    @Test
    void withoutTheSectionThereAreNoDownstreamServers() throws ConfigException {
        assertThat(ConfigFiles.load(dir, ONE_KEY).mcp()).isEqualTo(McpConfig.DEFAULTS);
    }

    @Test
    void serversByUrlAndByCommandAreRead() throws ConfigException {
        Config config = ConfigFiles.load(dir, ONE_KEY + """
                mcp:
                  timeout: 5s
                  servers:
                    - name: files
                      command: npx
                      args: ["-y", "@modelcontextprotocol/server-filesystem", "/data"]
                      env: { LOG_LEVEL: debug }
                    - name: tickets
                      url: "https://mcp.example.com/mcp"
                      headers: { Authorization: "Bearer tickets-secret" }
                """);

        assertThat(config.mcp().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.mcp().servers()).containsExactly(
                McpServerConfig.stdio("files", List.of("npx", "-y", "@modelcontextprotocol/server-filesystem", "/data"),
                        Map.of("LOG_LEVEL", "debug")),
                McpServerConfig.http("tickets", URI.create("https://mcp.example.com/mcp"), Map.of("Authorization", "Bearer tickets-secret")));
        assertThat(config.mcp().toString()).doesNotContain("tickets-secret").doesNotContain("debug");
    }

    @Test
    void badServersAreReportedWithTheirPlace() {
        assertThat(problems(dir, ONE_KEY + """
                mcp:
                  servers:
                    - { name: Files.Server, command: npx }
                    - { name: both, command: npx, url: "http://localhost:1/mcp" }
                    - { name: neither }
                    - { name: dup, command: a }
                    - { name: dup, command: b }
                    - { name: web, url: "http://localhost:1/mcp", args: [x] }
                """)).hasSize(5)
                .anySatisfy(problem -> assertThat(problem).contains("mcp.servers[0].name").contains("lower-case"))
                .anySatisfy(problem -> assertThat(problem).contains("mcp.servers[1]").contains("both url and command"))
                .anySatisfy(problem -> assertThat(problem).contains("mcp.servers[2]").contains("neither url nor command"))
                .anySatisfy(problem -> assertThat(problem).contains("mcp.servers[4].name").contains("duplicate"))
                .anySatisfy(problem -> assertThat(problem).contains("mcp.servers[5].args").contains("only with command"));
    }
}
