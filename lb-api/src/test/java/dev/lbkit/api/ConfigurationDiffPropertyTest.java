package dev.lbkit.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.ConfigurationDiff.RealServerField;
import dev.lbkit.api.ConfigurationDiff.VirtualServerChange;
import dev.lbkit.api.ConfigurationDiff.VirtualServerField;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/** The laws of {@link ConfigurationDiff}, over random valid configurations from {@link ValidConfigurations}. */
class ConfigurationDiffPropertyTest {

    @Provide
    Arbitrary<Configuration> configurations() {
        return ValidConfigurations.configurations();
    }

    @Provide
    Arbitrary<Configuration> configurationsWithARealServer() {
        return ValidConfigurations.configurations()
                .filter(c -> c.virtualServers().stream().anyMatch(v -> !v.realServers().isEmpty()));
    }

    /** Guards the generator: the laws below are only as strong as the variety of what they run on. */
    @Property
    void theGeneratorCoversEveryMethodAndTheUnusualVips(@ForAll("configurations") Configuration c) {
        for (VirtualServer v : c.virtualServers()) {
            Statistics.label("method").collect(v.forwardingMethod());
            Statistics.label("vip").collect(v.vip() instanceof Vip.FirewallMark ? "fwmark"
                    : ((Vip.Socket) v.vip()).port() == 0 ? "every port" : "socket");
            Statistics.label("persistence").collect(v.persistence().getClass().getSimpleName());
            for (RealServer r : v.realServers()) {
                Statistics.label("real server").collect(r.forwardingMethod().isPresent() ? "override"
                        : v.vip().family() != IpFamily.of(r.address()) ? "mixed family" : "plain");
            }
        }
        Statistics.label("method").coverage(cov -> {
            for (ForwardingMethod m : List.of(ForwardingMethod.DIRECT_ROUTING, ForwardingMethod.NAT,
                    ForwardingMethod.PROXY, ForwardingMethod.HTTP)) {
                cov.check(m).percentage((Double p) -> p > 10.0);
            }
        });
        Statistics.label("vip").coverage(cov -> {
            cov.check("fwmark").percentage((Double p) -> p > 2.0);
            cov.check("every port").percentage((Double p) -> p > 2.0);
        });
        Statistics.label("persistence").coverage(cov -> cov.check("CookiePersistence").count((Integer n) -> n > 0));
        Statistics.label("real server").coverage(cov -> {
            cov.check("override").count((Integer n) -> n > 0);
            cov.check("mixed family").count((Integer n) -> n > 0);
        });
    }

    @Property
    void applyingTheDiffBetweenTwoConfigurationsToTheFirstGivesTheSecond(
            @ForAll("configurations") Configuration a, @ForAll("configurations") Configuration b) {
        ConfigurationDiff diff = ConfigurationDiff.between(a, b);
        Statistics.label("diff").collect(diff.isEmpty() ? "empty" : !diff.changed().isEmpty() ? "has changes"
                : "only additions/removals");

        assertThat(diff.applyTo(a)).isEqualTo(b);
    }

    @Property
    void theDiffOfAConfigurationWithItselfIsEmpty(@ForAll("configurations") Configuration a) {
        assertThat(ConfigurationDiff.between(a, a).isEmpty()).isTrue();
        assertThat(ConfigurationDiff.between(a, a.toBuilder().build())).isEqualTo(ConfigurationDiff.empty());
    }

    @Property
    void theInverseDiffAppliedToTheSecondGivesTheFirst(
            @ForAll("configurations") Configuration a, @ForAll("configurations") Configuration b) {
        ConfigurationDiff diff = ConfigurationDiff.between(a, b);

        assertThat(diff.inverse().applyTo(b)).isEqualTo(a);
        assertThat(diff.inverse().inverse()).isEqualTo(diff);
    }

    @Property
    void aDiffIsEmptyExactlyWhenTheConfigurationsAreEqual(
            @ForAll("configurations") Configuration a, @ForAll("configurations") Configuration b) {
        assertThat(ConfigurationDiff.between(a, b).isEmpty()).isEqualTo(a.equals(b));
    }

    @Property
    void everyReportedFieldReallyDiffers(
            @ForAll("configurations") Configuration a, @ForAll("configurations") Configuration b) {
        for (VirtualServerChange c : ConfigurationDiff.between(a, b).changed()) {
            assertThat(c.before()).isNotEqualTo(c.after());
            assertThat(c.fields()).isNotEmpty();
            assertThat(c.fields().contains(VirtualServerField.VIP)).isEqualTo(!c.before().vip().equals(c.after().vip()));
            assertThat(c.fields().contains(VirtualServerField.REAL_SERVERS)).isEqualTo(
                    !c.addedRealServers().isEmpty() || !c.removedRealServers().isEmpty()
                            || !c.changedRealServers().isEmpty());
            c.changedRealServers().forEach(rc -> assertThat(rc.fields()).isNotEmpty());
        }
    }

    @Property
    void changingOneWeightIsOneChangedRealServerWithFieldWeight(
            @ForAll("configurationsWithARealServer") Configuration a,
            @ForAll @IntRange(min = 0, max = 1000) int pick,
            @ForAll @IntRange(min = 1, max = RealServer.MAX_WEIGHT) int delta) {
        List<VirtualServer> candidates = a.virtualServers().stream().filter(v -> !v.realServers().isEmpty()).toList();
        VirtualServer vs = candidates.get(pick % candidates.size());
        RealServer rs = vs.realServers().get(pick % vs.realServers().size());
        // Adding 1..65535 modulo 65536 never gives the old weight back.
        RealServer changed = rs.withWeight((rs.weight() + delta) % (RealServer.MAX_WEIGHT + 1));
        Configuration b = a.with(vs.withRealServer(changed));

        ConfigurationDiff diff = ConfigurationDiff.between(a, b);

        assertThat(diff.added()).isEmpty();
        assertThat(diff.removed()).isEmpty();
        assertThat(diff.changed()).singleElement().satisfies(c -> {
            assertThat(c.label()).isEqualTo(vs.label());
            assertThat(c.onlyRealServersChanged()).isTrue();
            assertThat(c.addedRealServers()).isEmpty();
            assertThat(c.removedRealServers()).isEmpty();
            assertThat(c.changedRealServers()).singleElement().satisfies(rc -> {
                assertThat(rc.before()).isEqualTo(rs);
                assertThat(rc.after()).isEqualTo(changed);
                assertThat(rc.fields()).containsExactly(RealServerField.WEIGHT);
            });
        });
        assertThat(diff.applyTo(a)).isEqualTo(b);
    }
}
