package dev.systemtables.notifications;

import dev.systemtables.common.BadInput;
import dev.systemtables.common.Check;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Notification validation rules")
class NotificationRulesTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"/", "/licenses/1", "/a/b?c=d#e", "/café", "http://example.com", "HTTPS://example.com/x?y=1",
      "https://sub.example.com:8443/path"})
  @DisplayName("http(s) URLs and single-slash paths are accepted")
  void acceptedUrls(String url) {
    assertThatCode(() -> NotificationRules.actionUrl("actionUrl", url)).doesNotThrowAnyException();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,x",
      "vbscript:x", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
      "/\n/evil.example", "https:evil.example", "http://", "http://user@evil.example", "ftp://example.com", "licenses/1",
      "", "https://exa mple.com"})
  @DisplayName("Other schemes, scheme-relative, backslash and white-space tricks are refused")
  void refusedUrls(String url) {
    assertThatThrownBy(() -> NotificationRules.actionUrl("actionUrl", url)).isInstanceOf(BadInput.class).hasMessageContaining("actionUrl");
  }

  @Test
  @DisplayName("Over-long URLs are refused")
  void longUrl() {
    assertThatThrownBy(() -> NotificationRules.actionUrl("actionUrl", "/" + "a".repeat(2048))).isInstanceOf(BadInput.class).hasMessageContaining("at most 2048");
  }

  @Test
  @DisplayName("Text length counts characters, not UTF-16 units; blank text is refused")
  void textLength() {
    assertThatCode(() -> Check.text("title", "😀".repeat(255), 255)).doesNotThrowAnyException();
    assertThatThrownBy(() -> Check.text("title", "😀".repeat(256), 255)).isInstanceOf(BadInput.class).hasMessageContaining("at most 255");
    assertThatThrownBy(() -> Check.text("title", " \t", 255)).isInstanceOf(BadInput.class).hasMessageContaining("title");
    assertThatThrownBy(() -> Check.text("title", null, 255)).isInstanceOf(BadInput.class).hasMessage("title is required");
  }

  @Test
  @DisplayName("Metadata is measured as encoded UTF-8 bytes")
  void metadataSize() {
    assertThatCode(() -> NotificationRules.metadataSize("metadata", "x".repeat(16384))).doesNotThrowAnyException();
    assertThatThrownBy(() -> NotificationRules.metadataSize("metadata", "é".repeat(8193))).isInstanceOf(BadInput.class).hasMessageContaining("16384");
  }

  @Test
  @DisplayName("Enums and query numbers")
  void enumsAndNumbers() {
    assertThatCode(() -> Check.required("type", Check.oneOf("type", "LICENSE", Notification.Type.class))).doesNotThrowAnyException();
    assertThatThrownBy(() -> Check.required("type", Check.oneOf("type", null, Notification.Type.class))).isInstanceOf(BadInput.class).hasMessage("type is required");
    assertThatThrownBy(() -> Check.required("type", Check.oneOf("type", "license", Notification.Type.class))).isInstanceOf(BadInput.class).hasMessageContaining("must be one of");
    assertThatCode(() -> Check.oneOf("priority", null, Notification.Priority.class)).doesNotThrowAnyException();
    assertThatCode(() -> Check.oneOf("priority", "URGENT", Notification.Priority.class)).doesNotThrowAnyException();
    assertThat(Check.intParam("pageSize", null, 20, 1, 100)).isEqualTo(20);
    assertThat(Check.intParam("pageSize", "100", 20, 1, 100)).isEqualTo(100);
    assertThatThrownBy(() -> Check.intParam("pageSize", "1e3", 20, 1, 100)).hasMessageContaining("pageSize");
    assertThatThrownBy(() -> Check.booleanParam("read", "1")).hasMessageContaining("read");
    assertThat(Check.booleanParam("read", "false")).isFalse();
  }
}
