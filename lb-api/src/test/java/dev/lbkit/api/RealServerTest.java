package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RealServerTest {

    private static RealServer.Builder app1() {
        return RealServer.builder("app1").address("10.0.0.2");
    }

    @Test
    void defaultsAreTheVipsPortWeightOneNoThresholdsAndOnline() {
        RealServer r = app1().build();

        assertThat(r.port()).isZero();
        assertThat(r.effectivePort(443)).isEqualTo(443);
        assertThat(r.weight()).isEqualTo(1);
        assertThat(r.minConnections()).isZero();
        assertThat(r.maxConnections()).isZero();
        assertThat(r.forwardingMethod()).isEmpty();
        assertThat(r.requestedStatus()).isEqualTo(RequestedStatus.ONLINE);
    }

    @Test
    void aSetPortIsTheEffectivePort() {
        assertThat(app1().port(8080).build().effectivePort(80)).isEqualTo(8080);
    }

    @Test
    void weightsFromZeroTo65535AreAccepted() {
        assertThat(app1().weight(0).build().weight()).isZero();
        assertThat(app1().weight(RealServer.MAX_WEIGHT).build().weight()).isEqualTo(65535);
    }

    @Test
    void weightAbove65535IsRejected() {
        assertThatThrownBy(() -> app1().weight(70000).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("real server 'app1': weight must be 0..65535 but was 70000");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 65536, Integer.MIN_VALUE})
    void weightOutOfRangeIsRejectedNamingTheServerAndTheValue(int weight) {
        assertThatThrownBy(() -> app1().weight(weight).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("real server 'app1'", "weight", "but was " + weight);
    }

    @Test
    void negativeMinConnectionsAreRejected() {
        assertThatThrownBy(() -> app1().minConnections(-1).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("real server 'app1'", "minConnections", "but was -1");
    }

    @Test
    void negativeMaxConnectionsAreRejected() {
        assertThatThrownBy(() -> app1().maxConnections(-5).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("real server 'app1'", "maxConnections", "but was -5");
    }

    @Test
    void minConnectionsAboveMaxConnectionsAreRejected() {
        assertThatThrownBy(() -> app1().minConnections(200).maxConnections(100).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("real server 'app1'", "minConnections", "maxConnections", "200 > 100");
    }

    @Test
    void minConnectionsWithUnlimitedMaxConnectionsAreAccepted() {
        RealServer r = app1().minConnections(200).maxConnections(0).build();

        assertThat(r.minConnections()).isEqualTo(200);
        assertThat(r.maxConnections()).isZero();
    }

    @Test
    void minConnectionsEqualToMaxConnectionsAreAccepted() {
        assertThat(app1().minConnections(100).maxConnections(100).build().maxConnections()).isEqualTo(100);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 65536})
    void portOutOfRangeIsRejected(int port) {
        assertThatThrownBy(() -> app1().port(port).build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("real server 'app1'", "port", "but was " + port);
    }

    @Test
    void missingAddressIsRejected() {
        assertThatThrownBy(() -> RealServer.builder("app1").build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("real server 'app1': address must not be null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"app1.example.com", "10.0.0", "10.0.0.1.5", "1::x", ""})
    void anAddressThatIsNotAnIpLiteralIsRejected(String text) {
        assertThatThrownBy(() -> RealServer.builder("app1").address(text))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("real server 'app1': address: ")
                .hasMessageContaining(text.isEmpty() ? "address is empty" : "'" + text + "'");
    }

    @Test
    void emptyLabelIsRejected() {
        assertThatThrownBy(() -> RealServer.builder("").address("10.0.0.2").build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("real server", "label", "but was ''");
    }

    @Test
    void labelOfSixtyFiveCharactersIsRejected() {
        String label = "a".repeat(65);

        assertThat(RealServer.builder("a".repeat(64)).address("10.0.0.2").build().label()).hasSize(64);
        assertThatThrownBy(() -> RealServer.builder(label).address("10.0.0.2").build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("real server", "label", "1..64", "'" + label + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"app 1", "app/1", "-app1", ".app1", "app1;", "äpp1"})
    void labelWithCharactersUnfitForMetricNamesIsRejected(String label) {
        assertThatThrownBy(() -> RealServer.builder(label).address("10.0.0.2").build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("real server", "label", "[A-Za-z0-9._-]", "'" + label + "'");
    }

    @Test
    void nullLabelIsRejected() {
        assertThatThrownBy(() -> RealServer.builder(null).address("10.0.0.2").build())
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("real server", "label", "but was null");
    }

    @Test
    void labelsMayHoldDigitsDotsDashesAndUnderscores() {
        assertThat(RealServer.builder("0app_1.eu-west").address("10.0.0.2").build().label())
                .isEqualTo("0app_1.eu-west");
    }

    @Test
    void equalWhenEveryFieldIsEqual() {
        RealServer a = app1().port(8080).weight(5).minConnections(10).maxConnections(20)
                .forwardingMethod(ForwardingMethod.NAT).requestedStatus(RequestedStatus.DRAIN).build();
        RealServer b = app1().port(8080).weight(5).minConnections(10).maxConnections(20)
                .forwardingMethod(ForwardingMethod.NAT).requestedStatus(RequestedStatus.DRAIN).build();

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(null).isNotEqualTo("app1");
    }

    @Test
    void differentWhenAnyFieldDiffers() {
        RealServer base = app1().build();

        assertThat(base)
                .isNotEqualTo(RealServer.builder("app2").address("10.0.0.2").build())
                .isNotEqualTo(app1().address("10.0.0.3").build())
                .isNotEqualTo(app1().port(80).build())
                .isNotEqualTo(app1().weight(2).build())
                .isNotEqualTo(app1().minConnections(1).build())
                .isNotEqualTo(app1().maxConnections(1).build())
                .isNotEqualTo(app1().forwardingMethod(ForwardingMethod.DIRECT_ROUTING).build())
                .isNotEqualTo(app1().requestedStatus(RequestedStatus.OFFLINE).build());
    }

    @Test
    void toBuilderBuildsAnEqualServer() {
        RealServer r = app1().port(8080).weight(7).minConnections(3).maxConnections(9)
                .forwardingMethod(ForwardingMethod.TUNNEL).requestedStatus(RequestedStatus.OFFLINE).build();

        assertThat(r.toBuilder().build()).isEqualTo(r).hasSameHashCodeAs(r).isNotSameAs(r);
    }

    @Test
    void withWeightAndWithRequestedStatusChangeOnlyThatField() {
        RealServer r = app1().port(8080).build();

        assertThat(r.withWeight(9)).isEqualTo(app1().port(8080).weight(9).build());
        assertThat(r.withRequestedStatus(RequestedStatus.DRAIN))
                .isEqualTo(app1().port(8080).requestedStatus(RequestedStatus.DRAIN).build());
        assertThat(r.weight()).isEqualTo(1);
    }

    @Test
    void withWeightValidates() {
        assertThatThrownBy(() -> app1().build().withWeight(-1))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("real server 'app1': weight must be 0..65535 but was -1");
    }

    @Test
    void toStringShowsLabelEndpointWeightAndWhatIsNotDefault() {
        assertThat(app1().port(8080).weight(3).build()).hasToString("RealServer{app1 10.0.0.2:8080 weight=3}");
        assertThat(app1().minConnections(5).maxConnections(10).forwardingMethod(ForwardingMethod.NAT)
                .requestedStatus(RequestedStatus.DRAIN).build())
                .hasToString("RealServer{app1 10.0.0.2:0 weight=1 connections=5..10 NAT DRAIN}");
    }

    @Test
    void anIpv6EndpointIsBracketed() {
        RealServer r = RealServer.builder("app6").address("2001:db8::2").port(443).build();

        assertThat(r.endpoint()).isEqualTo("[2001:db8::2]:443");
    }
}
