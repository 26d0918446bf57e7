package dev.systemtables.push;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Which addresses a browser may register, and which origins may connect")
class BrowserAddressesTest {

  @Test
  @DisplayName("A user may register exactly their own inbox and the flag signal")
  void ownInboxAndFlags() {
    assertThat(BrowserAddresses.refusal("notifications.user.alice", "alice")).isNull();
    assertThat(BrowserAddresses.refusal("flags.changed", "alice")).isNull();
    assertThat(BrowserAddresses.refusal("notifications.user.bob", "alice")).contains("another user");
    assertThat(BrowserAddresses.refusal("notifications.user.alice", null)).contains("another user");
  }

  @Test
  @DisplayName("Regex-looking, nested, foreign or empty addresses are refused for everyone")
  void craftedAddresses() {
    for (String a : List.of("notifications.user..*", "notifications\\.user\\..*", "notifications.user.*",
        "notifications.user.alice.x", "notifications.user.", "users.upsert", "notifications.purge-read", "")) {
      assertThat(BrowserAddresses.refusal(a, "alice")).as(a).isNotNull();
    }
    assertThat(BrowserAddresses.refusal(null, "alice")).isNotNull();
    // Compared literally: a sub that looks like a pattern only ever matches itself.
    assertThat(BrowserAddresses.refusal("notifications.user.*", "*")).isNull();
    assertThat(BrowserAddresses.refusal("notifications.user.alice", "*")).isNotNull();
  }

  @Test
  @DisplayName("The outbound permits are the inbox pattern and the flag signal, nothing else")
  void outbound() {
    assertThat(BrowserAddresses.outbound()).hasSize(2);
    assertThat("notifications.user.u-1".matches(BrowserAddresses.USER_ADDRESS_REGEX)).isTrue();
    assertThat("notifications.user.a.b".matches(BrowserAddresses.USER_ADDRESS_REGEX)).isFalse();
    assertThat(BrowserAddresses.outbound().get(1).getAddress()).isEqualTo("flags.changed");
  }

  @Test
  @DisplayName("Origins: none (not a browser), configured, or the page's own; everything else refused")
  void origins() {
    OriginPolicy p = new OriginPolicy(List.of("http://localhost:8080", "https://app.example.com/"));
    assertThat(p.allows(null, "anything")).isTrue();
    assertThat(p.allows("http://localhost:8080", "localhost:8080")).isTrue();
    assertThat(p.allows("https://APP.example.com", "api.example.com")).isTrue();
    assertThat(p.allows("http://127.0.0.1:9999", "127.0.0.1:9999")).as("same origin").isTrue();
    assertThat(p.allows("https://evil.example", "localhost:8080")).isFalse();
    assertThat(p.allows("null", "localhost:8080")).isFalse();
    assertThat(p.allows("http://localhost:8081", "localhost:8080")).isFalse();
    assertThat(p.allows("http://evil.example@localhost:8080", "localhost:8080")).isFalse();
  }
}
