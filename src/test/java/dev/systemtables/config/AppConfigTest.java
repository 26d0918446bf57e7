package dev.systemtables.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Cache bounds in conf/config.yaml")
class AppConfigTest {

  static Stream<Arguments> cacheBounds() {
    return Stream.of(
        Arguments.of("flags", "answerCacheEntries", 10_000, (ToIntFunction<AppConfig>) AppConfig::flagAnswerCacheEntries),
        Arguments.of("notifications", "cachedPages", 4_096, (ToIntFunction<AppConfig>) AppConfig::cachedInboxPages));
  }

  @ParameterizedTest(name = "{0}.{1}")
  @MethodSource("cacheBounds")
  @DisplayName("A cache bound has its default unless set, 0 allowed, a negative or non-integer value refused at start")
  void cacheBound(String section, String key, int fallback, ToIntFunction<AppConfig> read) {
    String name = section + "." + key;
    assertThat(read.applyAsInt(AppConfig.from(new JsonObject(), Map.of()))).isEqualTo(fallback);
    assertThat(read.applyAsInt(AppConfig.from(yaml(section, key, 0), Map.of()))).isZero();
    assertThatThrownBy(() -> AppConfig.from(yaml(section, key, -1), Map.of())).hasMessageContaining(name);
    assertThatThrownBy(() -> AppConfig.from(yaml(section, key, "many"), Map.of())).hasMessageContaining(name);
  }

  private static JsonObject yaml(String section, String key, Object value) {
    return new JsonObject().put(section, new JsonObject().put(key, value));
  }
}
