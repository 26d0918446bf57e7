package dev.systemtables.notifications;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Notification validation rules")
class NotificationRulesTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"/", "/licenses/1", "/a/b?c=d#e", "/café", "http://example.com", "HTTPS://example.com/x?y=1",
      "https://sub.example.com:8443/path"})
  @DisplayName("http(s) URLs and single-slash paths are accepted")
  void acceptedUrls(String url) {
    assertThat(NotificationRules.checkActionUrl("actionUrl", url)).isNull();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,x",
      "vbscript:x", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
      "/\n/evil.example", "https:evil.example", "http://", "http://user@evil.example", "ftp://example.com", "licenses/1",
      "", "https://exa mple.com"})
  @DisplayName("Other schemes, scheme-relative, backslash and white-space tricks are refused")
  void refusedUrls(String url) {
    assertThat(NotificationRules.checkActionUrl("actionUrl", url)).contains("actionUrl");
  }

  @Test
  @DisplayName("Over-long URLs are refused")
  void longUrl() {
    assertThat(NotificationRules.checkActionUrl("actionUrl", "/" + "a".repeat(2048))).contains("at most 2048");
  }

  @Test
  @DisplayName("Text length counts characters, not UTF-16 units; blank text is refused")
  void textLength() {
    assertThat(NotificationRules.checkText("title", "😀".repeat(255), 255)).isNull();
    assertThat(NotificationRules.checkText("title", "😀".repeat(256), 255)).contains("at most 255");
    assertThat(NotificationRules.checkText("title", " \t", 255)).contains("title");
    assertThat(NotificationRules.checkText("title", null, 255)).isEqualTo("title is required");
  }

  @Test
  @DisplayName("Metadata is measured as encoded UTF-8 bytes")
  void metadataSize() {
    assertThat(NotificationRules.checkMetadataSize("metadata", "x".repeat(16384))).isNull();
    assertThat(NotificationRules.checkMetadataSize("metadata", "é".repeat(8193))).contains("16384");
  }

  @Test
  @DisplayName("Enums and query numbers")
  void enumsAndNumbers() {
    assertThat(NotificationRules.checkType("type", "LICENSE", true)).isNull();
    assertThat(NotificationRules.checkType("type", null, true)).isEqualTo("type is required");
    assertThat(NotificationRules.checkType("type", "license", true)).contains("must be one of");
    assertThat(NotificationRules.checkPriority("priority", null)).isNull();
    assertThat(NotificationRules.checkPriority("priority", "URGENT")).isNull();
    assertThat(NotificationRules.parseInt("pageSize", null, 20, 1, 100)).isEqualTo(20);
    assertThat(NotificationRules.parseInt("pageSize", "100", 20, 1, 100)).isEqualTo(100);
    assertThatThrownBy(() -> NotificationRules.parseInt("pageSize", "1e3", 20, 1, 100)).hasMessageContaining("pageSize");
    assertThatThrownBy(() -> NotificationRules.parseBoolean("read", "1")).hasMessageContaining("read");
    assertThat(NotificationRules.parseBoolean("read", "false")).isFalse();
  }
}
