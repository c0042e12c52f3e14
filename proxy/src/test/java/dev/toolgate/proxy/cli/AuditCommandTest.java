package dev.toolgate.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.toolgate.proxy.api.CsvRows;
import dev.toolgate.proxy.testing.TestGateway;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import okhttp3.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code toolgate audit verify|export}: the audit a real gateway wrote, read offline from its database. */
class AuditCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_UPSTREAM = "http://127.0.0.1:9/v1";

    private final String storageUrl = "jdbc:h2:mem:audit-cli-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    /** Event ids, oldest first. */
    private final List<String> ids = new ArrayList<>();

    @TempDir
    Path dir;

    /** Allowed, warned and blocked in workspace default; one call in workspace other. */
    @BeforeEach
    void decideThroughTheGateway() throws IOException {
        try (TestGateway gateway = TestGateway.builder(NO_UPSTREAM).storage(storageUrl).start()) {
            ids.add(intercept(gateway, TestGateway.AGENT_KEY, "read_file", "{\"path\":\"/srv/a.txt\"}"));
            ids.add(intercept(gateway, TestGateway.AGENT_KEY, "read_file", "{\"path\":\"/app/.env\"}"));
            ids.add(intercept(gateway, TestGateway.AGENT_KEY, "delete_file", "{\"path\":\"/srv/a.txt\"}"));
            intercept(gateway, TestGateway.OTHER_WORKSPACE_ADMIN_KEY, "read_file", "{\"path\":\"/home/notes.txt\"}");
        }
    }

    @Test
    void verifyFindsAnIntactChainInEveryWorkspace() {
        CommandRun run = CommandRun.toolgate("audit", "verify", "--storage", storageUrl);

        assertThat(run.exitCode()).as(run.printed()).isZero();
        // The URL without its parameters: one may carry a password.
        assertThat(run.out()).isEqualTo("Audit chain intact: 4 events (every workspace, " + storageUrl.substring(0, storageUrl.indexOf(';'))
                + ").\n");
    }

    @Test
    void verifyNamesTheFirstEditedEventAndExitsOne() throws SQLException {
        execute("UPDATE audit_events SET tool = 'read_file' WHERE event_id = ?", ids.get(2));

        CommandRun run = CommandRun.toolgate("audit", "verify", "--storage", storageUrl, "--workspace", "default");

        assertThat(run.exitCode()).as(run.printed()).isEqualTo(1);
        assertThat(run.out()).startsWith("Audit chain BROKEN at event " + ids.get(2) + ": ")
                .contains("Intact before it: 2 events (workspace default, ");
    }

    @Test
    void exportWritesTheCsvOfTheLogsExport() {
        CommandRun run = CommandRun.toolgate("audit", "export", "--storage", storageUrl);

        assertThat(run.exitCode()).as(run.printed()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(run.out()).startsWith(CsvRows.HEADER);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).contains("," + ids.get(2) + ",default,support-bot,intercept,delete_file,,blocked,no-deletes,");
        assertThat(lines.get(3)).contains("," + ids.get(0) + ",");
    }

    @Test
    void exportWritesJsonLinesOfAnotherWorkspaceToAFile() throws IOException {
        Path output = dir.resolve("other.jsonl");

        CommandRun run = CommandRun.toolgate("audit", "export", "--storage", storageUrl, "--format", "jsonl", "--workspace", "other",
                "--output", output.toString());

        assertThat(run.exitCode()).as(run.printed()).isZero();
        assertThat(run.err()).isEqualTo("Exported 1 event of workspace other to " + output + ".\n");
        List<String> lines = Files.readAllLines(output);
        assertThat(lines).hasSize(1);
        JsonNode event = JSON.readTree(lines.get(0));
        assertThat(event.path("agent").asText()).isEqualTo("other-ops");
        assertThat(event.path("status").asText()).isEqualTo("allowed");
        assertThat(event.path("arguments").path("path").asText()).isEqualTo("/home/notes.txt");
    }

    @Test
    void theDatabaseMayComeFromAConfigFile() throws IOException {
        Path config = ConfigFiles.write(dir, "toolgate.yaml", storageUrl, TestGateway.STANDARD_RULES);

        CommandRun run = CommandRun.toolgate("audit", "export", "--config", config.toString(), "--format", "jsonl");

        assertThat(run.exitCode()).as(run.printed()).isZero();
        assertThat(run.out().lines()).hasSize(3);
    }

    @Test
    void withoutStorageOrConfigTheCommandSaysWhatIsMissing() {
        CommandRun run = CommandRun.toolgate("audit", "verify");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Missing --storage URL or --config FILE");
    }

    @Test
    void anUnknownFormatIsRefused() {
        CommandRun run = CommandRun.toolgate("audit", "export", "--storage", storageUrl, "--format", "xml");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("--format: 'xml' (expected: csv or jsonl)");
    }

    private static String intercept(TestGateway gateway, String key, String tool, String argumentsJson) throws IOException {
        String body = "{\"tool_name\":\"" + tool + "\",\"arguments\":" + argumentsJson + "}";
        try (Response response = gateway.post("/api/intercept", key, body)) {
            JsonNode answer = JSON.readTree(response.body().string());
            assertThat(response.code()).as(answer.toString()).isEqualTo(200);
            return answer.path("decision_id").asText();
        }
    }

    private void execute(String sql, String eventId) throws SQLException {
        try (Connection connection = DriverManager.getConnection(storageUrl, "sa", "");
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, eventId);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
    }
}
