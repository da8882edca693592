package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.health.AgentConversation.AgentReply;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The words of an agent's reply, as HAProxy's agent-check reads them. */
class AgentReplyTest {

    @ParameterizedTest(name = "''{0}'' -> {1}, {2}")
    @CsvSource(delimiter = '|', value = {
        "up                     | true  | agent: up",
        "READY                  | true  | agent: ready",
        "75%                    | true  | agent: up, weight 75%",
        "up 50%                 | true  | agent: up, weight 50%",
        "50%,ready              | true  | agent: ready, weight 50%",
        "0%                     | false | agent: drain (weight 0%)",
        "down                   | false | agent: down",
        "fail                   | false | agent: fail",
        "stopped                | false | agent: stopped",
        "maint                  | false | agent: maint",
        "drain                  | false | agent: drain",
        "up, down               | false | agent: down",
        "down # disk full       | false | agent: down (disk full)",
        "hello world            | false | agent: no state or weight in 'hello world'",
        "up\tfoo\tbar           | true  | agent: up",
    })
    void eachWordMeansWhatHaproxySays(String line, boolean passed, String reason) {
        AgentReply r = AgentReply.parse(line.replace("\\t", "\t"));
        assertThat(r.passed()).isEqualTo(passed);
        assertThat(r.reason()).isEqualTo(reason);
    }
}
