package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConfigurationTest {
    private static final VirtualServer WEB = vs("web", "10.0.0.1:80/tcp");
    private static final VirtualServer API = vs("api", "10.0.0.1:443/tcp");
    private static final VirtualServer DNS = vs("dns", "10.0.0.2:53/udp");

    private static VirtualServer vs(String label, String vip) {
        return VirtualServer.builder(label).vip(vip).forwardingMethod(ForwardingMethod.NAT)
                .realServer(RealServer.builder(label + "1").address("10.1.0.1").build())
                .build();
    }

    @Test
    void duplicateVirtualServerLabelsAreRejectedNamingBothVips() {
        VirtualServer otherWeb = vs("web", "10.0.0.9:80/tcp");

        assertThatThrownBy(() -> Configuration.of(WEB, API, otherWeb))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration: virtual server label 'web' is used twice (10.0.0.1:80/tcp and "
                        + "10.0.0.9:80/tcp)");
    }

    @Test
    void duplicateVipsAreRejectedNamingBothVirtualServers() {
        VirtualServer www = vs("www", "10.0.0.1:80/tcp");

        assertThatThrownBy(() -> Configuration.of(WEB, www))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration: virtual servers 'web' and 'www' both use VIP 10.0.0.1:80/tcp");
    }

    @Test
    void duplicateFirewallMarksAreRejectedButOneMarkServesBothFamilies() {
        VirtualServer mark4 = VirtualServer.builder("mark4").vip("fwmark:12").build();
        VirtualServer mark6 = VirtualServer.builder("mark6").vip("fwmark:12/ipv6").build();
        VirtualServer again = VirtualServer.builder("again").vip("fwmark:12").build();

        assertThat(Configuration.of(mark4, mark6).size()).isEqualTo(2);
        assertThatThrownBy(() -> Configuration.of(mark4, again))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration: virtual servers 'mark4' and 'again' both use VIP fwmark:12");
    }

    @Test
    void oneAddressAndPortMayServeTcpAndUdp() {
        VirtualServer dnsTcp = vs("dns-tcp", "10.0.0.2:53/tcp");

        assertThat(Configuration.of(DNS, dnsTcp).virtualServers()).containsExactly(DNS, dnsTcp);
    }

    @Test
    void aNullVirtualServerIsRejected() {
        assertThatThrownBy(() -> Configuration.builder().add(null))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("virtual server must not be null");
    }

    @Test
    void keepsInsertionOrderButEqualityIgnoresIt() {
        Configuration abc = Configuration.of(WEB, API, DNS);
        Configuration cab = Configuration.of(DNS, WEB, API);

        assertThat(abc.virtualServers()).containsExactly(WEB, API, DNS);
        assertThat(cab.virtualServers()).containsExactly(DNS, WEB, API);
        assertThat(abc).isEqualTo(cab).hasSameHashCodeAs(cab);
    }

    @Test
    void differsWhenAVirtualServerDiffers() {
        Configuration c = Configuration.of(WEB, API);

        assertThat(c)
                .isNotEqualTo(Configuration.of(WEB))
                .isNotEqualTo(Configuration.of(WEB, API.toBuilder().scheduler(Scheduler.RR).build()))
                .isNotEqualTo(Configuration.of(WEB, API, DNS))
                .isNotEqualTo(null)
                .isNotEqualTo(WEB);
    }

    @Test
    void toBuilderBuildsAnEqualConfiguration() {
        Configuration c = Configuration.of(WEB, API, DNS);

        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(c.toBuilder().build().virtualServers()).containsExactly(WEB, API, DNS);
    }

    @Test
    void emptyIsEmpty() {
        assertThat(Configuration.empty().isEmpty()).isTrue();
        assertThat(Configuration.empty().size()).isZero();
        assertThat(Configuration.of()).isEqualTo(Configuration.empty());
        assertThat(Configuration.builder().build()).isSameAs(Configuration.empty());
        assertThat(Configuration.empty()).hasToString("Configuration[]");
    }

    @Test
    void withAddsANewLabelAtTheEnd() {
        Configuration c = Configuration.of(WEB, API);

        Configuration more = c.with(DNS);

        assertThat(more.virtualServers()).containsExactly(WEB, API, DNS);
        assertThat(c.virtualServers()).as("the original is unchanged").containsExactly(WEB, API);
    }

    @Test
    void withReplacesTheVirtualServerOfTheSameLabelInPlace() {
        Configuration c = Configuration.of(WEB, API, DNS);
        VirtualServer rrApi = API.toBuilder().scheduler(Scheduler.RR).build();

        Configuration changed = c.with(rrApi);

        assertThat(changed.virtualServers()).containsExactly(WEB, rrApi, DNS);
        assertThat(changed.virtualServer("api")).contains(rrApi);
    }

    @Test
    void withRejectsAVipAnotherLabelUses() {
        Configuration c = Configuration.of(WEB, API);

        assertThatThrownBy(() -> c.with(vs("www", "10.0.0.1:80/tcp")))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration: virtual servers 'web' and 'www' both use VIP 10.0.0.1:80/tcp");
    }

    @Test
    void withCanMoveAVirtualServerToAVipThatItselfFrees() {
        Configuration c = Configuration.of(WEB, API);
        VirtualServer moved = WEB.toBuilder().vip("10.0.0.3:80/tcp").build();

        assertThat(c.with(moved).virtualServer("web").orElseThrow().vip()).isEqualTo(Vip.parse("10.0.0.3:80/tcp"));
    }

    @Test
    void withoutRemovesThatLabelOnly() {
        Configuration c = Configuration.of(WEB, API, DNS);

        Configuration fewer = c.without("api");

        assertThat(fewer.virtualServers()).containsExactly(WEB, DNS);
        assertThat(fewer.virtualServer("api")).isEmpty();
        assertThat(fewer.with(API)).isEqualTo(c);
    }

    @Test
    void withoutAnAbsentLabelIsTheSameValue() {
        Configuration c = Configuration.of(WEB);

        assertThat(c.without("nobody")).isSameAs(c);
    }

    @Test
    void virtualServersCannotBeChangedThroughTheList() {
        Configuration c = Configuration.of(WEB);

        assertThatThrownBy(() -> c.virtualServers().add(API)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void toStringListsTheVirtualServersInOrder() {
        assertThat(Configuration.of(WEB, API).toString())
                .startsWith("Configuration[VirtualServer{web 10.0.0.1:80/tcp")
                .contains(", VirtualServer{api 10.0.0.1:443/tcp");
    }
}
