package dev.lbkit.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.api.CookiePersistence;
import dev.lbkit.api.RealServer;
import dev.lbkit.proxy.http.HttpRequestHead;
import dev.lbkit.proxy.http.HttpVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class CookiesTest {

    private static HttpRequestHead request(String... cookieFields) {
        HttpRequestHead h = HttpRequestHead.create("GET", "/", HttpVersion.HTTP_1_1);
        h.add("Host", "x");
        for (String c : cookieFields) {
            h.add("Cookie", c);
        }
        return h;
    }

    @Test
    void findsACookieAmongOthersAndAcrossFields() {
        HttpRequestHead h = request("a=1; SRV=abc ; b=2", "SRV=second");
        assertThat(Cookies.find(h, "SRV")).isEqualTo("abc");
        assertThat(Cookies.find(h, "b")).isEqualTo("2");
        assertThat(Cookies.find(h, "srv")).as("names are case-sensitive").isNull();
        assertThat(Cookies.find(request("xSRV=1; SRVx=2"), "SRV")).isNull();
    }

    @Test
    void rewritesOrRemovesACookieAndDropsFieldsLeftEmpty() {
        HttpRequestHead h = request("a=1; SRV=abc; b=2", "SRV=x");
        Cookies.rewrite(h, "SRV", "app");
        assertThat(h.getAll("Cookie")).containsExactly("a=1; SRV=app; b=2", "SRV=app");
        Cookies.rewrite(h, "SRV", null);
        assertThat(h.getAll("Cookie")).containsExactly("a=1; b=2");
        assertThat(h.get("Host")).isEqualTo("x");
    }

    @Test
    void readsAndReplacesSetCookieValuesKeepingAttributes() {
        String f = "JSESSIONID=abc123; Path=/; HttpOnly";
        assertThat(Cookies.setCookieName(f)).isEqualTo("JSESSIONID");
        assertThat(Cookies.setCookieValue(f)).isEqualTo("abc123");
        assertThat(Cookies.withValue(f, "id~abc123")).isEqualTo("JSESSIONID=id~abc123; Path=/; HttpOnly");
        assertThat(Cookies.setCookieName("novalue; Path=/")).isNull();
        assertThat(Cookies.setCookieValue("A=")).isEmpty();
    }

    @Test
    void insertsTheConfiguredAttributes() {
        CookiePersistence c = CookiePersistence.builder(CookiePersistence.Mode.INSERT, "SRV").path("/app")
                .domain("example.com").maxAge(Duration.ofMinutes(5)).secure(true).httpOnly(false)
                .sameSite(CookiePersistence.SameSite.STRICT).build();
        assertThat(Cookies.insert(c, "0a1b")).isEqualTo(
                "SRV=0a1b; Path=/app; Domain=example.com; Max-Age=300; Secure; SameSite=Strict");
        assertThat(Cookies.insert(CookiePersistence.builder(CookiePersistence.Mode.INSERT, "S").build(), "1"))
                .isEqualTo("S=1; HttpOnly");
    }

    @Test
    void serverIdsAreStableOpaqueAndConfigurable() {
        String id = VirtualService.State.cookieId("web", "app1", HttpOptions.defaults());
        assertThat(id).matches("[0-9a-f]{12}").isEqualTo(VirtualService.State.cookieId("web", "app1",
                HttpOptions.defaults()));
        assertThat(VirtualService.State.cookieId("web", "app2", HttpOptions.defaults())).isNotEqualTo(id);
        assertThat(VirtualService.State.cookieId("api", "app1", HttpOptions.defaults())).isNotEqualTo(id);
        assertThat(VirtualService.State.cookieId("web", "app1", HttpOptions.builder().cookieValueIsLabel(true)
                .build())).isEqualTo("app1");
        assertThat(VirtualService.State.cookieId("web", "app1", HttpOptions.builder().cookieValue("app1", "s1")
                .build())).isEqualTo("s1");
    }

    @Test
    void learnedTableExpiresAndStaysBounded() {
        Backend a = new Backend(RealServer.builder("a").address("127.0.0.1").port(1).build(), 80, false);
        LearnedCookies t = new LearnedCookies(100, 1_000);
        t.learn("s1", a, 0);
        assertThat(t.lookup("s1", 500)).isSameAs(a);
        assertThat(t.lookup("s1", 1_400)).as("the lookup at 500 refreshed it").isSameAs(a);
        assertThat(t.lookup("s1", 2_400)).isNull();
        for (int i = 0; i < 1_000; i++) {
            t.learn("k" + i, a, 3_000);
            assertThat(t.size()).isLessThanOrEqualTo(100);
        }
        t.removeServer(a);
        assertThat(t.size()).isZero();
    }

    @Property
    void rewriteKeepsEveryOtherCookieAndFindSeesTheNewValue(
            @ForAll @Size(max = 6) List<@AlphaChars @StringLength(min = 1, max = 6) String> names,
            @ForAll @NumericChars @StringLength(min = 1, max = 8) String value) {
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (!names.get(i).equals("SRV")) {
                pairs.add(names.get(i) + "=" + i);
            }
        }
        pairs.add(Math.min(pairs.size(), 1), "SRV=old");
        HttpRequestHead h = request(String.join("; ", pairs));
        Cookies.rewrite(h, "SRV", value);
        assertThat(Cookies.find(h, "SRV")).isEqualTo(value);
        Cookies.rewrite(h, "SRV", null);
        assertThat(Cookies.find(h, "SRV")).isNull();
        for (String p : pairs) {
            if (!p.startsWith("SRV=")) {
                String n = p.substring(0, p.indexOf('='));
                assertThat(Cookies.find(h, n)).isEqualTo(Cookies.find(request(String.join("; ", pairs)), n));
            }
        }
    }
}
