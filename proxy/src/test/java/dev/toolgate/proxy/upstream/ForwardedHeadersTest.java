package dev.toolgate.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** RFC 9110 §7.6.1: hop-by-hop headers, and those a message names in Connection, never cross; names match in any case. */
class ForwardedHeadersTest {
    private static final ProviderRoute OPENAI = ProviderRoute.openAi(URI.create("https://api.openai.com/v1"), "");
    private static final ProviderRoute ANTHROPIC = ProviderRoute.anthropic(URI.create("https://api.anthropic.com"), "");

    @Test
    void hopByHopHeadersStayOnTheirHopInAnyCase() {
        HttpHeaders client = new DefaultHttpHeaders()
                .add("Connection", "keep-alive")
                .add("Keep-Alive", "timeout=5")
                .add("TE", "trailers")
                .add("Transfer-Encoding", "chunked")
                .add("Proxy-Authorization", "Basic c2VjcmV0")
                .add("Upgrade", "h2c")
                .add("Host", "gateway.local")
                .add("Content-Length", "12")
                .add("Content-Type", "application/json")
                .add("OpenAI-Organization", "org-1");

        HttpHeaders out = ForwardedHeaders.toUpstream(client, ANTHROPIC);

        assertThat(out.names()).containsExactlyInAnyOrder("Content-Type", "OpenAI-Organization");
    }

    @Test
    void headersListedInConnectionAreDroppedToo() {
        HttpHeaders upstream = new DefaultHttpHeaders()
                .add("connection", "X-Trace-Hop, close")
                .add("Connection", "x-second")
                .add("x-trace-hop", "1")
                .add("X-SECOND", "2")
                .add("x-request-id", "req-1")
                .add("content-length", "42");

        assertThat(ForwardedHeaders.toClient(upstream, false).names()).containsExactly("x-request-id");
        assertThat(ForwardedHeaders.toClient(upstream, true).names()).containsExactlyInAnyOrder("x-request-id", "content-length");
    }

    @Test
    void gatewayCredentialsAndExpectStayAtTheGateway() {
        HttpHeaders client = new DefaultHttpHeaders()
                .add("X-Toolgate-Key", "tg-agent-key")
                .add("X-Api-Key", "tg-agent-key")
                .add("Expect", "100-continue")
                .add("Authorization", "Bearer sk-client");

        assertThat(ForwardedHeaders.toUpstream(client, OPENAI).names()).containsExactly("Authorization");
        // On Anthropic routes without a configured key, x-api-key is the provider's and goes through.
        assertThat(ForwardedHeaders.toUpstream(client, ANTHROPIC).names()).containsExactlyInAnyOrder("X-Api-Key", "Authorization");
    }

    @Test
    void aConfiguredProviderKeyReplacesTheClientsCredential() {
        HttpHeaders client = new DefaultHttpHeaders().add("authorization", "Bearer sk-client").add("x-api-key", "tg-agent-key");

        HttpHeaders openAi = ForwardedHeaders.toUpstream(client, ProviderRoute.openAi(URI.create("https://api.openai.com/v1"), "sk-configured"));
        HttpHeaders anthropic = ForwardedHeaders.toUpstream(client,
                ProviderRoute.anthropic(URI.create("https://api.anthropic.com"), "sk-ant-configured"));

        assertThat(openAi.getAll("authorization")).containsExactly("Bearer sk-configured");
        assertThat(openAi.contains("x-api-key")).isFalse();
        assertThat(anthropic.getAll("x-api-key")).containsExactly("sk-ant-configured");
        assertThat(anthropic.contains("authorization")).isFalse();
    }
}
