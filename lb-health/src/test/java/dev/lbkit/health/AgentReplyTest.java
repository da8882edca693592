package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.health.AgentConversation.AgentReply;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The words of an agent's reply, as HAProxy's agent-check reads them. */
class AgentReplyTest {

    @ParameterizedTest(name = "''{0}'' -> {1}, {2}, weight {3}, drain {4}")
    @CsvSource(delimiter = '|', value = {
        "up                     | true  | agent: up                              | -1  | false",
        "READY                  | true  | agent: ready                           | -1  | false",
        "75%                    | true  | agent: up, weight 75%                  | 75  | false",
        "up 50%                 | true  | agent: up, weight 50%                  | 50  | false",
        "50%,ready              | true  | agent: ready, weight 50%               | 50  | false",
        "0%                     | true  | agent: drain, weight 0%                | 0   | true",
        "down                   | false | agent: down                            | -1  | false",
        "fail                   | false | agent: fail                            | -1  | false",
        "stopped                | false | agent: stopped                         | -1  | false",
        "maint                  | false | agent: maint                           | -1  | false",
        "drain                  | true  | agent: drain                           | -1  | true",
        "drain 30%              | true  | agent: drain, weight 30%               | 30  | true",
        "up, down               | false | agent: down                            | -1  | false",
        "down # disk full       | false | agent: down (disk full)                | -1  | false",
        "up\tfoo\tbar           | true  | agent: up                              | -1  | false",
        "300%                   | true  | agent: up, weight 256%                 | 256 | false",
    })
    void eachWordMeansWhatHaproxySays(String line, boolean passed, String reason, int weight, boolean drain) {
        AgentReply r = AgentReply.parse(line.replace("\\t", "\t"));
        assertThat(r.passed()).isEqualTo(passed);
        assertThat(r.reason()).isEqualTo(reason);
        assertThat(r.advice().weightPercent()).isEqualTo(weight);
        assertThat(r.advice().drain()).isEqualTo(drain);
    }
}
