package dev.toolgate.proxy.testing;

import dev.toolgate.config.Config;
import dev.toolgate.config.ConfigLoader;
import dev.toolgate.proxy.Gateway;
import dev.toolgate.storage.testing.TestDatabases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The real gateway on a random port, configured from YAML the way an operator would, with an
 * OkHttp client for requests. Storage is a private in-memory H2 unless a URL is given.
 */
public final class TestGateway implements AutoCloseable {
    public static final String AGENT_KEY = "agent-key-0123456789";
    public static final String ADMIN_KEY = "admin-key-0123456789";
    /** An admin of workspace "other": must see nothing of workspace "default". */
    public static final String OTHER_WORKSPACE_ADMIN_KEY = "other-admin-key-0123456789";
    public static final String PUBLIC_URL = "http://toolgate.test";
    public static final MediaType JSON = MediaType.get("application/json");

    /** Rules used across the proxy tests: one of each action. */
    public static final String STANDARD_RULES = """
            policy:
              default: allow
              on_error: block
              blocked_tools: [drop_database]
            rules:
              - id: no-deletes
                description: Block all file deletions
                tools: [delete_file]
                action: block
              - id: big-transfers
                description: Any wire transfer over 1000 needs approval
                tools: [wire_transfer]
                when: "has(args.amount) && args.amount > 1000"
                action: approve
                approver_email: finance@example.com
              - id: env-files
                description: Reading .env files is watched
                tools: [read_file]
                when: "args.path.endsWith('.env')"
                action: warn
            """;

    private final Gateway gateway;
    private final OkHttpClient http = new OkHttpClient.Builder()
            .readTimeout(Duration.ofSeconds(30))
            .retryOnConnectionFailure(false)
            .build();

    private TestGateway(Gateway gateway) {
        this.gateway = gateway;
    }

    public static TestGateway start(String upstreamBaseUrl) {
        return start(upstreamBaseUrl, STANDARD_RULES, memoryStorage(), "");
    }

    /**
     * A fresh private database: in-memory H2, or a fresh PostgreSQL schema in the build's PostgreSQL
     * test run ({@link TestDatabases}).
     */
    public static String memoryStorage() {
        return TestDatabases.freshUrl();
    }

    /** {@code extraYaml} adds top-level sections (limits, response...). */
    public static TestGateway start(String upstreamBaseUrl, String policyYaml, String storageUrl, String extraYaml) {
        return start(upstreamBaseUrl, "", policyYaml, storageUrl, extraYaml);
    }

    /** As above, with the gateway's own provider key ({@code upstream.api_key}). */
    public static TestGateway start(String upstreamBaseUrl, String upstreamApiKey, String policyYaml, String storageUrl,
                                    String extraYaml) {
        return builder(upstreamBaseUrl).upstreamApiKey(upstreamApiKey).policy(policyYaml).storage(storageUrl).extra(extraYaml).start();
    }

    public static Builder builder(String upstreamBaseUrl) {
        return new Builder(upstreamBaseUrl);
    }

    /** A gateway configured section by section; anything not set is as in {@link #start(String)}. */
    public static final class Builder {
        private final String upstreamBaseUrl;
        private String upstreamApiKey = "";
        private String policyYaml = STANDARD_RULES;
        private String storageUrl = memoryStorage();
        private String extraYaml = "";
        private String keysYaml = """
                keys:
                  - { name: support-bot, key: %s, role: agent }
                  - { name: ops, key: %s, role: admin }
                  - { name: other-ops, key: %s, role: admin, workspace: other }
                """.formatted(AGENT_KEY, ADMIN_KEY, OTHER_WORKSPACE_ADMIN_KEY);
        private Clock clock = Clock.systemUTC();
        private String serverSettings = "";
        private String storageSettings = "";
        private String upstreamSettings = "";

        private Builder(String upstreamBaseUrl) {
            this.upstreamBaseUrl = upstreamBaseUrl;
        }

        public Builder upstreamApiKey(String key) {
            this.upstreamApiKey = key;
            return this;
        }

        public Builder policy(String yaml) {
            this.policyYaml = yaml;
            return this;
        }

        public Builder storage(String url) {
            this.storageUrl = url;
            return this;
        }

        /** Further top-level sections (limits, approvals, notifications...). */
        public Builder extra(String yaml) {
            this.extraYaml = this.extraYaml + yaml;
            return this;
        }

        /** Replaces the keys section (by default: support-bot, ops and other-ops with the keys above). */
        public Builder keys(String yaml) {
            this.keysYaml = yaml;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Adds a setting to the server section, such as {@code serverSetting("request_timeout", "1s")}. */
        public Builder serverSetting(String key, String value) {
            this.serverSettings = this.serverSettings + "  " + key + ": " + value + "\n";
            return this;
        }

        /** Adds YAML to the upstream section (fallbacks, conditions, health_check), each line indented by two spaces. */
        public Builder upstreamSettings(String yaml) {
            this.upstreamSettings = this.upstreamSettings + yaml;
            return this;
        }

        /** Adds a setting to the storage section, such as {@code storageSetting("timeout", "1s")}. */
        public Builder storageSetting(String key, String value) {
            this.storageSettings = this.storageSettings + "  " + key + ": " + value + "\n";
            return this;
        }

        public TestGateway start() {
            String yaml = """
                    server:
                      host: 127.0.0.1
                      port: 0
                      public_url: "%s"
                    %supstream:
                      base_url: "%s"
                      api_key: "%s"
                      timeout: 2s
                      connect_timeout: 1s
                    %sstorage:
                      url: "%s"
                    %s""".formatted(PUBLIC_URL, serverSettings, upstreamBaseUrl, upstreamApiKey, upstreamSettings, storageUrl,
                    storageSettings)
                    + keysYaml + policyYaml + extraYaml;
            try {
                Path file = Files.createTempFile("toolgate", ".yaml");
                Files.writeString(file, yaml);
                Config config = ConfigLoader.load(file, Map.of());
                Files.delete(file);
                return new TestGateway(Gateway.start(config, clock));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Exception e) {
                throw new IllegalStateException("test gateway did not start", e);
            }
        }
    }

    /**
     * Links the gateway builds (approval links, approval URLs) start with {@link #PUBLIC_URL}; this
     * points one at the running test server instead.
     */
    public String local(String publicLink) {
        if (!publicLink.startsWith(PUBLIC_URL)) {
            throw new IllegalArgumentException("not a gateway link: " + publicLink);
        }
        return baseUrl() + publicLink.substring(PUBLIC_URL.length());
    }

    public Gateway gateway() {
        return gateway;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + gateway.port();
    }

    public OkHttpClient http() {
        return http;
    }

    public Response post(String path, String key, String json) throws IOException {
        Request.Builder request = new Request.Builder().url(baseUrl() + path).post(RequestBody.create(json, JSON));
        if (key != null) {
            request.header("x-api-key", key);
        }
        return http.newCall(request.build()).execute();
    }

    public Response get(String path, String key) throws IOException {
        Request.Builder request = new Request.Builder().url(baseUrl() + path).get();
        if (key != null) {
            request.header("x-api-key", key);
        }
        return http.newCall(request.build()).execute();
    }

    public Response delete(String path, String key) throws IOException {
        return http.newCall(new Request.Builder().url(baseUrl() + path).delete().header("x-api-key", key).build()).execute();
    }

    @Override
    public void close() {
        gateway.close();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        try {
            http.dispatcher().executorService().awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
