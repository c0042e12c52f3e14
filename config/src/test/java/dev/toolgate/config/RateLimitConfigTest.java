package dev.toolgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code limits.rate_limit} and a key's own {@code rate_limit}. */
class RateLimitConfigTest {
    @TempDir
    Path dir;

    @Test
    void unlimitedUnlessConfigured() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY);

        assertThat(config.limits().rateLimit()).isEqualTo(RateLimitConfig.UNLIMITED);
        assertThat(config.keys().get(0).rateLimit().isUnlimited()).isTrue();
    }

    @Test
    void theDefaultAppliesToEveryKeyWithoutItsOwn() throws ConfigException {
        Config config = ConfigFiles.load(dir, """
                limits:
                  rate_limit: { requests_per_minute: 1200, burst: 200 }
                keys:
                  - { name: bot, key: abcdefghijklmnop1234, role: agent }
                  - { name: batch, key: zyxwvutsrqponmlk9876, role: agent, rate_limit: { requests_per_minute: 60, burst: 5 } }
                  - { name: ops, key: ops-key-0123456789, role: admin, rate_limit: unlimited }
                """);

        assertThat(config.limits().rateLimit()).isEqualTo(new RateLimitConfig(1200, 200));
        assertThat(config.keys()).extracting(KeyConfig::rateLimit).containsExactly(
                new RateLimitConfig(1200, 200), new RateLimitConfig(60, 5), RateLimitConfig.UNLIMITED);
    }

    @Test
    void burstDefaultsToAMinutesWorth() throws ConfigException {
        Config config = ConfigFiles.load(dir, ConfigFiles.ONE_KEY + "limits:\n  rate_limit: { requests_per_minute: 30 }\n");

        assertThat(config.limits().rateLimit()).isEqualTo(new RateLimitConfig(30, 30));
    }

    @Test
    void badRateLimits() {
        assertThat(ConfigFiles.problems(dir, ConfigFiles.ONE_KEY + "limits:\n  rate_limit: { requests_per_minute: 0, burst: lots }\n"))
                .containsExactly(
                        "toolgate.yaml:4:38: limits.rate_limit.requests_per_minute: 0 (expected: a number of requests from 1 to 1000000)",
                        "toolgate.yaml:4:48: limits.rate_limit.burst: lots (expected: a number of requests from 1 to 1000000)");
        assertThat(ConfigFiles.problems(dir, ConfigFiles.ONE_KEY + "limits:\n  rate_limit: { burst: 10 }\n"))
                .containsExactly("toolgate.yaml:4:15: limits.rate_limit.requests_per_minute: missing (expected: a number of requests)");
        assertThat(ConfigFiles.problems(dir, ConfigFiles.ONE_KEY + "limits:\n  rate_limit: 600\n"))
                .containsExactly("toolgate.yaml:4:15: limits.rate_limit: 600 (expected: { requests_per_minute: 600, burst: 100 } or unlimited)");
        assertThat(ConfigFiles.problems(dir, "keys:\n  - { name: bot, key: abcdefghijklmnop1234, role: agent, rate_limit: { rpm: 5 } }\n"))
                .containsExactly(
                        "toolgate.yaml:2:70: keys[0].rate_limit.requests_per_minute: missing (expected: a number of requests)",
                        "toolgate.yaml:2:72: keys[0].rate_limit.rpm: unknown key 'rpm' (expected one of: requests_per_minute, burst)");
    }

    @Test
    void aShareOfALimitIsRoundedUpAndNeverZero() {
        assertThat(new RateLimitConfig(1200, 200).shareOf(3)).isEqualTo(new RateLimitConfig(400, 67));
        assertThat(new RateLimitConfig(1, 1).shareOf(4)).isEqualTo(new RateLimitConfig(1, 1));
        assertThat(new RateLimitConfig(10, 5).shareOf(1)).isEqualTo(new RateLimitConfig(10, 5));
        assertThat(RateLimitConfig.UNLIMITED.shareOf(3)).isEqualTo(RateLimitConfig.UNLIMITED);
    }
}
