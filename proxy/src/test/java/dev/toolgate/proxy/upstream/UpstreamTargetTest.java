package dev.toolgate.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URI;
import org.junit.jupiter.api.Test;

class UpstreamTargetTest {
    private static final URI OPENAI = URI.create("https://api.openai.com/v1");

    @Test
    void theClientPrefixIsReplacedByTheBasePath() {
        assertThat(resolve(OPENAI, "/v1/chat/completions", "/v1"))
                .isEqualTo(URI.create("https://api.openai.com/v1/chat/completions"));
        assertThat(resolve(URI.create("http://127.0.0.1:8081/proxy/v1/"), "/v1/files/file-1", "/v1"))
                .isEqualTo(URI.create("http://127.0.0.1:8081/proxy/v1/files/file-1"));
        assertThat(resolve(URI.create("https://api.anthropic.com"), "/v1/messages", ""))
                .isEqualTo(URI.create("https://api.anthropic.com/v1/messages"));
    }

    @Test
    void theQueryGoesThroughWithoutTheGatewayKey() {
        assertThat(resolve(OPENAI, "/v1/models?api_key=tg-agent-key&limit=2&after=a%20b", "/v1"))
                .isEqualTo(URI.create("https://api.openai.com/v1/models?limit=2&after=a%20b"));
        assertThat(resolve(OPENAI, "/v1/models?api_key=tg-agent-key", "/v1"))
                .isEqualTo(URI.create("https://api.openai.com/v1/models"));
    }

    /** Query-less targets are remembered by base and path: one base's answer is never another's. */
    @Test
    void rememberedTargetsKeepTheirBase() {
        URI other = URI.create("http://10.0.0.2:9000/v1");
        for (int round = 0; round < 2; round++) {
            assertThat(resolve(OPENAI, "/v1/embeddings", "/v1")).isEqualTo(URI.create("https://api.openai.com/v1/embeddings"));
            assertThat(resolve(other, "/v1/embeddings", "/v1")).isEqualTo(URI.create("http://10.0.0.2:9000/v1/embeddings"));
            assertThat(resolve(other, "/v1/embeddings", "")).isEqualTo(URI.create("http://10.0.0.2:9000/v1/v1/embeddings"));
        }
    }

    private static URI resolve(URI base, String clientUri, String clientPrefix) {
        return UpstreamTarget.resolve(base, new QueryStringDecoder(clientUri), clientPrefix, "api_key");
    }
}
