package dev.lbkit.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.api.SourceIpPersistence;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SourceIpPersistenceTableTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long T0 = -5 * SECOND; // nanoTime values may be negative
    private final SourceIpPersistence policy = new SourceIpPersistence(Duration.ofSeconds(300), 24, 64);
    private final SourceIpPersistenceTable<String> table = new SourceIpPersistenceTable<>(policy, 1000);

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void clientsInOneIpv4PrefixShareAnEntry() {
        table.record(ip("10.1.2.3"), "web1", T0);
        assertThat(table.lookup(ip("10.1.2.200"), T0)).contains("web1");
        assertThat(table.lookup(ip("10.1.3.3"), T0)).isEmpty();
        table.record(ip("10.1.2.99"), "web2", T0);
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.lookup(ip("10.1.2.3"), T0)).contains("web2");
    }

    @Test
    void clientsInOneIpv6PrefixShareAnEntryAndFamiliesNeverMix() {
        table.record(ip("2001:db8:1:2::1"), "web1", T0);
        assertThat(table.lookup(ip("2001:db8:1:2:ffff::9"), T0)).contains("web1");
        assertThat(table.lookup(ip("2001:db8:1:3::1"), T0)).isEmpty();
        table.record(ip("10.0.0.1"), "web2", T0);
        assertThat(table.lookup(ip("::a00:1"), T0)).as("::10.0.0.1 is IPv6").isEmpty();
    }

    @Test
    void aFullLengthPrefixKeepsEveryClientApart() {
        SourceIpPersistenceTable<String> exact =
                new SourceIpPersistenceTable<>(new SourceIpPersistence(Duration.ofSeconds(60), 32, 128), 10);
        exact.record(ip("10.0.0.1"), "a", T0);
        exact.record(ip("2001:db8::1"), "b", T0);
        assertThat(exact.lookup(ip("10.0.0.2"), T0)).isEmpty();
        assertThat(exact.lookup(ip("2001:db8::2"), T0)).isEmpty();
        assertThat(exact.lookup(ip("10.0.0.1"), T0)).contains("a");
        assertThat(exact.lookup(ip("2001:db8::1"), T0)).contains("b");
    }

    @Test
    void anEntryLastsExactlyItsTimeoutAndIsRemovedWhenFoundExpired() {
        table.record(ip("10.1.2.3"), "web1", T0);
        assertThat(table.lookup(ip("10.1.2.3"), T0 + 300 * SECOND - 1)).contains("web1");
        assertThat(table.lookup(ip("10.1.2.3"), T0 + 300 * SECOND)).isEmpty();
        assertThat(table.size()).isZero();
    }

    @Test
    void recordingAgainRestartsTheTimeoutButALookupDoesNot() {
        table.record(ip("10.1.2.3"), "web1", T0);
        table.lookup(ip("10.1.2.3"), T0 + 200 * SECOND);
        assertThat(table.lookup(ip("10.1.2.3"), T0 + 300 * SECOND)).isEmpty();
        table.record(ip("10.1.2.3"), "web1", T0 + 400 * SECOND);
        table.record(ip("10.1.2.4"), "web1", T0 + 600 * SECOND);
        assertThat(table.lookup(ip("10.1.2.3"), T0 + 800 * SECOND)).contains("web1");
    }

    @Test
    void aFullTableEvictsTheEntryRecordedLongestAgo() {
        SourceIpPersistenceTable<String> small = new SourceIpPersistenceTable<>(policy, 3);
        small.record(ip("10.0.1.1"), "a", T0);
        small.record(ip("10.0.2.1"), "b", T0 + 1);
        small.record(ip("10.0.3.1"), "c", T0 + 2);
        small.record(ip("10.0.1.1"), "a", T0 + 3);
        small.record(ip("10.0.4.1"), "d", T0 + 4);
        assertThat(small.size()).isEqualTo(3);
        assertThat(small.lookup(ip("10.0.2.1"), T0 + 5)).as("oldest").isEmpty();
        assertThat(small.lookup(ip("10.0.1.1"), T0 + 5)).as("refreshed").contains("a");
        assertThat(small.lookup(ip("10.0.3.1"), T0 + 5)).contains("c");
        assertThat(small.lookup(ip("10.0.4.1"), T0 + 5)).contains("d");
    }

    @Test
    void removingAServerForgetsEveryNetworkSentToIt() {
        table.record(ip("10.0.1.1"), "a", T0);
        table.record(ip("10.0.2.1"), "b", T0);
        table.record(ip("2001:db8::1"), "a", T0);
        table.removeServer("a");
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.lookup(ip("10.0.1.1"), T0)).isEmpty();
        assertThat(table.lookup(ip("10.0.2.1"), T0)).contains("b");
    }

    @Test
    void expiringRemovesOnlyEntriesPastTheirTimeout() {
        table.record(ip("10.0.1.1"), "a", T0);
        table.record(ip("10.0.2.1"), "b", T0 + 100 * SECOND);
        table.record(ip("10.0.3.1"), "c", T0 + 200 * SECOND);
        table.expire(T0 + 350 * SECOND);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.lookup(ip("10.0.2.1"), T0 + 350 * SECOND)).contains("b");
        table.expire(T0 + 1000 * SECOND);
        assertThat(table.size()).isZero();
    }

    @Test
    void aTableMustHoldAtLeastOneEntryAndRefusesNulls() {
        assertThatThrownBy(() -> new SourceIpPersistenceTable<String>(policy, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSize").hasMessageContaining("0");
        assertThatThrownBy(() -> table.record(null, "a", T0)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("client");
        assertThatThrownBy(() -> table.record(ip("10.0.0.1"), null, T0)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("server");
        assertThatThrownBy(() -> table.lookup(null, T0)).isInstanceOf(NullPointerException.class);
    }
}
